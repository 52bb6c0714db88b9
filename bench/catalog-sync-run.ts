import { setTimeout as sleep } from "node:timers/promises";
import type { CatalogSyncState } from "../core/edge-api.ts";
import { fakeAdminShop } from "../edge-worker/test/fake-admin-control.ts";
import type { EdgeRuntime } from "./edge-runtime.ts";
import { openInspector, type InspectorSession } from "./inspector-session.ts";
import { memoryBytes } from "./process-usage.ts";

/**
 * One full catalog sync on the production-runtime harness, measured: the admin's call
 * (EdgeApi.startCatalogSync) starts the store's CatalogSync Durable Object, which reads the fake
 * Admin API (edge-worker/test/fake-admin-api.ts: product pages for small shops, a bulk operation
 * and its streamed JSONL result for large ones). The bench plays Shopify's part of a bulk
 * operation — it delivers `bulk_operations/finish` (EdgeApi.bulkOperationFinished) as soon as the
 * fake reports the operation COMPLETED — and polls EdgeApi.catalogSyncState until the run ends.
 *
 * Memory while it runs, sampled every SAMPLE_MS:
 * - the edge isolate's V8 heap (workerd inspector, Runtime.getHeapUsage): what the 128 MB isolate
 *   limit applies to — the Durable Object runs in the edge worker's isolate. The used heap includes
 *   garbage V8 has not collected yet (it grows with the work done, not with what is kept), so every
 *   RETAINED_EVERY samples the bench also forces a collection (HeapProfiler.collectGarbage) and
 *   reads the heap after it: the memory the sync actually holds;
 * - the whole workerd process's resident set (/proc VmRSS), an upper bound: it also holds the
 *   local D1's SQLite (Miniflare's D1 worker in the same process; production D1 is elsewhere).
 * Each sync runs in a freshly started workerd (the caller's job), so one sync's high-water mark is
 * not hidden by an earlier one's.
 */
const SAMPLE_MS = 50;
const RETAINED_EVERY = 10;

export interface SyncFigures {
  seconds: number;
  state: CatalogSyncState;
  /** Largest edge-isolate heap seen during the sync, and its size just before it. */
  peakHeapBytes: number;
  baselineHeapBytes: number;
  /** Largest edge-isolate heap right after a forced collection during the sync (live memory). */
  peakRetainedHeapBytes: number;
  /** Largest resident set of the workerd process during the sync, and just before it. */
  peakRssBytes: number;
  baselineRssBytes: number;
  heapSamples: number;
  /** Forced-collection samples taken (a sync shorter than RETAINED_EVERY samples has none). */
  retainedSamples: number;
}

export async function runCatalogSync(o: { runtime: EdgeRuntime; inspectorPort: number; adminOrigin: string; store: string; shopDomain: string; token: string; timeoutMs: number }): Promise<SyncFigures> {
  const { control, pid } = o.runtime;
  const shop = fakeAdminShop(o.adminOrigin, o.token);
  const inspector: InspectorSession = await openInspector(o.inspectorPort, "edge");
  try {
    // A sample the inspector does not answer within a second is skipped (never waited on forever).
    const heap = async () => {
      const answer = await Promise.race([inspector.send<{ usedSize: number }>("Runtime.getHeapUsage"), sleep(1000).then(() => null)]);
      if (answer === null) throw new Error("no heap sample");
      return answer.usedSize;
    };
    // Let the start-up settle (and its garbage go) before the baseline.
    await sleep(500);
    await Promise.race([inspector.send("HeapProfiler.collectGarbage").catch(() => undefined), sleep(2000)]);
    const baselineHeapBytes = await heap();
    const baselineRssBytes = memoryBytes(pid).rss;
    let peakHeapBytes = baselineHeapBytes;
    let peakRetainedHeapBytes = baselineHeapBytes;
    const collect = () => Promise.race([inspector.send("HeapProfiler.collectGarbage").catch(() => undefined), sleep(2000)]);
    let peakRssBytes = baselineRssBytes;
    let heapSamples = 0;
    let retainedSamples = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        try {
          peakHeapBytes = Math.max(peakHeapBytes, await heap());
          peakRssBytes = Math.max(peakRssBytes, memoryBytes(pid).rss);
          if (++heapSamples % RETAINED_EVERY === 0) {
            await collect();
            peakRetainedHeapBytes = Math.max(peakRetainedHeapBytes, await heap());
            retainedSamples++;
          }
        } catch {
          // a sample lost to a busy isolate: the next one counts
        }
        await sleep(SAMPLE_MS);
      }
    })();

    const started = performance.now();
    let state = await control.rpc<CatalogSyncState>("startCatalogSync", o.store, o.shopDomain, "install");
    const notified = new Set<string>();
    while (state.state === "running" || state.state === "idle") {
      if (performance.now() - started > o.timeoutMs) throw new Error(`${o.store}: the sync did not finish in ${o.timeoutMs} ms (${state.productsSynced}/${state.productsTotal ?? "?"} products)`);
      // Shopify's bulk_operations/finish webhook, delivered once the operation has completed.
      for (const op of (await shop.stats()).bulkOperations) {
        if (op.status === "COMPLETED" && !notified.has(op.id)) {
          notified.add(op.id);
          await control.rpc("bulkOperationFinished", o.store, { bulkOperationId: op.id, status: "completed" });
        }
      }
      await sleep(100);
      state = await control.rpc<CatalogSyncState>("catalogSyncState", o.store);
    }
    const seconds = (performance.now() - started) / 1000;
    sampling = false;
    await sampler;
    return { seconds, state, peakHeapBytes, peakRetainedHeapBytes, baselineHeapBytes, peakRssBytes, baselineRssBytes, heapSamples, retainedSamples };
  } finally {
    inspector.close();
  }
}
