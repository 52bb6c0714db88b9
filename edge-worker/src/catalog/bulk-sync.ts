import { readBulkRecords } from "../../../core/bulk-jsonl.ts";
import { productFromBulkLines } from "../../../core/shopify-product.ts";
import type { CatalogProduct } from "../../../core/types.ts";
import { SyncError, bulkOperationStatus, startBulkOperation } from "./admin-api.ts";
import { upsertProducts } from "./product-rows.ts";
import { WRITE_BATCH, type SliceContext, type StepResult } from "./slice.ts";

/**
 * Bulk mode of a full sync, for big shops: `bulkOperationRunQuery` over products and variants, a
 * wait for it (the bulk_operations/finish webhook wakes the sync; a status poll is the fallback),
 * then its JSONL result streamed with fetch and parsed record by record (core/bulk-jsonl.ts),
 * written in batches tagged with the run. After each batch the byte offset of the next record is
 * checkpointed; a later slice continues there with `Range: bytes=<offset>-`. Nothing holds the file.
 */

/** Status poll while a bulk operation runs (the finish webhook usually comes first). */
export const BULK_POLL_MS = 3_000;
/** Shopify ends bulk queries after 10 days at most; a sync waits a day, then says so. */
const BULK_MAX_WAIT_MS = 24 * 60 * 60 * 1000;
const DOWNLOAD_TIMEOUT_MS = 60_000;

export async function bulkStartStep(c: SliceContext, now: number): Promise<StepResult> {
  const bulkId = await startBulkOperation(c.client);
  c.checkpoint({ bulkId, phase: "bulk-wait", bulkStartedAt: now, attempts: 0 });
  return { yield: true, nextAt: now + BULK_POLL_MS };
}

export async function bulkWaitStep(c: SliceContext, now: number): Promise<StepResult> {
  const record = c.checkpoint({});
  if (!record.bulkId) throw new SyncError("bulk operation lost its id", true);
  const op = await bulkOperationStatus(c.client, record.bulkId);
  if (!op) throw new SyncError(`bulk operation ${record.bulkId} is unknown to Shopify`, true);
  if (op.status === "COMPLETED") {
    // No url: the query matched nothing (Shopify writes no file).
    c.checkpoint({ bulkUrl: op.url ?? null, offset: 0, phase: op.url ? "bulk-read" : "finish", attempts: 0 });
    return { yield: false, nextAt: null };
  }
  if (op.status === "CREATED" || op.status === "RUNNING") {
    if (record.bulkStartedAt !== null && now - record.bulkStartedAt > BULK_MAX_WAIT_MS) throw new SyncError("bulk operation did not finish within a day", true);
    c.checkpoint({ attempts: 0 });
    return { yield: true, nextAt: now + BULK_POLL_MS };
  }
  throw new SyncError(`bulk operation ${op.status.toLowerCase()}${op.errorCode ? ` (${op.errorCode})` : ""}`, true);
}

/** The body as chunks; stopping early cancels the download. */
async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

export async function bulkReadStep(c: SliceContext): Promise<StepResult> {
  let record = c.checkpoint({});
  if (!record.bulkUrl) throw new SyncError("bulk operation result has no url", true);
  const from = record.offset;
  // Bounds a stalled download (a slice reads for about SLICE_MAX_MS); an abort is retried from the checkpoint.
  const response = await fetch(record.bulkUrl, { headers: from > 0 ? { Range: `bytes=${from}-` } : {}, signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (response.status === 416 && from > 0) {
    // Nothing after the checkpoint: the last slice ended exactly at the end of the file.
    await response.body?.cancel();
    c.checkpoint({ phase: "finish" });
    return { yield: false, nextAt: null };
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    // An expired result URL (403/404) will not come back: the sync has to start over.
    throw new SyncError(`bulk result download answered HTTP ${response.status}`, response.status === 403 || response.status === 404);
  }
  // A server that ignores Range sends the whole file: read it from the start, skipping what is written.
  const ranged = response.status === 206;
  const startOffset = ranged ? from : 0;
  const length = Number(response.headers.get("Content-Length"));
  const expectedEnd = Number.isFinite(length) && response.headers.has("Content-Length") ? startOffset + length : undefined;
  const currency = record.currency ?? "USD";
  let batch: CatalogProduct[] = [];
  let skipped = 0;
  let nextOffset = from;
  let written = 0;
  const flush = async () => {
    if (batch.length) await upsertProducts(c.db, c.store, batch, { syncRun: record.runId ?? 0 });
    written += batch.length;
    record = c.checkpoint({ offset: nextOffset, productsSynced: record.productsSynced + batch.length, skipped: record.skipped + skipped, attempts: 0 });
    batch = [];
    skipped = 0;
  };
  let finished = true;
  for await (const r of readBulkRecords(chunksOf(response.body), { startOffset, ...(expectedEnd !== undefined ? { expectedEnd } : {}) })) {
    if (r.offset < from) continue;
    const outcome = productFromBulkLines(r.parent, r.children, currency);
    if (outcome.ok) batch.push(outcome.product);
    else {
      skipped++;
      console.warn(`catalog sync ${c.store}: skipped a product: ${outcome.reason}`);
    }
    nextOffset = r.nextOffset;
    if (batch.length + skipped >= WRITE_BATCH) {
      await flush();
      // Budget spent, unless this was the file's last record (then the slice just finishes).
      if ((written >= c.maxProducts || Date.now() >= c.deadline) && r.nextOffset !== expectedEnd) {
        finished = false;
        break;
      }
    }
  }
  await flush();
  c.checkpoint({ pages: record.pages + 1, ...(finished ? { phase: "finish" as const } : {}) });
  return { yield: !finished, nextAt: null };
}
