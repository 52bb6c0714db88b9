import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenOnLoopback } from "./loopback-server.ts";

/**
 * An OpenAI-compatible LLM on 127.0.0.1 with a fixed latency, for the shopper journey and the
 * benchmarks: the real generator (and the real `openai` SDK inside it) talks to it as to Moonshot.
 * Each answer is a small, valid page fragment that places the first products of the catalog the
 * prompt carries (`"handle":"…"` in its catalog JSON), so the generator's pipeline accepts it as an
 * LLM page rather than falling back to the template.
 */
export interface FakeLlm {
  /** Base URL for LLM_BASE_URL, ending in /v1. */
  baseUrl: string;
  /** Completed answers, requests in flight now, and the most ever in flight at once. */
  counters(): { answered: number; inFlight: number; maxInFlight: number };
  /** When each request arrived and was answered (performance.now() ms), in arrival order. */
  timeline(): { arrivedAt: number; answeredAt: number | null }[];
  /**
   * Switches a provider outage on or off: while down, every completion request is answered at once
   * with 503 (as an overloaded or failing provider answers), and is not counted as answered.
   */
  setDown(down: boolean): void;
  /**
   * Every completion request, in arrival order: when it came (performance.now() ms), whether it was
   * refused by the outage, and the SDK's retry number (X-Stainless-Retry-Count; 0 = the first attempt
   * of one generator call, so the first attempts count the generator's LLM calls).
   */
  requests(): { arrivedAt: number; refused: boolean; retryCount: number }[];
  /** The user prompt of every completion request not refused by an outage, in arrival order. */
  prompts(): string[];
  close(): Promise<void>;
}

export interface FakeLlmOptions {
  /** Milliseconds every answer takes. */
  latencyMs: number;
  port?: number;
  /** Start in an outage (see FakeLlm.setDown). */
  down?: boolean;
  /** The page fragment for a user prompt; by default fakePageFragment of the prompt's persona and products. */
  answer?: (userPrompt: string) => string;
}

const PERSONA = /Persona:\s*([a-z]+)/;
const HANDLE = /"handle":"([^"\\]+)"/g;

/** The product handles a prompt's catalog JSON carries, in order. */
export function promptHandles(userPrompt: string): string[] {
  return [...userPrompt.matchAll(HANDLE)].map((m) => m[1]!);
}

function defaultAnswer(userPrompt: string): string {
  return fakePageFragment(PERSONA.exec(userPrompt)?.[1] ?? "shopper", promptHandles(userPrompt));
}

export function fakePageFragment(persona: string, handles: string[]): string {
  const placed = handles.slice(0, 6);
  const items = placed.map((h) => `<li><wand-product handle="${h}"></wand-product></li>`).join("\n");
  return [
    `<style>.fake-llm-intro{max-width:40rem}</style>`,
    `<section class="fake-llm-intro"><h1>Picked for the ${persona}</h1>`,
    `<p class="lede">A selection written for you by the shop's assistant.</p></section>`,
    `<section><h2>Our selection</h2><ul class="grid">\n${items}\n</ul></section>`,
  ].join("\n");
}

export async function startFakeLlm(options: FakeLlmOptions): Promise<FakeLlm> {
  let answered = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const timers = new Set<NodeJS.Timeout>();
  const events: { arrivedAt: number; answeredAt: number | null }[] = [];
  const requests: { arrivedAt: number; refused: boolean; retryCount: number }[] = [];
  const prompts: string[] = [];
  const answer = options.answer ?? defaultAnswer;
  let down = options.down ?? false;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
        return;
      }
      let body: { model?: string; messages?: { role: string; content: string }[] };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
      } catch {
        res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "bad json" } }));
        return;
      }
      const retryCount = Number(req.headers["x-stainless-retry-count"] ?? 0) || 0;
      requests.push({ arrivedAt: performance.now(), refused: down, retryCount });
      if (down) {
        res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "the service is temporarily unavailable", type: "server_error" } }));
        return;
      }
      const user = body.messages?.find((m) => m.role === "user")?.content ?? "";
      prompts.push(user);
      const content = answer(user);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const event: { arrivedAt: number; answeredAt: number | null } = { arrivedAt: performance.now(), answeredAt: null };
      events.push(event);
      const timer = setTimeout(() => {
        timers.delete(timer);
        inFlight--;
        answered++;
        event.answeredAt = performance.now();
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            id: `chatcmpl-fake-${answered}`,
            object: "chat.completion",
            created: Math.floor(Date.now() / 1000),
            model: body.model ?? "fake-llm",
            choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
            usage: { prompt_tokens: Math.ceil(user.length / 4), completion_tokens: 300, total_tokens: Math.ceil(user.length / 4) + 300 },
          }),
        );
      }, options.latencyMs);
      timers.add(timer);
    });
  });
  const url = await listenOnLoopback(server, options.port ?? 0);
  return {
    baseUrl: `${url}/v1`,
    counters: () => ({ answered, inFlight, maxInFlight }),
    timeline: () => events.map((e) => ({ ...e })),
    setDown: (value) => {
      down = value;
    },
    requests: () => requests.map((r) => ({ ...r })),
    prompts: () => [...prompts],
    close: () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
