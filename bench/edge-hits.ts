/**
 * Edge cache hits against the runtime's and the machine's ceilings: requests/s and p50/p99 of
 * `/s/<store>` hits from isolate memory and from KV, a bare worker returning the same page bytes
 * (same harness, and on `workerd serve`), and nginx serving those bytes. Target: memory hits
 * ≥ 0.8× the bare worker's requests/s in the same harness. How it is measured: bench/edge-harness.ts.
 */
import { HARNESS, measureEdge, type ConfigName } from "./edge-harness.ts";
import type { BenchResult } from "./types.ts";

export const HIT_RATIO_TARGET = 0.8;

export async function run(): Promise<BenchResult> {
  const m = await measureEdge();
  if (!m.ok) return { name: "edge-hits", metrics: {}, units: {}, notes: `skipped: ${m.reason}` };
  const { results, ratios, pageBytes, rounds, seconds, loadAverage } = m.figures;
  const metrics: Record<string, number> = {};
  const units: Record<string, string> = {};
  const label: Record<ConfigName, string> = {
    edgeMemory: "edgeMemoryHit",
    edgeKv: "edgeKvHit",
    edgeMiss: "edgeMiss",
    bareMiniflare: "bareWorker",
    bareWorkerd: "bareWorkerdServe",
    nginx: "nginx",
  };
  for (const config of ["edgeMemory", "edgeKv", "bareMiniflare", "bareWorkerd", "nginx"] as const) {
    const r = results[config];
    const name = label[config];
    metrics[`${name}Rps`] = r.rps;
    metrics[`${name}P50`] = r.p50Ms;
    metrics[`${name}P99`] = r.p99Ms;
    units[`${name}Rps`] = `req/s (${HARNESS[config]})`;
    units[`${name}P50`] = `ms (${HARNESS[config]})`;
    units[`${name}P99`] = `ms (${HARNESS[config]})`;
  }
  const ratio = ratios.memoryHitVsBare;
  metrics.memoryHitVsBare = ratio;
  units.memoryHitVsBare = "× bare worker (miniflare)";
  metrics.kvHitVsBare = ratios.kvHitVsBare;
  units.kvHitVsBare = "× bare worker (miniflare)";
  return {
    name: "edge-hits",
    metrics,
    units,
    notes:
      `wrk -t1 -c16, ${rounds} alternating rounds × ${seconds} s per configuration, medians (ratios per round from neighbouring runs); page ${pageBytes} bytes; load average ${loadAverage.toFixed(1)} on 2 cores at the start. ` +
      "miniflare = the edge bundle (wrangler deploy --dry-run) on workerd via Miniflare 5 with in-memory KV/R2/D1/DO, and the bare worker in the same harness replaying the edge's memory-hit response (status, headers, body) from memory; " +
      "workerd = a bare worker on `workerd serve` returning the body with one header; nginx = Debian's nginx, same body. Every request is a new shopper (rotating ids, no cookies). KV hits rotate over 2,000 shopper-scoped pages (more than the memory LRU holds).",
    target: { metric: "memoryHitVsBare", min: HIT_RATIO_TARGET, description: "memory hits ≥ 0.8× the bare worker's requests/s (same harness)" },
    pass: ratio >= HIT_RATIO_TARGET,
  };
}
