import type { CatalogSyncState } from "../core/edge-api.ts";

/**
 * What the dashboard's catalog card says, from the edge's catalog sync state (EdgeApi.catalogSyncState)
 * and D1's per-store Catalog summary row. Pure, so every state is tested as the merchant reads it.
 *
 * The rule the card keeps: only a finished full sync is shown as success. A running sync is
 * progress, a failed one is a failure with its reason (the storefront keeps the last good catalog),
 * and a catalog that arrived without a sync (the demo seed, a catalog migrated from before product
 * rows) is shown as imported, not as synced.
 */
export interface CatalogSummary {
  productCount: number;
  /** ISO time of the summary row's last write. */
  syncedAt: string;
  /** "ok" | "syncing" | "error: <reason>" */
  syncState: string;
}

export interface SyncProgress {
  synced: number;
  total: number | null;
  /** 0..100 when the total is known. */
  percent: number | null;
}

export type CatalogStatusKind = "empty" | "imported" | "running" | "ok" | "error" | "unknown";

export interface CatalogStatus {
  kind: CatalogStatusKind;
  badge: { label: string; tone: "success" | "attention" | "critical" | "info" };
  /** The one sentence that matters, as a heading. */
  title: string;
  /** Further lines, in reading order. */
  details: string[];
  /** While a full sync runs: products written so far, the shop's total when known (a progress bar). */
  progress: SyncProgress | null;
  /** Products the storefront serves now; null when nobody could say (the edge did not answer). */
  liveProducts: number | null;
  lastGoodAt: string | null;
  /** Product webhooks received and not applied yet. */
  pendingEvents: number;
  /** A sync can be started now (none is running). */
  canSync: boolean;
}

export type AdminMode = "shopify" | "local";

const products = (n: number) => `${n.toLocaleString("en-US")} ${n === 1 ? "product" : "products"}`;

/** UTC to the minute, as the rest of the admin writes times. */
const time = (iso: string) => `${new Date(iso).toISOString().replace("T", " ").slice(0, 16)} UTC`;

const HOW = { bulk: "bulk operation", pages: "page by page" } as const;

function runLabel(s: CatalogSyncState): string {
  const parts = [s.trigger, s.mode ? HOW[s.mode] : null].filter((p) => p !== null);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

function pendingLine(pending: number): string[] {
  if (pending <= 0) return [];
  return [`${pending.toLocaleString("en-US")} product ${pending === 1 ? "update" : "updates"} received, waiting to be applied.`];
}

function progressOf(s: CatalogSyncState): SyncProgress {
  const total = s.productsTotal !== null && s.productsTotal > 0 ? s.productsTotal : null;
  const percent = total === null ? null : Math.min(100, Math.floor((s.productsSynced / total) * 100));
  return { synced: s.productsSynced, total: s.productsTotal, percent };
}

function progressText(p: SyncProgress): string {
  return p.total === null ? `${products(p.synced)} so far` : `${p.synced.toLocaleString("en-US")} of ${products(p.total)}`;
}

export function catalogStatus(o: {
  mode: AdminMode;
  sync: { ok: true; value: CatalogSyncState } | { ok: false; error: string };
  summary: CatalogSummary | null;
}): CatalogStatus {
  const { summary } = o;
  if (!o.sync.ok) {
    return {
      kind: "unknown",
      badge: { label: "State unknown", tone: "critical" },
      title: "The catalog sync state is unavailable: the edge did not answer.",
      details: [
        o.sync.error,
        ...(summary ? [`D1 holds ${products(summary.productCount)} for this shop (summary written ${time(summary.syncedAt)}).`] : []),
      ],
      progress: null,
      liveProducts: null,
      lastGoodAt: null,
      pendingEvents: 0,
      canSync: true,
    };
  }
  const s = o.sync.value;
  const live = s.liveProducts;
  const pendingEvents = s.pendingEvents;
  const keeps = live > 0 ? [`The storefront keeps serving the last good catalog of ${products(live)}.`] : [];
  const base = { liveProducts: live, lastGoodAt: s.lastGoodAt, pendingEvents };

  if (s.state === "running") {
    const progress = progressOf(s);
    return {
      ...base,
      kind: "running",
      badge: { label: "Syncing", tone: "attention" },
      title: `Syncing the catalog: ${progressText(progress)}.`,
      details: [
        ...(s.startedAt ? [`Started ${time(s.startedAt)}${runLabel(s)}.`] : []),
        ...(live > 0 ? [`Until it finishes, the storefront keeps serving the last good catalog of ${products(live)}.`] : ["The storefront shows products once this first sync has written them."]),
        ...pendingLine(pendingEvents),
      ],
      progress,
      canSync: false,
    };
  }

  if (s.state === "error") {
    const progress = progressOf(s);
    const stopped = s.productsSynced > 0 ? [`It stopped after ${progressText(progress)}.`] : [];
    return {
      ...base,
      kind: "error",
      badge: { label: "Sync failed", tone: "critical" },
      title: `The last catalog sync failed: ${(s.error ?? "no reason was recorded").replace(/\.+$/, "")}.`,
      details: [
        ...(s.finishedAt ? [`Failed ${time(s.finishedAt)}${runLabel(s)}.`] : []),
        ...stopped,
        ...(live > 0
          ? [`The storefront keeps serving the last good catalog of ${products(live)}${s.lastGoodAt ? `, synced ${time(s.lastGoodAt)}` : ""}.`]
          : ["No products are live yet: shoppers see no products until a sync succeeds."]),
        ...pendingLine(pendingEvents),
      ],
      progress: null,
      canSync: true,
    };
  }

  if (s.state === "ok") {
    const when = s.lastGoodAt ?? s.finishedAt;
    return {
      ...base,
      kind: "ok",
      badge: { label: "Synced", tone: "success" },
      title: `${products(live)} live on the storefront.`,
      details: [
        ...(when ? [`Last full sync finished ${time(when)}${runLabel(s)}.`] : []),
        ...(live === 0 ? ["The shop has no active products: add products in Shopify and they arrive by webhook."] : []),
        ...pendingLine(pendingEvents),
      ],
      progress: null,
      canSync: true,
    };
  }

  // idle: no full sync has run for this shop. Products may still be there without one.
  const imported = live > 0 ? live : (summary?.productCount ?? 0);
  if (imported > 0) {
    return {
      ...base,
      liveProducts: imported,
      lastGoodAt: s.lastGoodAt ?? summary?.syncedAt ?? null,
      kind: "imported",
      badge: { label: "Imported", tone: "info" },
      title: `${products(imported)} live on the storefront.`,
      details: [
        o.mode === "local"
          ? `Seeded from the demo catalog${summary ? ` ${time(summary.syncedAt)}` : ""}; no Shopify sync runs for a demo shop.`
          : "Imported without a full sync (a catalog from before product rows). Sync now to check it against Shopify.",
        ...pendingLine(pendingEvents),
      ],
      progress: null,
      canSync: true,
    };
  }
  return {
    ...base,
    kind: "empty",
    badge: { label: "No catalog yet", tone: "attention" },
    title: "No catalog yet.",
    details: [
      o.mode === "local"
        ? "This demo shop has no products in D1: `npm start` seeds the demo catalogs (or run `npx tsx scripts/seed.ts`)."
        : "WandStore has not read your products yet: choose “Sync catalog now”. Until then shoppers see no products on WandStore's pages.",
      ...pendingLine(pendingEvents),
    ],
    progress: null,
    canSync: true,
  };
}
