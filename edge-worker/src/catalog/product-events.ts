import { z } from "zod";
import type { ProductEvent } from "../../../core/edge-api.ts";
import { merchHash } from "../../../core/selection.ts";
import { deletedProductId, productFromRest, productGid } from "../../../core/shopify-product.ts";
import type { CatalogProduct } from "../../../core/types.ts";
import { countProducts, markDeleted, rowToProduct, upsertProducts } from "./product-rows.ts";
import { refreshSelections } from "./selection-store.ts";
import { retryDelay } from "./slice.ts";
import { markCatalog } from "./sync-records.ts";
import type { StoredEvent, SyncStateStore } from "./sync-state.ts";

/**
 * products/* webhooks, applied from their own payloads (docs/decisions/0002-durable-catalog-sync.md).
 * A burst of pending events is applied in the order of the products' changes (updated_at; a delete
 * by its triggered-at), and only a newer change wins, so an older delivery arriving late changes
 * nothing and an update older than a delete cannot resurrect the product (product-rows.ts keeps
 * the same rule in SQL). The plan says whether the burst needs a full reselection: a new product or
 * a changed merchandising hash does; prices and stock only refresh the selected products' facts.
 */

/** A burst is applied this long after its last event … */
export const EVENT_QUIET_MS = 200;
/** … and at most this long after its first (a steady stream is still applied). */
export const EVENT_MAX_DELAY_MS = 2_000;
/** Events applied per alarm (a longer backlog continues in the next alarm). */
const EVENTS_PER_ALARM = 2_000;

/** When a pending burst (its first and last receipt times) is due. */
export const eventsDueAt = (w: { first: number; last: number }): number => Math.min(w.last + EVENT_QUIET_MS, w.first + EVENT_MAX_DELAY_MS);

/** HTML bodies over this are clipped before storing the event (rows keep far less text anyway). */
const MAX_BODY_HTML_CHARS = 20_000;

const eventSchema = z.object({
  eventId: z.string().min(1).max(200),
  topic: z.enum(["products/create", "products/update", "products/delete"]),
  triggeredAt: z.string().refine((s) => Number.isFinite(Date.parse(s)), "not an ISO time"),
  payload: z.unknown(),
});

/** A ProductEvent as stored: its product id, the time it is ordered by and its (bounded) payload. */
export function parseProductEvent(input: ProductEvent, receivedAt: number): StoredEvent {
  const parsed = eventSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid product event: ${issue ? `${issue.path.join(".") || "event"}: ${issue.message}` : "invalid"}`);
  }
  const e = parsed.data;
  const triggeredAt = Date.parse(e.triggeredAt);
  const payload = isRecord(e.payload) ? { ...e.payload } : {};
  if (typeof payload.body_html === "string" && payload.body_html.length > MAX_BODY_HTML_CHARS) payload.body_html = payload.body_html.slice(0, MAX_BODY_HTML_CHARS);
  const updatedAt = typeof payload.updated_at === "string" ? Date.parse(payload.updated_at) : Number.NaN;
  const id = typeof payload.id === "number" || (typeof payload.id === "string" && /^\d+$/.test(payload.id)) ? productGid(payload.id) : "";
  return {
    eventId: e.eventId,
    topic: e.topic,
    productId: id,
    orderAt: e.topic === "products/delete" || !Number.isFinite(updatedAt) ? triggeredAt : updatedAt,
    payload: JSON.stringify(payload),
    receivedAt,
  };
}

interface Known {
  updatedAt: number;
  deleted: boolean;
  merch: string | null;
  currency: string;
}

export interface EventPlan {
  upserts: CatalogProduct[];
  deletes: { productId: string; at: number }[];
  outcomes: { eventId: string; outcome: string }[];
  /** null: nothing changed; "always": a product was created or its merchandising changed. */
  reselect: "always" | "if-needed" | null;
}

/** The rows the events touch, read in one query. */
async function readKnown(db: D1Database, store: string, productIds: string[]): Promise<Map<string, Known>> {
  const known = new Map<string, Known>();
  if (!productIds.length) return known;
  const { results } = await db
    .prepare("SELECT * FROM Product WHERE store = ?1 AND productId IN (SELECT value FROM json_each(?2))")
    .bind(store, JSON.stringify(productIds))
    .all<Record<string, unknown>>();
  for (const row of results) {
    const product = rowToProduct(row);
    const deleted = Number(row.deleted) === 1;
    known.set(product.id, { updatedAt: product.updatedAt, deleted, merch: deleted || !product.handle ? null : merchHash(product), currency: product.currency });
  }
  return known;
}

/** Any product's currency (the shop has one); REST payloads carry none. */
async function storeCurrency(db: D1Database, store: string): Promise<string | null> {
  const row = await db.prepare("SELECT currency FROM Product WHERE store = ? AND deleted = 0 AND currency <> '' LIMIT 1").bind(store).first<{ currency: string }>();
  return row?.currency ?? null;
}

/** Decides what the events change, reading the rows they touch; writes nothing. */
export async function planEvents(db: D1Database, store: string, events: readonly StoredEvent[], currency: string | null): Promise<EventPlan> {
  const ordered = [...events].sort((a, b) => a.orderAt - b.orderAt || a.eventId.localeCompare(b.eventId));
  const known = await readKnown(db, store, [...new Set(ordered.map((e) => e.productId).filter(Boolean))]);
  let shopCurrency = currency;
  const upserts = new Map<string, CatalogProduct>();
  const deletes = new Map<string, number>();
  const outcomes: { eventId: string; outcome: string }[] = [];
  let merchChanged = false;
  let changed = false;

  for (const e of ordered) {
    if (!e.productId) {
      outcomes.push({ eventId: e.eventId, outcome: "skipped: the payload has no product id" });
      continue;
    }
    const state = known.get(e.productId);
    if (e.topic === "products/delete") {
      const id = deletedProductId(JSON.parse(e.payload));
      if (!id.ok) {
        outcomes.push({ eventId: e.eventId, outcome: `skipped: ${id.reason}` });
        continue;
      }
      if (state && (state.updatedAt > e.orderAt || state.deleted)) {
        outcomes.push({ eventId: e.eventId, outcome: state.deleted ? "already deleted" : "stale: the product changed after this delete" });
        continue;
      }
      upserts.delete(e.productId);
      deletes.set(e.productId, e.orderAt);
      known.set(e.productId, { updatedAt: e.orderAt, deleted: true, merch: state?.merch ?? null, currency: state?.currency ?? "" });
      outcomes.push({ eventId: e.eventId, outcome: "deleted" });
      changed = true;
      continue;
    }
    shopCurrency ??= state?.currency || (await storeCurrency(db, store)) || "USD";
    const outcome = productFromRest(JSON.parse(e.payload), state?.currency || shopCurrency);
    if (!outcome.ok) {
      console.warn(`catalog ${store}: webhook ${e.eventId} skipped: ${outcome.reason}`);
      outcomes.push({ eventId: e.eventId, outcome: `skipped: ${outcome.reason}` });
      continue;
    }
    const product = outcome.product;
    // The same rule as the rows' upsert: an equal time replaces a live row, only a newer one a tombstone.
    if (state && (product.updatedAt < state.updatedAt || (state.deleted && product.updatedAt <= state.updatedAt))) {
      outcomes.push({ eventId: e.eventId, outcome: state.deleted ? "stale: the product was deleted after this change" : "stale: a newer change is stored" });
      continue;
    }
    const merch = merchHash(product);
    if (e.topic === "products/create" || !state || state.deleted || state.merch !== merch) merchChanged = true;
    deletes.delete(e.productId);
    upserts.set(e.productId, product);
    known.set(e.productId, { updatedAt: product.updatedAt, deleted: false, merch, currency: product.currency });
    outcomes.push({ eventId: e.eventId, outcome: "applied" });
    changed = true;
  }
  return {
    upserts: [...upserts.values()],
    deletes: [...deletes].map(([productId, at]) => ({ productId, at })),
    outcomes,
    reselect: merchChanged ? "always" : changed ? "if-needed" : null,
  };
}

/** Writes a plan's rows (idempotent: applying it twice leaves the same rows). */
export async function writePlan(db: D1Database, store: string, plan: EventPlan): Promise<void> {
  if (plan.upserts.length) await upsertProducts(db, store, plan.upserts);
  for (const d of plan.deletes) await markDeleted(db, store, d.productId, d.at);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The alarm's webhook step: once the pending burst is quiet, plan and write it, then do the ONE
 * selection refresh it owes (kept in the sync record until it succeeds). Failures are retried
 * with backoff; no event is dropped.
 */
export async function applyPendingEvents(env: Env, store: string, sync: SyncStateStore, onSelectionsRefreshed: () => void = () => undefined): Promise<void> {
  const now = Date.now();
  const record = sync.read();
  // After a failure, nothing until the backoff has passed.
  if ((record.eventsRetryAt ?? 0) > now) return;
  const window = sync.pendingWindow();
  if (window && now >= eventsDueAt(window)) {
    try {
      const events = sync.pendingEvents(EVENTS_PER_ALARM);
      const plan = await planEvents(env.DB, store, events, record.currency);
      // Recorded before the rows are written: a crash after the write still refreshes (and
      // still reselects, though the retried plan would see the merchandising as unchanged).
      if (plan.reselect) sync.update({ selectionsDue: strongest(record.selectionsDue, plan.reselect) });
      await writePlan(env.DB, store, plan);
      sync.markApplied(plan.outcomes, Date.now());
      sync.bump("eventsApplied", plan.outcomes.filter((o) => o.outcome === "applied" || o.outcome === "deleted").length);
      sync.bump("eventBursts");
      sync.update({ eventFailures: 0, eventsRetryAt: null });
    } catch (error) {
      const failures = (record.eventFailures ?? 0) + 1;
      console.error(`catalog ${store}: applying webhooks failed (attempt ${failures}); retrying`, error);
      sync.update({ eventFailures: failures, eventsRetryAt: now + retryDelay(failures) });
      return;
    }
  }
  const reselect = sync.read().selectionsDue;
  if (!reselect) return;
  try {
    await refreshSelections(env, store, { reselect });
    await markCatalog(env.DB, store, { productCount: await countProducts(env.DB, store) });
    sync.bump(reselect === "always" ? "refreshesAlways" : "refreshesIfNeeded");
    sync.update({ selectionsDue: null });
    onSelectionsRefreshed();
  } catch (error) {
    const failures = (record.eventFailures ?? 0) + 1;
    console.error(`catalog ${store}: selection refresh failed; retrying`, error);
    sync.update({ eventFailures: failures, eventsRetryAt: now + retryDelay(failures) });
  }
}

function strongest(a: "always" | "if-needed" | null, b: "always" | "if-needed"): "always" | "if-needed" {
  return a === "always" || b === "always" ? "always" : "if-needed";
}
