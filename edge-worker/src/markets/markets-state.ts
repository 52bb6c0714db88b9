import type { MarketsWork } from "./markets-refresh.ts";

/**
 * The markets step's durable state in the store's CatalogSync object (its own SQLite storage, one
 * row): which kinds of work are owed, when they are due, the failures in a row and when each kind
 * last succeeded. Pure SQL over `SqlStorage`, no I/O, like catalog/sync-state.ts.
 */
export interface MarketsRecord {
  due: MarketsWork[];
  /** When the owed work is due (null: nothing owed). */
  nextAt: number | null;
  failures: number;
  lastError: string | null;
  /** Epoch ms each kind of work last succeeded. */
  doneAt: Partial<Record<MarketsWork, number>>;
  /** Shopify requests the markets step made, by kind (tests and the ops view). */
  requests: Partial<Record<MarketsWork, number>>;
}

const INITIAL: MarketsRecord = { due: [], nextAt: null, failures: 0, lastError: null, doneAt: {}, requests: {} };

export class MarketsStateStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS markets_work (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL)");
  }

  read(): MarketsRecord {
    const row = this.sql.exec<{ record: string }>("SELECT record FROM markets_work WHERE id = 1").toArray()[0];
    return row ? { ...INITIAL, ...(JSON.parse(row.record) as Partial<MarketsRecord>) } : { ...INITIAL, doneAt: {}, requests: {} };
  }

  update(changes: Partial<MarketsRecord>): MarketsRecord {
    const next = { ...this.read(), ...changes };
    this.sql.exec("INSERT INTO markets_work (id, record) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record", JSON.stringify(next));
    return next;
  }

  /** Adds owed work, due at `at` at the latest (an earlier due time stays; a backoff in force stays). */
  owe(work: readonly MarketsWork[], at: number): MarketsRecord {
    const r = this.read();
    const due = [...new Set([...r.due, ...work])];
    const nextAt = r.failures > 0 && r.nextAt !== null ? r.nextAt : Math.min(r.nextAt ?? at, at);
    return this.update({ due, nextAt });
  }

  /** One kind done: no longer owed. */
  done(work: MarketsWork, at: number): MarketsRecord {
    const r = this.read();
    return this.update({ due: r.due.filter((w) => w !== work), doneAt: { ...r.doneAt, [work]: at } });
  }

  countRequests(work: MarketsWork, n: number): void {
    const r = this.read();
    this.update({ requests: { ...r.requests, [work]: (r.requests[work] ?? 0) + n } });
  }
}
