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
 * figure then measures the pool, not how evenly 100 random keys happen to hash).
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { cacheKey, cacheVariant } from "../core/cache-key.ts";
import { bucketOf } from "../core/hash.ts";
import { PROMPT_VERSION } from "../core/prompt-version.ts";
import type { CatalogSnapshot, ShopSettings } from "../core/types.ts";
import { startFakeLlm } from "../e2e/helpers/journey-fake-llm.ts";
import { addStoresToState, startStack } from "../e2e/helpers/journey-stack.ts";
import { loadDemoStore } from "../scripts/demo/load-catalogs.ts";
import { DEMO_STORES } from "../core/demo-stores.ts";
import type { BenchResult } from "./types.ts";

export const LATENCY_MS = 1000;
const POOL_SIZE = 10;
const JOBS_PER_MEMBER = 10;
const STORE = "bench-drain";
const PERSONA = "explorer";
const TARGET_RATIO = 0.9;
const PORTS = { edgePort: 18520, generatorPort: 18521, inspectorPort: 18522 };

/** The bench store: demo-apparel's catalog, one page per shopper. */
function benchStore(): { settings: ShopSettings; catalog: CatalogSnapshot } {
  const demo = loadDemoStore(DEMO_STORES[0]!);
  return {
    settings: { ...demo.settings, store: STORE, shopName: "Bench Drain", shopDomain: `${STORE}.myshopify.com`, scope: "shopper" },
    catalog: { ...demo.catalog, store: STORE },
  };
}

/** Shopper ids whose cache keys spread evenly: `perMember` for each of the pool's members. */
export function balancedShoppers(o: { store: string; variant: string; poolSize: number; perMember: number }): string[] {
  const counts = new Array<number>(o.poolSize).fill(0);
  const chosen: string[] = [];
  for (let i = 0; chosen.length < o.poolSize * o.perMember; i++) {
    const shopper = `drain-${i}`;
    const key = cacheKey({ store: o.store, persona: PERSONA, scope: "shopper", shopper, variant: o.variant });
    const member = bucketOf(key, o.poolSize);
    if (counts[member]! < o.perMember) {
      counts[member]!++;
      chosen.push(shopper);
    }
  }
  return chosen;
}

async function opsJson<T>(edgeUrl: string, token: string, path: string): Promise<T> {
  const response = await fetch(`${edgeUrl}/ops${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export async function run(): Promise<BenchResult> {
  const { settings, catalog } = benchStore();
  const variant = cacheVariant({ catalogVersion: catalog.version, settingsVersion: settings.settingsVersion, promptVersion: PROMPT_VERSION });
  const shoppers = balancedShoppers({ store: STORE, variant, poolSize: POOL_SIZE, perMember: JOBS_PER_MEMBER });
  const jobs = shoppers.length;

  const llm = await startFakeLlm({ latencyMs: LATENCY_MS });
  const token = `bench-${Math.random().toString(36).slice(2)}`;
  const stack = await startStack({
    ...PORTS,
    llm: { baseUrl: llm.baseUrl },
    opsToken: token,
    edgeVars: { POOL_SIZE: String(POOL_SIZE) },
    afterSeed: (dir) => addStoresToState(dir, [{ settings, catalog }]),
  });
  try {
    // One request first, so wrangler's first-request compilation is not part of the figure.
    await (await fetch(`${stack.edgeUrl}/s/demo-home?shopper=warmup&persona=minimalist`)).text();

    const started = performance.now();
    // Shoppers arrive ten at a time; each miss answers at once and enqueues in the background.
    for (let i = 0; i < jobs; i += 10) {
      await Promise.all(
        shoppers.slice(i, i + 10).map(async (shopper) => {
          const response = await fetch(`${stack.edgeUrl}/s/${STORE}?shopper=${shopper}&persona=${PERSONA}`);
          await response.text();
          // A miss, or "stale" once another shopper's page of the persona exists: both enqueue this shopper's job.
          const cache = response.headers.get("Wand-Cache");
          if (cache !== "miss" && cache !== "stale") throw new Error(`expected a miss for ${shopper}, got ${cache}`);
        }),
      );
    }
    const enqueuedMs = performance.now() - started;

    type Stats = { personas: { jobsDone: number; jobsFailed: number }[] };
    let done = 0;
    let failed = 0;
    const deadline = started + 60_000 + jobs * LATENCY_MS;
    while (performance.now() < deadline) {
      const stats = await opsJson<Stats>(stack.edgeUrl, token, `/stores/${STORE}/stats`);
      done = stats.personas.reduce((n, p) => n + p.jobsDone, 0);
      failed = stats.personas.reduce((n, p) => n + p.jobsFailed, 0);
      if (done + failed >= jobs) break;
      await sleep(50);
    }
    const elapsedMs = performance.now() - started;
    if (done < jobs) throw new Error(`pool drained only ${done}/${jobs} jobs (${failed} failed) in ${Math.round(elapsedMs)} ms:\n${stack.output().slice(-3000)}`);

    // Every job must have written its page (one per shopper, from the LLM).
    const { pages } = await opsJson<{ pages: { perShopper: boolean; source: string | null }[] }>(stack.edgeUrl, token, `/stores/${STORE}/pages`);
    const llmPages = pages.filter((p) => p.perShopper && p.source === "llm").length;

    // Where the time goes: the LLM's own time is LATENCY_MS per job; the rest of each member's
    // cycle (alarm, generator pipeline, R2/KV writes) is the pool's overhead per job.
    const timeline = llm.timeline();
    const firstLlmCall = Math.min(...timeline.map((e) => e.arrivedAt)) - started;
    const overheadPerJobMs = (elapsedMs * POOL_SIZE) / jobs - LATENCY_MS;
    const rate = jobs / (elapsedMs / 1000);
    const ceiling = POOL_SIZE / (LATENCY_MS / 1000);
    const ratio = rate / ceiling;
    return {
      name: "pool-drain",
      metrics: { jobsPerSecond: rate, ceilingJobsPerSecond: ceiling, percentOfCeiling: ratio * 100, jobs, drainMs: elapsedMs, enqueueMs: enqueuedMs, llmPages, llmMaxInFlight: llm.counters().maxInFlight, firstLlmCallMs: firstLlmCall, overheadPerJobMs },
      units: { jobsPerSecond: "jobs/s", ceilingJobsPerSecond: "jobs/s", percentOfCeiling: "%", jobs: "jobs", drainMs: "ms", enqueueMs: "ms", llmPages: "pages", llmMaxInFlight: "requests", firstLlmCallMs: "ms", overheadPerJobMs: "ms" },
      notes:
        `${jobs} jobs (${JOBS_PER_MEMBER} per member, POOL_SIZE ${POOL_SIZE}) enqueued by shopper misses on /s/${STORE} (scope shopper), drained by the PoolMember DOs under wrangler dev ` +
        `through the real generator process to a fake OpenAI-compatible LLM answering after ${LATENCY_MS} ms; timed from the first request until the pool's stats count every job done.`,
      target: { metric: "percentOfCeiling", min: TARGET_RATIO * 100, description: `drain ≥ 90 % of POOL_SIZE / LLM latency (${ceiling} jobs/s)` },
      pass: ratio >= TARGET_RATIO && llmPages === jobs,
    };
  } finally {
    await stack.stop();
    await llm.close();
  }
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) console.log(JSON.stringify(await run(), null, 2));
