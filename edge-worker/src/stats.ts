import type { PersonaStats } from "../../core/edge-api.ts";
import { PERSONAS, type Persona } from "../../core/types.ts";
import { edgeConfig } from "./config.ts";
import type { PoolStoreStats } from "./pool-member.ts";
import type { RequestCounts } from "./store-stats.ts";

/**
 * Request stats off the request path. Each request only increments a counter in isolate memory;
 * at most once per STATS_FLUSH_SECONDS an isolate sends its batch to the store's StoreStats object
 * inside ctx.waitUntil. The price: counts of an isolate that is evicted before its next flush are
 * lost, and the admin sees counts up to one interval late. Job counters, latency and tokens come
 * from the pool members, which record them as they finish jobs.
 */
export type RequestOutcome = "hit" | "miss" | "stale" | "holdout";

const pending = new Map<string, Map<Persona, RequestCounts>>();
/** Requests per store served through the verified app proxy, not yet sent. */
const pendingProxy = new Map<string, number>();
let lastFlush = 0;
let flushing = false;

/** Counts a request that came through the verified app proxy (the setup guide's "first shopper"). */
export function recordProxyRequest(env: Env, waiter: Pick<ExecutionContext, "waitUntil">, store: string): void {
  pendingProxy.set(store, (pendingProxy.get(store) ?? 0) + 1);
  maybeFlush(env, waiter);
}

export function recordRequest(env: Env, waiter: Pick<ExecutionContext, "waitUntil">, store: string, persona: Persona, outcome: RequestOutcome, now = Date.now()): void {
  let personas = pending.get(store);
  if (!personas) pending.set(store, (personas = new Map()));
  let c = personas.get(persona);
  if (!c) personas.set(persona, (c = { persona, hits: 0, misses: 0, stale: 0, holdout: 0 }));
  if (outcome === "hit") c.hits++;
  else if (outcome === "miss") c.misses++;
  else if (outcome === "stale") c.stale++;
  else c.holdout++;
  maybeFlush(env, waiter, now);
}

function maybeFlush(env: Env, waiter: Pick<ExecutionContext, "waitUntil">, now = Date.now()): void {
  if (!flushing && now - lastFlush >= edgeConfig(env).statsFlushMs) {
    lastFlush = now;
    flushing = true;
    waiter.waitUntil(
      flushStats(env).finally(() => {
        flushing = false;
      }),
    );
  }
}

/** Sends every pending batch; a batch that fails is merged back for the next flush. */
export async function flushStats(env: Env): Promise<void> {
  const batches = [...pending];
  const proxied = new Map(pendingProxy);
  pending.clear();
  pendingProxy.clear();
  for (const store of proxied.keys()) if (!batches.some(([s]) => s === store)) batches.push([store, new Map()]);
  await Promise.all(
    batches.map(async ([store, personas]) => {
      const rows = [...personas.values()];
      const proxy = proxied.get(store) ?? 0;
      try {
        await env.STATS.getByName(store).add(rows, proxy);
      } catch (error) {
        console.warn("stats flush failed", store, error);
        if (proxy > 0) pendingProxy.set(store, (pendingProxy.get(store) ?? 0) + proxy);
        for (const row of rows) {
          let target = pending.get(store);
          if (!target) pending.set(store, (target = new Map()));
          const c = target.get(row.persona);
          if (!c) target.set(row.persona, row);
          else {
            c.hits += row.hits;
            c.misses += row.misses;
            c.stale += row.stale;
            c.holdout += row.holdout;
          }
        }
      }
    }),
  );
}

/** Median of a list of numbers, null when empty. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Merges request counts and the pool members' job stats into the admin's PersonaStats. */
export function mergeStats(requests: RequestCounts[], pools: PoolStoreStats[], recentLimit = 50): PersonaStats[] {
  return PERSONAS.map((persona) => {
    const r = requests.find((c) => c.persona === persona);
    const jobs = pools.flatMap((p) => p.personas.filter((j) => j.persona === persona));
    const sum = (pick: (j: (typeof jobs)[number]) => number) => jobs.reduce((n, j) => n + pick(j), 0);
    const latencies = pools
      .flatMap((p) => p.latencies.filter((l) => l.persona === persona))
      .sort((a, b) => a.at - b.at)
      .slice(-recentLimit)
      .map((l) => l.durationMs);
    return {
      persona,
      hits: r?.hits ?? 0,
      misses: r?.misses ?? 0,
      stale: r?.stale ?? 0,
      holdout: r?.holdout ?? 0,
      jobsQueued: sum((j) => j.jobsQueued),
      jobsRefused: sum((j) => j.jobsRefused),
      jobsDone: sum((j) => j.jobsDone),
      jobsFailed: sum((j) => j.jobsFailed),
      medianLatencyMs: median(latencies),
      promptTokens: sum((j) => j.promptTokens),
      completionTokens: sum((j) => j.completionTokens),
      recentLatenciesMs: latencies,
    };
  });
}
