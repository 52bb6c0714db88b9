import type { CatalogSyncTrigger } from "../../../core/edge-api.ts";

/**
 * The durable state of one store's CatalogSync object, in its own SQLite storage:
 * - `sync_run`: one row, the current (or last) full sync and its checkpoint — the phase, the
 *   products-page cursor or the bulk operation and the byte offset of the next JSONL record, the
 *   progress counters and the retry count. Each slice of work ends by writing it, so a restart or
 *   a thrown slice resumes from the last checkpoint.
 * - `product_event`: verified products/* webhooks, keyed by X-Shopify-Event-Id (a retry of an
 *   event is the same key: answered "duplicate"), pending until the alarm applies them, then kept
 *   (without their payload) for a bounded time and count so late retries are still recognised.
 * Pure SQL over `SqlStorage`, no timers and no I/O. Access tokens are never stored here.
 */

export type RunState = "idle" | "running" | "ok" | "error";
export type Phase = "count" | "pages" | "bulk-start" | "bulk-wait" | "bulk-read" | "finish" | "done";
export type SyncMode = "bulk" | "pages";

export interface SyncRecord {
  /** D1 CatalogSyncRun id of the run, also the `syncRun` tag of the rows it writes. */
  runId: number | null;
  state: RunState;
  trigger: CatalogSyncTrigger | null;
  mode: SyncMode | null;
  shopDomain: string | null;
  phase: Phase;
  /** Pages mode: the cursor after the last page written. */
  cursor: string | null;
  bulkId: string | null;
  bulkUrl: string | null;
  /** Bulk mode: byte offset of the next JSONL record not yet written. */
  offset: number;
  productsSynced: number;
  productsTotal: number | null;
  /** Products Shopify sent that could not be mapped (their reasons are logged). */
  skipped: number;
  /** Pages read (pages mode) or download slices (bulk mode). */
  pages: number;
  startedAt: number | null;
  finishedAt: number | null;
  error: string | null;
  /** Failed slices in a row; reset by a slice that makes progress. */
  attempts: number;
  throttledMs: number;
  /** When the next slice of the full sync is due (null: none). */
  nextAt: number | null;
  /** When the bulk operation was started (bounds the wait for it). */
  bulkStartedAt: number | null;
  /** The shop's currency, from the last full sync (REST webhooks do not carry it). */
  currency: string | null;
  lastGoodAt: number | null;
  /** A selection refresh owed by applied webhooks (kept until it succeeds). */
  selectionsDue: "always" | "if-needed" | null;
  /** Failed webhook bursts in a row, and when to try again. */
  eventFailures: number;
  eventsRetryAt: number | null;
}

const INITIAL: SyncRecord = {
  runId: null,
  state: "idle",
  trigger: null,
  mode: null,
  shopDomain: null,
  phase: "done",
  cursor: null,
  bulkId: null,
  bulkUrl: null,
  offset: 0,
  productsSynced: 0,
  productsTotal: null,
  skipped: 0,
  pages: 0,
  startedAt: null,
  finishedAt: null,
  error: null,
  attempts: 0,
  throttledMs: 0,
  nextAt: null,
  bulkStartedAt: null,
  currency: null,
  lastGoodAt: null,
  selectionsDue: null,
  eventFailures: 0,
  eventsRetryAt: null,
};

export type EventTopic = "products/create" | "products/update" | "products/delete";

export interface StoredEvent {
  eventId: string;
  topic: EventTopic;
  productId: string;
  /** Epoch ms the event is ordered by: the product's updated_at, a delete's triggered-at. */
  orderAt: number;
  payload: string;
  receivedAt: number;
}

/** Applied events kept for de-duplication: Shopify retries a delivery for up to 48 hours. */
export const APPLIED_EVENT_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const APPLIED_EVENT_LIMIT = 20_000;

export class SyncStateStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS sync_run (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS product_event (
      event_id TEXT PRIMARY KEY,
      topic TEXT NOT NULL,
      product_id TEXT NOT NULL,
      order_at INTEGER NOT NULL,
      payload TEXT,
      received_at INTEGER NOT NULL,
      applied_at INTEGER,
      outcome TEXT
    )`);
    sql.exec("CREATE INDEX IF NOT EXISTS product_event_pending ON product_event (applied_at, order_at)");
    sql.exec(`CREATE TABLE IF NOT EXISTS counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`);
  }

  read(): SyncRecord {
    const row = this.sql.exec<{ record: string }>("SELECT record FROM sync_run WHERE id = 1").toArray()[0];
    return row ? { ...INITIAL, ...(JSON.parse(row.record) as Partial<SyncRecord>) } : { ...INITIAL };
  }

  /** Writes the changes (one statement: a checkpoint is all or nothing) and returns the new record. */
  update(changes: Partial<SyncRecord>): SyncRecord {
    const next = { ...this.read(), ...changes };
    this.sql.exec("INSERT INTO sync_run (id, record) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record", JSON.stringify(next));
    return next;
  }

  /** Stores an event unless its id is known; false for a duplicate. */
  addEvent(e: StoredEvent): boolean {
    const cursor = this.sql.exec(
      "INSERT INTO product_event (event_id, topic, product_id, order_at, payload, received_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
      e.eventId,
      e.topic,
      e.productId,
      e.orderAt,
      e.payload,
      e.receivedAt,
    );
    return cursor.rowsWritten > 0;
  }

  /** Pending events, oldest change first (ties by id, so the order is stable). */
  pendingEvents(limit: number): StoredEvent[] {
    return this.sql
      .exec<{ event_id: string; topic: string; product_id: string; order_at: number; payload: string; received_at: number }>(
        "SELECT event_id, topic, product_id, order_at, payload, received_at FROM product_event WHERE applied_at IS NULL ORDER BY order_at, event_id LIMIT ?",
        limit,
      )
      .toArray()
      .map((r) => ({ eventId: r.event_id, topic: r.topic as EventTopic, productId: r.product_id, orderAt: r.order_at, payload: r.payload, receivedAt: r.received_at }));
  }

  pendingCount(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM product_event WHERE applied_at IS NULL").one().n;
  }

  /** First and last receipt times of the pending events (null when none). */
  pendingWindow(): { first: number; last: number } | null {
    const row = this.sql
      .exec<{ first: number | null; last: number | null }>("SELECT MIN(received_at) AS first, MAX(received_at) AS last FROM product_event WHERE applied_at IS NULL")
      .one();
    return row.first === null || row.last === null ? null : { first: row.first, last: row.last };
  }

  /** Marks events applied with their outcome and drops their payloads (the id stays for de-duplication). */
  markApplied(outcomes: readonly { eventId: string; outcome: string }[], at: number): void {
    for (const o of outcomes) {
      this.sql.exec("UPDATE product_event SET applied_at = ?, outcome = ?, payload = NULL WHERE event_id = ?", at, o.outcome, o.eventId);
    }
  }

  outcomeOf(eventId: string): { appliedAt: number | null; outcome: string | null } | null {
    const row = this.sql.exec<{ applied_at: number | null; outcome: string | null }>("SELECT applied_at, outcome FROM product_event WHERE event_id = ?", eventId).toArray()[0];
    return row ? { appliedAt: row.applied_at, outcome: row.outcome } : null;
  }

  /** Forgets applied events past the retention time, and the oldest beyond the count bound. */
  pruneApplied(now: number, limit = APPLIED_EVENT_LIMIT): void {
    this.sql.exec("DELETE FROM product_event WHERE applied_at IS NOT NULL AND applied_at < ?", now - APPLIED_EVENT_TTL_MS);
    this.sql.exec(
      `DELETE FROM product_event WHERE event_id IN (
         SELECT event_id FROM product_event WHERE applied_at IS NOT NULL ORDER BY applied_at DESC, event_id LIMIT -1 OFFSET ?)`,
      limit,
    );
  }

  bump(name: string, by = 1): void {
    this.sql.exec("INSERT INTO counter (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value", name, by);
  }

  counters(): Record<string, number> {
    return Object.fromEntries(this.sql.exec<{ name: string; value: number }>("SELECT name, value FROM counter").toArray().map((r) => [r.name, r.value]));
  }
}
