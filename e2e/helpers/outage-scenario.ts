import { setTimeout as sleep } from "node:timers/promises";
import { CSV_DEMO_STORES } from "../../core/demo-stores.ts";
import type { LlmStatus, PersonaCacheState } from "../../core/edge-api.ts";
import { PERSONAS, type Persona } from "../../core/types.ts";
import { startFakeLlm, type FakeLlm } from "./journey-fake-llm.ts";
import { startStack, type Stack } from "./journey-stack.ts";

/**
 * An LLM outage on the whole stack `npm start` runs (the generator process and the edge under
 * `wrangler dev`), for the outage browser test and the outage-recovery benchmark: the fake
 * OpenAI-compatible LLM answers 503 from the start for `outageMs` while shoppers keep arriving on the
 * direct route over 3 demo stores × 4 personas; then the LLM comes back, the shoppers stop, and the
 * ops endpoint (a read: it enqueues nothing) is polled until every one of the 12 pages is an LLM
 * page. Finally one shopper request per page shows what shoppers get.
 */

export interface OutageOptions {
  ports: { edgePort: number; generatorPort: number; inspectorPort: number };
  outageMs: number;
  llmLatencyMs: number;
  /** The breaker's cool-down (LLM_BREAKER_COOLDOWN_MS) and its cap (LLM_BREAKER_MAX_COOLDOWN_MS). */
  cooldownMs: number;
  maxCooldownMs: number;
  /** LLM_BREAKER_THRESHOLD and POOL_SIZE, given to the edge explicitly so a bound can be stated. */
  threshold: number;
  poolSize: number;
  retryBaseMs: number;
  /** Pause between rounds of shoppers (one request per page a round). */
  roundPauseMs?: number;
  /** Give up waiting for the LLM pages after this long (a bound on the loop, not a measured limit). */
  recoveryGiveUpMs: number;
}

export interface ShopperVisit {
  page: string;
  status: number;
  cache: string | null;
  persona: string | null;
  source: string | null;
}

export interface OutageReport {
  /** Every shopper response during the outage. */
  duringOutage: ShopperVisit[];
  /** The cache state of the 12 pages, read during the outage after the shoppers' rounds. */
  stateDuringOutage: { page: string; state: PersonaCacheState["state"]; source: PersonaCacheState["source"] }[];
  /** Pages listed in KV or R2 by the ops endpoint during the outage. */
  storedDuringOutage: number;
  /** The breaker as the ops endpoint showed it just before the LLM came back. */
  breakerAtRecovery: LlmStatus;
  /** Completion requests that reached the LLM during the outage: all, and first attempts (generator calls). */
  llmRequestsDuringOutage: number;
  llmCallsDuringOutage: number;
  /** Seconds from the LLM's recovery until the ops state showed all 12 pages as LLM pages; null if never. */
  recoverySeconds: number | null;
  /** One shopper request per page at the end. */
  finalVisits: ShopperVisit[];
  /** LLM answers after recovery. */
  llmAnsweredAfterRecovery: number;
  output: string;
}

export const OUTAGE_PAGES: { store: string; persona: Persona }[] = CSV_DEMO_STORES.flatMap(({ store }) => PERSONAS.map((persona) => ({ store, persona })));

let shopperSeq = 0;

async function visit(edgeUrl: string, store: string, persona: Persona): Promise<ShopperVisit> {
  const page = `${store}/${persona}`;
  const url = `${edgeUrl}/s/${store}?shopper=outage-${process.pid}-${shopperSeq++}&persona=${persona}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  const html = await response.text();
  return {
    page,
    status: response.status,
    cache: response.headers.get("Wand-Cache"),
    persona: response.headers.get("Wand-Persona"),
    source: /<body[^>]*\bdata-wand-source="([a-z]+)"/.exec(html)?.[1] ?? null,
  };
}

async function ops<T>(stack: Stack, path: string): Promise<T> {
  const response = await fetch(`${stack.edgeUrl}${path}`, { headers: { Authorization: `Bearer ${stack.opsToken}` }, signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function cacheStates(stack: Stack): Promise<{ page: string; state: PersonaCacheState }[]> {
  const stores = [...new Set(OUTAGE_PAGES.map((p) => p.store))];
  const all = await Promise.all(
    stores.map(async (store) => (await ops<{ personas: PersonaCacheState[] }>(stack, `/ops/stores/${store}/state`)).personas.map((state) => ({ page: `${store}/${state.persona}`, state }))),
  );
  return all.flat();
}

async function storedPages(stack: Stack): Promise<number> {
  const stores = [...new Set(OUTAGE_PAGES.map((p) => p.store))];
  const counts = await Promise.all(stores.map(async (store) => (await ops<{ pages: unknown[] }>(stack, `/ops/stores/${store}/pages`)).pages.length));
  return counts.reduce((a, b) => a + b, 0);
}

export async function runOutage(o: OutageOptions): Promise<OutageReport> {
  const llm: FakeLlm = await startFakeLlm({ latencyMs: o.llmLatencyMs, down: true });
  let stack: Stack | undefined;
  try {
    stack = await startStack({
      ...o.ports,
      llm: { baseUrl: llm.baseUrl },
      opsToken: `outage-${Math.random().toString(36).slice(2)}`,
      edgeVars: {
        POOL_SIZE: String(o.poolSize),
        RETRY_BASE_MS: String(o.retryBaseMs),
        LLM_BREAKER_THRESHOLD: String(o.threshold),
        LLM_BREAKER_COOLDOWN_MS: String(o.cooldownMs),
        LLM_BREAKER_MAX_COOLDOWN_MS: String(o.maxCooldownMs),
      },
    });
    // wrangler compiles the worker on its first request: keep that out of the outage's clock.
    await fetch(`${stack.edgeUrl}/healthz`);

    // The outage: shoppers keep arriving, one request per page a round, until it ends.
    const duringOutage: ShopperVisit[] = [];
    const outageStarted = performance.now();
    while (performance.now() - outageStarted < o.outageMs) {
      duringOutage.push(...(await Promise.all(OUTAGE_PAGES.map((p) => visit(stack!.edgeUrl, p.store, p.persona)))));
      await sleep(o.roundPauseMs ?? 250);
    }
    const stateDuringOutage = (await cacheStates(stack)).map(({ page, state }) => ({ page, state: state.state, source: state.source }));
    const storedDuringOutage = await storedPages(stack);
    const breakerAtRecovery = (await ops<{ llm: LlmStatus }>(stack, "/ops/llm")).llm;

    // Recovery: the LLM answers again; no shopper arrives any more.
    const before = llm.requests();
    const answeredBefore = llm.counters().answered;
    llm.setDown(false);
    const recovered = performance.now();
    let recoverySeconds: number | null = null;
    while (performance.now() - recovered < o.recoveryGiveUpMs) {
      const states = await cacheStates(stack);
      const llmPages = states.filter(({ page, state }) => OUTAGE_PAGES.some((p) => `${p.store}/${p.persona}` === page) && state.source === "llm" && state.state === "fresh");
      if (llmPages.length === OUTAGE_PAGES.length) {
        recoverySeconds = (performance.now() - recovered) / 1000;
        break;
      }
      await sleep(100);
    }
    const finalVisits: ShopperVisit[] = [];
    for (const p of OUTAGE_PAGES) finalVisits.push(await visit(stack.edgeUrl, p.store, p.persona));

    const refused = before.filter((r) => r.refused);
    return {
      duringOutage,
      stateDuringOutage,
      storedDuringOutage,
      breakerAtRecovery,
      llmRequestsDuringOutage: refused.length,
      llmCallsDuringOutage: refused.filter((r) => r.retryCount === 0).length,
      recoverySeconds,
      finalVisits,
      llmAnsweredAfterRecovery: llm.counters().answered - answeredBefore,
      output: stack.output(),
    };
  } finally {
    await stack?.stop();
    await llm.close();
  }
}
