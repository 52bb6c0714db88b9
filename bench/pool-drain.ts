/**
 * Pool drain rate: how fast the PoolMember Durable Objects empty their queues when every generation
 * waits on an LLM of fixed latency. Ten members work in parallel, one job each at a time, so the
 * ceiling is POOL_SIZE / latency jobs per second; target ≥ 90 % of it.
 *
 * Real parts: the edge worker under `wrangler dev` (DOs with SQLite storage and alarms, KV, R2, D1),
 * the real generator process (`container/`, its `openai` SDK and output pipeline). Fake: only the LLM,
 * an OpenAI-compatible server answering after exactly LATENCY_MS. The jobs are enqueued the way
 * shoppers enqueue them — misses on `/s/<store>` — for a store with scope "shopper", so each shopper
 * is a job of its own; the shopper ids are chosen so every member gets the same number of jobs (the
 * figure then measures the pool, not how evenly random keys happen to hash).
 *
 * Locally all ten members share one workerd thread (in production each member is an object of its
 * own, with a container of its own), so members that finish together queue for CPU here: that is most
 * of overheadPerJobMs on this machine. The generator runs as a few processes behind a least-busy
 * dispatcher, the nearest local stand-in for a container per member.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { cacheKey, cacheVariant } from "../core/cache-key.ts";
import { bucketOf } from "../core/hash.ts";
import { PROMPT_VERSION } from "../core/prompt-version.ts";
import { candidatesFromProducts, selectForPersona } from "../core/selection.ts";
import type { CatalogProduct, ShopSettings } from "../core/types.ts";
import { startFakeLlm } from "../e2e/helpers/journey-fake-llm.ts";
import { addStoresToState, startStack } from "../e2e/helpers/journey-stack.ts";
import { loadDemoStore } from "../scripts/demo/load-catalogs.ts";
import { DEMO_STORES } from "../core/demo-stores.ts";
import type { BenchResult } from "./types.ts";

// A page from a real LLM takes seconds to tens of seconds; 3 s keeps the run short and still says how
// much the pool adds per job (overheadPerJobMs: with latency L the drain reaches L / (L + overhead)).
export const LATENCY_MS = 3000;
const POOL_SIZE = 10;
const JOBS_PER_MEMBER = 6;
const STORE = "bench-drain";
const PERSONA = "explorer";
const TARGET_RATIO = 0.9;
// The dispatcher on 18521, generator processes on 18522…18525.
const PORTS = { edgePort: 18520, generatorPort: 18521, inspectorPort: 18529 };
const GENERATOR_PROCESSES = 4;

/** The bench store: demo-apparel's catalog, one page per shopper. */
function benchStore(): { settings: ShopSettings; products: CatalogProduct[] } {
  const demo = loadDemoStore(DEMO_STORES[0]!);
  return {
    settings: { ...demo.settings, store: STORE, shopName: "Bench Drain", shopDomain: `${STORE}.myshopify.com`, scope: "shopper" },
    products: demo.products,
  };
}

/**
 * Shopper ids whose cache keys spread evenly: `perMember` for each of the pool's members, interleaved
 * (member 0, 1, …, 9, 0, 1, …) so the first ten shoppers already give every member work.
 */
export function balancedShoppers(o: { store: string; variant: string; poolSize: number; perMember: number }): string[] {
  const byMember: string[][] = Array.from({ length: o.poolSize }, () => []);
  for (let i = 0; byMember.some((list) => list.length < o.perMember); i++) {
    const shopper = `drain-${i}`;
    const key = cacheKey({ store: o.store, persona: PERSONA, scope: "shopper", shopper, variant: o.variant });
    const list = byMember[bucketOf(key, o.poolSize)]!;
    if (list.length < o.perMember) list.push(shopper);
  }
  return Array.from({ length: o.perMember }, (_, round) => byMember.map((list) => list[round]!)).flat();
}

async function opsJson<T>(edgeUrl: string, token: string, path: string): Promise<T> {
  const response = await fetch(`${edgeUrl}/ops${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

type Stats = { personas: { jobsDone: number; jobsFailed: number }[] };
type Pages = { pages: { key: string; perShopper: boolean; source: string | null; generatedAt: string | null }[] };

/** Shoppers arrive ten at a time; each miss answers at once and enqueues its job in the background. */
async function arrive(edgeUrl: string, shoppers: string[]): Promise<void> {
  for (let i = 0; i < shoppers.length; i += 10) {
    await Promise.all(
      shoppers.slice(i, i + 10).map(async (shopper) => {
        const response = await fetch(`${edgeUrl}/s/${STORE}?shopper=${shopper}&persona=${PERSONA}`);
        await response.text();
        // A miss, or "stale" once another shopper's page of the persona exists: both enqueue this shopper's job.
        const cache = response.headers.get("Wand-Cache");
        if (cache !== "miss" && cache !== "stale") throw new Error(`expected a miss for ${shopper}, got ${cache}`);
      }),
    );
  }
}

/**
 * Waits until the pool has finished `total` jobs of the store, done or failed (polling learns *that*,
 * not *when*); returns the failed count. Throws only when the pool stops making progress.
 */
async function waitForFinished(edgeUrl: string, token: string, total: number, timeoutMs: number, output: () => string): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const stats = await opsJson<Stats>(edgeUrl, token, `/stores/${STORE}/stats`);
    const done = stats.personas.reduce((n, p) => n + p.jobsDone, 0);
    const failed = stats.personas.reduce((n, p) => n + p.jobsFailed, 0);
    if (done + failed >= total) return failed;
    if (performance.now() > deadline) throw new Error(`pool finished ${done}/${total} jobs (${failed} failed) before the deadline:\n${output().slice(-3000)}`);
    await sleep(500);
  }
}

export async function run(): Promise<BenchResult> {
  const { settings, products } = benchStore();
  // The edge selects from D1 with the same deterministic rules core applies in memory (see
  // edge-worker/src/catalog/product-rows.test.ts), so the persona's variant is known up front.
  const selection = selectForPersona({ store: STORE, persona: PERSONA, candidates: candidatesFromProducts(products), now: 0 });
  const variant = cacheVariant({ merchVersion: selection.merchVersion, settingsVersion: settings.settingsVersion, promptVersion: PROMPT_VERSION });
  const all = balancedShoppers({ store: STORE, variant, poolSize: POOL_SIZE, perMember: JOBS_PER_MEMBER + 1 });
  // The first round (one job per member) wakes every member and the generator, untimed: a deployed
  // pool is warm, and creating ten Durable Objects on one local workerd thread is not what is measured.
  const warmup = all.slice(0, POOL_SIZE);
  const timed = all.slice(POOL_SIZE);
  const timedKeys = new Set(timed.map((shopper) => cacheKey({ store: STORE, persona: PERSONA, scope: "shopper", shopper, variant })));
  const jobs = timed.length;

  const llm = await startFakeLlm({ latencyMs: LATENCY_MS });
  const token = `bench-${Math.random().toString(36).slice(2)}`;
  const stack = await startStack({
    ...PORTS,
    llm: { baseUrl: llm.baseUrl },
    opsToken: token,
    edgeVars: { POOL_SIZE: String(POOL_SIZE) },
    generatorProcesses: GENERATOR_PROCESSES,
    afterSeed: (dir) => addStoresToState(dir, [{ settings, products }]),
  });
  try {
    await arrive(stack.edgeUrl, warmup);
    await waitForFinished(stack.edgeUrl, token, warmup.length, 60_000 + 3 * LATENCY_MS, stack.output);
    const warmCalls = llm.timeline().length;

    const started = performance.now();
    const startedAt = Date.now();
    await arrive(stack.edgeUrl, timed);
    const enqueueMs = performance.now() - started;
    const failed = await waitForFinished(stack.edgeUrl, token, warmup.length + jobs, 60_000 + (jobs / POOL_SIZE + 2) * LATENCY_MS * 2, stack.output);

    // Every timed job wrote its page from the LLM; the drain ended when the last one was written
    // (the pool stamps generatedAt as it writes).
    const { pages } = await opsJson<Pages>(stack.edgeUrl, token, `/stores/${STORE}/pages`);
    const drained = pages.filter((p) => timedKeys.has(p.key) && p.source === "llm");
    const elapsedMs = Math.max(...drained.map((p) => Date.parse(p.generatedAt ?? ""))) - startedAt;
    if (!Number.isFinite(elapsedMs)) throw new Error(`no LLM page with a generatedAt among ${pages.length} pages`);

    // With the LLM taking LATENCY_MS per job, the rest of each member's cycle (alarm, generator
    // pipeline, R2/KV writes, and locally the shared thread) is the pool's overhead per job.
    const calls = llm.timeline().slice(warmCalls);
    const firstLlmCallMs = Math.min(...calls.map((e) => e.arrivedAt)) - started;
    const overheadPerJobMs = (elapsedMs * POOL_SIZE) / Math.max(1, drained.length) - LATENCY_MS;
    // Only pages that were written count; a failed job (e.g. wrangler dev reloading the worker when
    // its source changes mid-run) lowers the rate and fails the target.
    const rate = drained.length / (elapsedMs / 1000);
    const ceiling = POOL_SIZE / (LATENCY_MS / 1000);
    const ratio = rate / ceiling;
    return {
      name: "pool-drain",
      metrics: {
        jobsPerSecond: rate,
        ceilingJobsPerSecond: ceiling,
        percentOfCeiling: ratio * 100,
        jobs,
        drainMs: elapsedMs,
        enqueueMs,
        firstLlmCallMs,
        overheadPerJobMs,
        llmCalls: calls.length,
        llmMaxInFlight: llm.counters().maxInFlight,
        jobsFailed: failed,
        pagesWritten: drained.length,
      },
      units: {
        jobsPerSecond: "jobs/s",
        ceilingJobsPerSecond: "jobs/s",
        percentOfCeiling: "%",
        jobs: "jobs",
        drainMs: "ms",
        enqueueMs: "ms",
        firstLlmCallMs: "ms",
        overheadPerJobMs: "ms",
        llmCalls: "requests",
        llmMaxInFlight: "requests",
        jobsFailed: "jobs",
        pagesWritten: "pages",
      },
      notes:
        `${jobs} jobs (${JOBS_PER_MEMBER} per member, POOL_SIZE ${POOL_SIZE}) enqueued by shopper misses on /s/${STORE} (scope shopper), drained by the PoolMember DOs under wrangler dev ` +
        `through the real generator process to a fake OpenAI-compatible LLM answering after ${LATENCY_MS} ms; members warmed by one untimed job each; ` +
        `timed from the first shopper request until the last page was written (its generatedAt). Locally the ten members share one workerd thread, and the generator runs as ${GENERATOR_PROCESSES} processes behind a least-busy dispatcher (production: a container per member).`,
      target: { metric: "percentOfCeiling", min: TARGET_RATIO * 100, description: `pool drain ≥ 90 % of POOL_SIZE / LLM latency (${ceiling.toFixed(2)} jobs/s at ${LATENCY_MS} ms)` },
      pass: ratio >= TARGET_RATIO && failed === 0 && drained.length === jobs,
    };
  } finally {
    await stack.stop();
    await llm.close();
  }
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) console.log(JSON.stringify(await run(), null, 2));
