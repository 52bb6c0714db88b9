import { DurableObject } from "cloudflare:workers";
import { PERSONAS, type Persona } from "../../core/types.ts";

/**
 * Request counters of one store (named by the store id), per persona. Isolates batch their counts
 * in memory and add them here at most every STATS_FLUSH_SECONDS (stats.ts), so a hit never waits
 * on this object.
 */
export interface RequestCounts {
  persona: Persona;
  hits: number;
  misses: number;
  stale: number;
  holdout: number;
}

type CountRow = { persona: string; hits: number; misses: number; stale: number; holdout: number };

export class StoreStats extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS request_counts (
      persona TEXT PRIMARY KEY,
      hits INTEGER NOT NULL DEFAULT 0,
      misses INTEGER NOT NULL DEFAULT 0,
      stale INTEGER NOT NULL DEFAULT 0,
      holdout INTEGER NOT NULL DEFAULT 0
    )`);
    // One row: requests served through the verified app proxy (the setup guide's "first shopper").
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS proxy_counts (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      requests INTEGER NOT NULL DEFAULT 0,
      first_at INTEGER NOT NULL
    )`);
  }

  /** Adds a batch of per-persona counts and `proxyRequests` requests that came through the app proxy. */
  async add(batch: RequestCounts[], proxyRequests = 0): Promise<void> {
    if (count(proxyRequests) > 0) {
      this.ctx.storage.sql.exec(
        `INSERT INTO proxy_counts (id, requests, first_at) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET requests = requests + excluded.requests`,
        count(proxyRequests),
        Date.now(),
      );
    }
    for (const c of batch) {
      if (!PERSONAS.includes(c.persona)) continue;
      this.ctx.storage.sql.exec(
        `INSERT INTO request_counts (persona, hits, misses, stale, holdout) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (persona) DO UPDATE SET hits = hits + excluded.hits, misses = misses + excluded.misses,
           stale = stale + excluded.stale, holdout = holdout + excluded.holdout`,
        c.persona,
        count(c.hits),
        count(c.misses),
        count(c.stale),
        count(c.holdout),
      );
    }
  }

  async read(): Promise<RequestCounts[]> {
    return this.ctx.storage.sql
      .exec<CountRow>("SELECT * FROM request_counts")
      .toArray()
      .flatMap((r) => (PERSONAS.includes(r.persona as Persona) ? [{ ...r, persona: r.persona as Persona }] : []));
  }

  /** Requests served through the app proxy, and when the first was counted. */
  async readProxy(): Promise<{ requests: number; firstAt: number | null }> {
    const row = this.ctx.storage.sql.exec<{ requests: number; first_at: number }>("SELECT requests, first_at FROM proxy_counts WHERE id = 1").toArray()[0];
    return row ? { requests: row.requests, firstAt: row.first_at } : { requests: 0, firstAt: null };
  }

  /** Forgets the store's counters (uninstall, shop/redact). */
  async clear(): Promise<void> {
    this.ctx.storage.sql.exec("DELETE FROM request_counts");
    this.ctx.storage.sql.exec("DELETE FROM proxy_counts");
  }
}

function count(n: number): number {
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}
