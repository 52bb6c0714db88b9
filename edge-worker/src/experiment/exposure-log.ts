import { DurableObject } from "cloudflare:workers";
import {
  DAY_PATTERN,
  FUNNEL_EVENTS,
  SHOPPER_HASH_PATTERN,
  isArm,
  type Arm,
  type ExposureCount,
  type FunnelCount,
  type FunnelEvent,
} from "../../../core/experiment.ts";
import type { BuyerExposure } from "../../../core/edge-api.ts";
import { isPersona, type Persona } from "../../../core/types.ts";

/**
 * The holdout experiment's exposure log of one store (named by the store id), in the object's own
 * SQLite storage (docs/decisions/0003-experiment-statistics.md):
 *
 * - `exposures`: one row per (UTC day, shopper hash), with the arm and persona first served that day.
 *   `record` is INSERT OR IGNORE on that key, so a retried or duplicated call changes nothing, and
 *   each row is one distinct shopper of that day.
 * - `daily`: distinct shoppers per day × arm × persona, bumped only when `record` inserted a row, so
 *   per-day figures are read without scanning shoppers.
 * - `funnel`: one row per (day, shopper, event) for shoppers already in `exposures`; the web pixel's
 *   events of anyone else are dropped (they were never in the experiment, or the event is forged).
 *
 * Distinct shoppers over a range are counted from the shopper rows: each shopper once, in the arm and
 * persona of their first day in the range, so personas add up to the arm and a chart of cumulative
 * visitors is the running sum of the per-day figures. Arms are not recomputed here: the row keeps
 * what the edge served.
 */

type ExposureRow = { day: string; arm: string; persona: string; visitors: number };
type FunnelRow = { day: string; arm: string; persona: string; event: string; shoppers: number };

/** One shopper's exposure of a day, as `record` takes it. */
export interface ExposureRecord {
  day: string;
  shopper: string;
  arm: Arm;
  persona: Persona;
}

/** Rows one recordMany call may carry. */
export const MAX_RECORD_BATCH = 5000;

export interface FunnelBatch {
  day: string;
  shopper: string;
  events: FunnelEvent[];
}

export class ExposureLog extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.createTables();
  }

  private createTables(): void {
    this.ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS exposures (
        day TEXT NOT NULL, shopper TEXT NOT NULL, arm TEXT NOT NULL, persona TEXT NOT NULL,
        PRIMARY KEY (day, shopper)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS exposures_by_shopper ON exposures (shopper, day);
      CREATE TABLE IF NOT EXISTS daily (
        day TEXT NOT NULL, arm TEXT NOT NULL, persona TEXT NOT NULL, visitors INTEGER NOT NULL,
        PRIMARY KEY (day, arm, persona)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS funnel (
        day TEXT NOT NULL, shopper TEXT NOT NULL, event TEXT NOT NULL,
        PRIMARY KEY (day, shopper, event)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS funnel_by_shopper ON funnel (shopper, day);
    `);
  }

  /** Rows changed by the last statement (SQLite's changes(): an ignored INSERT OR IGNORE is 0). */
  private run(query: string, ...bindings: (string | number)[]): number {
    this.ctx.storage.sql.exec(query, ...bindings);
    return this.ctx.storage.sql.exec<{ n: number }>("SELECT changes() AS n").one().n;
  }

  /** Records one shopper's exposure of a day; true when it was the shopper's first of that day. */
  async record(day: string, shopper: string, arm: Arm, persona: Persona): Promise<boolean> {
    if (!DAY_PATTERN.test(day) || !SHOPPER_HASH_PATTERN.test(shopper) || !isArm(arm) || !isPersona(persona)) {
      throw new RangeError("record needs a YYYY-MM-DD day, a shopper hash, an arm and a persona");
    }
    return (await this.recordMany([{ day, shopper, arm, persona }])) === 1;
  }

  /**
   * `record` for many shoppers in one call and one transaction (an isolate's batch: the edge sends
   * what it gathered over a short interval, not one call per shopper). Returns how many were new.
   */
  async recordMany(rows: readonly ExposureRecord[]): Promise<number> {
    if (!Array.isArray(rows) || rows.length > MAX_RECORD_BATCH) throw new RangeError(`recordMany takes at most ${MAX_RECORD_BATCH} rows`);
    for (const r of rows) {
      if (!r || !DAY_PATTERN.test(r.day) || !SHOPPER_HASH_PATTERN.test(r.shopper) || !isArm(r.arm) || !isPersona(r.persona)) {
        throw new RangeError("recordMany needs rows of a YYYY-MM-DD day, a shopper hash, an arm and a persona");
      }
    }
    // The first row of a (day, shopper) counts, as one INSERT OR IGNORE after another would have it;
    // the rest are grouped by day, arm and persona (a batch is mostly one day: at most 8 groups).
    const firsts = new Set<string>();
    const groups = new Map<string, { day: string; arm: Arm; persona: Persona; shoppers: string[] }>();
    for (const r of rows) {
      const key = `${r.day} ${r.shopper}`;
      if (firsts.has(key)) continue;
      firsts.add(key);
      const name = `${r.day} ${r.arm} ${r.persona}`;
      let group = groups.get(name);
      if (!group) groups.set(name, (group = { day: r.day, arm: r.arm, persona: r.persona, shoppers: [] }));
      group.shoppers.push(r.shopper);
    }
    if (groups.size === 0) return 0;
    // Two statements per group, whatever its size: the group's shoppers go in as one JSON array that
    // SQLite reads with json_each as plain text values, and the rows the INSERT OR IGNORE returns are
    // the new ones, which the group's daily count adds (a statement per row, or a JSON object per
    // row read back with json_extract, cost the edge's process more than the rest of the batch's work).
    return this.ctx.storage.transactionSync(() => {
      let inserted = 0;
      for (const g of groups.values()) {
        const added = this.ctx.storage.sql
          .exec(`INSERT OR IGNORE INTO exposures (day, shopper, arm, persona) SELECT ?1, value, ?2, ?3 FROM json_each(?4) RETURNING 1`, g.day, g.arm, g.persona, JSON.stringify(g.shoppers))
          .toArray().length;
        if (added === 0) continue;
        this.ctx.storage.sql.exec(
          `INSERT INTO daily (day, arm, persona, visitors) VALUES (?1, ?2, ?3, ?4)
           ON CONFLICT (day, arm, persona) DO UPDATE SET visitors = visitors + excluded.visitors`,
          g.day,
          g.arm,
          g.persona,
          added,
        );
        inserted += added;
      }
      return inserted;
    });
  }

  /**
   * Adds a shopper's funnel events of a day (idempotent per day, shopper and event). Returns how many
   * were new; 0 as well when the shopper was never exposed, in which case nothing is stored.
   */
  async recordFunnel(batch: FunnelBatch): Promise<number> {
    if (!DAY_PATTERN.test(batch.day) || !SHOPPER_HASH_PATTERN.test(batch.shopper)) throw new RangeError("recordFunnel needs a day and a shopper hash");
    const exposed = this.ctx.storage.sql.exec("SELECT 1 FROM exposures WHERE shopper = ? LIMIT 1", batch.shopper).toArray().length > 0;
    if (!exposed) return 0;
    let added = 0;
    for (const event of new Set(batch.events)) {
      if (!(FUNNEL_EVENTS as readonly string[]).includes(event)) continue;
      added += this.run("INSERT OR IGNORE INTO funnel (day, shopper, event) VALUES (?, ?, ?)", batch.day, batch.shopper, event);
    }
    return added;
  }

  /** Distinct shoppers served from `from` to `to` (inclusive), each on the first day they appear. */
  async exposures(from: string, to: string): Promise<ExposureCount[]> {
    checkRange(from, to);
    return this.ctx.storage.sql
      .exec<ExposureRow>(
        `WITH firsts AS (SELECT shopper, MIN(day) AS day FROM exposures WHERE day BETWEEN ?1 AND ?2 GROUP BY shopper)
         SELECT e.day AS day, e.arm AS arm, e.persona AS persona, COUNT(*) AS visitors
         FROM firsts f JOIN exposures e ON e.day = f.day AND e.shopper = f.shopper
         GROUP BY e.day, e.arm, e.persona ORDER BY e.day, e.arm, e.persona`,
        from,
        to,
      )
      .toArray()
      .flatMap((r) => (isArm(r.arm) && isPersona(r.persona) ? [{ day: r.day, arm: r.arm, persona: r.persona, visitors: r.visitors }] : []));
  }

  /**
   * Distinct shoppers per funnel event in the range, in the arm and persona of their first exposure
   * in the range, on the first day they sent that event.
   */
  async funnel(from: string, to: string): Promise<FunnelCount[]> {
    checkRange(from, to);
    return this.ctx.storage.sql
      .exec<FunnelRow>(
        `WITH firsts AS (SELECT shopper, MIN(day) AS day FROM exposures WHERE day BETWEEN ?1 AND ?2 GROUP BY shopper),
              who AS (SELECT e.shopper, e.arm, e.persona FROM firsts f JOIN exposures e ON e.day = f.day AND e.shopper = f.shopper),
              ev AS (SELECT shopper, event, MIN(day) AS day FROM funnel WHERE day BETWEEN ?1 AND ?2 GROUP BY shopper, event)
         SELECT ev.day AS day, who.arm AS arm, who.persona AS persona, ev.event AS event, COUNT(*) AS shoppers
         FROM ev JOIN who ON who.shopper = ev.shopper
         GROUP BY ev.day, who.arm, who.persona, ev.event ORDER BY ev.day, who.arm, who.persona, ev.event`,
        from,
        to,
      )
      .toArray()
      .flatMap((r) =>
        isArm(r.arm) && isPersona(r.persona) && (FUNNEL_EVENTS as readonly string[]).includes(r.event)
          ? [{ day: r.day, arm: r.arm, persona: r.persona, event: r.event as FunnelEvent, shoppers: r.shoppers }]
          : [],
      );
  }

  /**
   * The first exposure in the range of each of these shoppers (order buyers), in the arm and persona
   * the range's counts put them under; shoppers not exposed in the range are absent. One bound
   * parameter carries the list (json_each), since a statement's parameters are few; the lookup walks
   * the (shopper, day) index, so its cost follows the buyers asked about, not the shoppers stored.
   */
  async firstExposures(from: string, to: string, shoppers: readonly string[]): Promise<BuyerExposure[]> {
    checkRange(from, to);
    if (!Array.isArray(shoppers) || !shoppers.every((s) => typeof s === "string" && SHOPPER_HASH_PATTERN.test(s))) {
      throw new RangeError("firstExposures needs shopper hashes");
    }
    if (shoppers.length === 0) return [];
    return this.ctx.storage.sql
      .exec<ExposureRow & { shopper: string }>(
        `WITH wanted AS (SELECT DISTINCT value AS shopper FROM json_each(?3)),
              firsts AS (SELECT e.shopper AS shopper, MIN(e.day) AS day FROM wanted w JOIN exposures e ON e.shopper = w.shopper
                         WHERE e.day BETWEEN ?1 AND ?2 GROUP BY e.shopper)
         SELECT f.shopper AS shopper, f.day AS day, e.arm AS arm, e.persona AS persona, 1 AS visitors
         FROM firsts f JOIN exposures e ON e.day = f.day AND e.shopper = f.shopper ORDER BY f.shopper`,
        from,
        to,
        JSON.stringify(shoppers),
      )
      .toArray()
      .flatMap((r) => (isArm(r.arm) && isPersona(r.persona) ? [{ shopper: r.shopper, day: r.day, arm: r.arm, persona: r.persona }] : []));
  }

  /** Distinct shoppers of each day (not de-duplicated across days), from the rollup. */
  async daily(from: string, to: string): Promise<ExposureCount[]> {
    checkRange(from, to);
    return this.ctx.storage.sql
      .exec<ExposureRow>("SELECT day, arm, persona, visitors FROM daily WHERE day BETWEEN ? AND ? ORDER BY day, arm, persona", from, to)
      .toArray()
      .flatMap((r) => (isArm(r.arm) && isPersona(r.persona) ? [{ day: r.day, arm: r.arm, persona: r.persona, visitors: r.visitors }] : []));
  }

  /** customers/redact: the shopper's rows go; the per-day totals, which name nobody, stay. */
  async forgetShopper(shopper: string): Promise<number> {
    if (!SHOPPER_HASH_PATTERN.test(shopper)) throw new RangeError("forgetShopper needs a shopper hash");
    return this.ctx.storage.transactionSync(
      () => this.run("DELETE FROM exposures WHERE shopper = ?", shopper) + this.run("DELETE FROM funnel WHERE shopper = ?", shopper),
    );
  }

  /** Shopper rows older than `beforeDay` go (retention); per-day totals stay. Returns rows deleted. */
  async prune(beforeDay: string): Promise<number> {
    if (!DAY_PATTERN.test(beforeDay)) throw new RangeError("prune needs a YYYY-MM-DD day");
    return this.run("DELETE FROM exposures WHERE day < ?", beforeDay) + this.run("DELETE FROM funnel WHERE day < ?", beforeDay);
  }

  /** shop/redact and uninstall: everything of the store. */
  async clear(): Promise<void> {
    await this.ctx.storage.deleteAll();
    // The object lives on after deleteAll; its next call must find the (empty) tables again.
    this.createTables();
  }
}

function checkRange(from: string, to: string): void {
  if (!DAY_PATTERN.test(from) || !DAY_PATTERN.test(to) || from > to) throw new RangeError("a range needs two YYYY-MM-DD days, from ≤ to");
}
