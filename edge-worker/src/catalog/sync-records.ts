import type { CatalogSyncTrigger } from "../../../core/edge-api.ts";
import { countProducts } from "./product-rows.ts";
import type { SyncRecord } from "./sync-state.ts";

/**
 * The D1 side of a catalog sync, which the admin reads: one `CatalogSyncRun` row per full sync
 * (mode, progress, throttling, outcome) and the store's `Catalog` summary (live product count,
 * last successful sync, "ok" | "syncing" | "error: <reason>"). Times are ISO strings, as Prisma
 * reads them.
 */

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
/** Reasons are shown in the admin; a very long one is cut. */
const MAX_REASON = 500;

export async function startRun(db: D1Database, store: string, trigger: CatalogSyncTrigger, startedAt: number): Promise<number> {
  const row = await db
    .prepare("INSERT INTO CatalogSyncRun (store, trigger, state, startedAt) VALUES (?, ?, 'running', ?) RETURNING id")
    .bind(store, trigger, iso(startedAt))
    .first<{ id: number }>();
  if (!row) throw new Error("CatalogSyncRun insert returned no id");
  return Number(row.id);
}

export async function runProgress(db: D1Database, r: SyncRecord): Promise<void> {
  if (r.runId === null) return;
  await db
    .prepare("UPDATE CatalogSyncRun SET mode = ?, productsTotal = ?, productsSynced = ?, pages = ?, throttledMs = ? WHERE id = ?")
    .bind(r.mode, r.productsTotal, r.productsSynced, r.pages, Math.round(r.throttledMs), r.runId)
    .run();
}

/** The run's outcome (state "ok" or "error" of the record); productCount: live products after it. */
export async function runFinished(db: D1Database, r: SyncRecord, productCount: number | null): Promise<void> {
  if (r.runId === null) return;
  await db
    .prepare(
      `UPDATE CatalogSyncRun SET state = ?, error = ?, finishedAt = ?, productCount = ?, mode = ?, productsTotal = ?, productsSynced = ?,
         pages = ?, throttledMs = ? WHERE id = ?`,
    )
    .bind(r.state, r.error?.slice(0, MAX_REASON) ?? null, iso(r.finishedAt), productCount, r.mode, r.productsTotal, r.productsSynced, r.pages, Math.round(r.throttledMs), r.runId)
    .run();
}

/**
 * Updates the store's Catalog summary; a store without one gets it (with its live count), so a new
 * shop's first sync — and its failure — are visible too.
 */
export async function markCatalog(db: D1Database, store: string, o: { productCount?: number; syncState?: string; syncedAt?: number }): Promise<void> {
  const productCount = o.productCount ?? (await countProducts(db, store));
  const sets = ["productCount = excluded.productCount"];
  if (o.syncState !== undefined) sets.push("syncState = excluded.syncState");
  if (o.syncedAt !== undefined) sets.push("syncedAt = excluded.syncedAt");
  await db
    .prepare(
      `INSERT INTO Catalog (store, productCount, syncState, syncedAt) VALUES (?, ?, ?, ?)
       ON CONFLICT (store) DO UPDATE SET ${sets.join(", ")}`,
    )
    .bind(store, productCount, (o.syncState ?? "ok").slice(0, MAX_REASON), iso(o.syncedAt ?? Date.now()))
    .run();
}
