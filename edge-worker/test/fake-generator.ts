import { readBody, sendJson as send } from "./http-helpers.ts";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { renderPageShell } from "../../core/page-shell.ts";
import { productSlot } from "../../core/product-slots.ts";
import type { GenerateRequestBody } from "./fake-generator-api.ts";
import type { FakeBehaviour, FakeStoreStats } from "./fake-generator-api.ts";

/**
 * A stand-in for the `container/` generator, on 127.0.0.1, for the workerd tests (started in the
 * edge project's globalSetup) and the edge benchmark. `POST /generate` answers like the real one;
 * per store, tests choose a behaviour through `POST /__control`:
 *   ok            answer at once (the default)
 *   fail (times)  answer 500 `times` times, then ok
 *   hang (times)  never answer `times` times (the edge's timeout must fire), then ok
 *   hold          keep every call open until `POST /__release`, then answer ok
 *   fallback      answer the template as the real generator does when the LLM is unreachable
 *                 (`source: "template"`, `fallback: "llm_unreachable"`)
 *   unlabelled    answer a template without its fallback reason (a contract violation)
 *   template_mode answer the template as a generator without LLM_API_KEY does (`fallback: "template_mode"`)
 *   unusable      answer the template as when the LLM's answer failed the checks (`fallback: "answer_unusable"`)
 * With `times`, fallback, template_mode and unusable answer so that many times, then ok.
 * `GET /__stats?store=` reports calls, calls in progress, successful answers and the largest request
 * body. An ok answer is a page with a product slot per selected product (the edge expands them).
 */
interface StoreState {
  behaviour: FakeBehaviour;
  remaining: number;
  stats: FakeStoreStats;
  held: (() => void)[];
}

export interface FakeGenerator {
  url: string;
  close(): Promise<void>;
}

export interface FakeGeneratorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The page of an ok answer; by default a small page in the core shell with a few relative links. */
  render?: (request: GenerateRequestBody) => string;
}

export async function startFakeGenerator(options: FakeGeneratorOptions = {}): Promise<FakeGenerator> {
  const port = options.port ?? 0;
  const stores = new Map<string, StoreState>();
  const stateOf = (store: string): StoreState => {
    let s = stores.get(store);
    if (!s) stores.set(store, (s = { behaviour: "ok", remaining: 0, stats: { calls: 0, inProgress: 0, answered: 0, failed: 0, maxRequestBytes: 0, breakerHeaders: [], jobs: [] }, held: [] }));
    return s;
  };
  const hanging = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => send(res, 500, { error: String(error) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method === "GET" && url.pathname === "/healthz") return send(res, 200, { ok: true });
    if (req.method === "GET" && url.pathname === "/__stats") return send(res, 200, stateOf(url.searchParams.get("store") ?? "").stats);
    const body = await readBody(req);
    if (req.method === "POST" && url.pathname === "/__control") {
      const c = JSON.parse(body) as { store: string; behaviour: FakeBehaviour; times?: number };
      const s = stateOf(c.store);
      s.behaviour = c.behaviour;
      s.remaining = c.times ?? Number.POSITIVE_INFINITY;
      return send(res, 200, { ok: true });
    }
    if (req.method === "POST" && url.pathname === "/__release") {
      const s = stateOf((JSON.parse(body) as { store: string }).store);
      s.behaviour = "ok";
      for (const release of s.held.splice(0)) release();
      return send(res, 200, { ok: true });
    }
    if (req.method !== "POST" || url.pathname !== "/generate") return send(res, 404, { error: "not found" });

    const request = JSON.parse(body) as GenerateRequestBody;
    const s = stateOf(request.job.store);
    s.stats.calls++;
    const breaker = req.headers["x-wand-breaker"];
    s.stats.breakerHeaders.push(typeof breaker === "string" ? breaker : null);
    s.stats.jobs.push({ key: request.job.key, language: request.job.language ?? null, titles: Object.fromEntries(request.selection.products.map((p) => [p.handle, p.title])) });
    s.stats.maxRequestBytes = Math.max(s.stats.maxRequestBytes, Buffer.byteLength(body));
    s.stats.inProgress++;
    const started = Date.now();
    let behaviour = s.behaviour;
    if (behaviour === "fail" || behaviour === "hang" || behaviour === "fallback" || behaviour === "template_mode" || behaviour === "unusable") {
      if (s.remaining > 0) s.remaining--;
      else behaviour = s.behaviour = "ok";
    }
    if (behaviour === "hang") {
      // Never answered: the edge's timeout aborts it (the socket closes, or close() ends it).
      hanging.add(res);
      res.on("close", () => {
        hanging.delete(res);
        s.stats.inProgress--;
      });
      return;
    }
    if (behaviour === "hold") await new Promise<void>((resolve) => s.held.push(resolve));
    s.stats.inProgress--;
    // A held call the edge gave up on (its timeout) is not an answer.
    if (res.destroyed) return;
    if (behaviour === "fail") {
      s.stats.failed++;
      return send(res, 500, { error: "fake generator failure" });
    }
    s.stats.answered++;
    const html = (options.render ?? defaultPage)(request);
    const fallback = FALLBACK_OF[behaviour] ?? null;
    const template = fallback !== null || behaviour === "unlabelled";
    send(res, 200, {
      html,
      source: template ? "template" : "llm",
      fallback,
      model: "fake-model",
      usage: { promptTokens: 100, completionTokens: 50 },
      durationMs: Date.now() - started,
      warnings: [],
    });
  }

  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        for (const s of stores.values()) for (const release of s.held.splice(0)) release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The fallback reason each template-answering behaviour reports. */
const FALLBACK_OF: Partial<Record<FakeBehaviour, string>> = { fallback: "llm_unreachable", template_mode: "template_mode", unusable: "answer_unusable" };

function defaultPage({ job, settings, selection }: GenerateRequestBody): string {
  const sections = selection.groups
    .map((g) => `<section id="${g.id}"><h2>${g.title}</h2><ul class="grid">${g.handles.map((h) => `<li>${productSlot(h, g.badge)}</li>`).join("")}</ul></section>`)
    .join("");
  return renderPageShell({
    settings,
    persona: job.persona,
    title: `Generated ${job.persona} page | ${settings.shopName}`,
    body: `<h1 data-fake-generator="${job.key}">Picked for a ${job.persona}</h1>${sections}<p class="more"><a href="/collections/all">See everything</a></p>`,
    source: "llm",
  });
}

