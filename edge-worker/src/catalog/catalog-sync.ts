import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { AdminGraphqlError, type AdminGraphqlErrorKind } from "../../../core/admin-graphql.ts";
import type { CatalogSyncState, CatalogSyncTrigger, ProductEvent } from "../../../core/edge-api.ts";
import { SyncError, adminClient, offlineToken, shopCatalogCount } from "./admin-api.ts";
import { bulkReadStep, bulkStartStep, bulkWaitStep } from "./bulk-sync.ts";
import { PAGES_MODE_MAX, pagesStep } from "./pages-sync.ts";
import { countProducts, removeUnseen } from "./product-rows.ts";
import { EVENT_QUIET_MS, applyPendingEvents, eventsDueAt, parseProductEvent } from "./product-events.ts";
import { refreshSelections } from "./selection-store.ts";
import { SLICE_MAX_MS, SLICE_MAX_PRODUCTS, retryDelay, type SliceContext, type StepResult } from "./slice.ts";
import { SyncStateStore, type SyncRecord } from "./sync-state.ts";
import { markCatalog, runFinished, runProgress, startRun } from "./sync-records.ts";
import { MARKET_FACTS_TTL_MS } from "../../../core/market-prices.ts";
import { MARKETS_TTL_MS } from "../../../core/markets-query.ts";
import { TRANSLATIONS_TTL_MS } from "../../../core/product-translations.ts";
import type { MarketsWork } from "../markets/markets-refresh.ts";
import { MarketsStateStore, type MarketsRecord } from "../markets/markets-state.ts";
import { runMarketsWork } from "../markets/markets-work.ts";

/**
 * One store's durable catalog sync (docs/decisions/0002-durable-catalog-sync.md), named by the
 * store: `env.CATALOG_SYNC.getByName(store)`. Driven by its alarm; each alarm does
 * 1. pending product webhooks, once their burst is quiet (product-events.ts): applied in order of
 *    change, then ONE selection refresh for the burst;
 * 2. one bounded slice of a running full sync (SLICE_MAX_PRODUCTS / SLICE_MAX_MS), checkpointed;
 * 3. the markets step (markets/markets-work.ts) when owed: the shop's markets after a full sync,
 *    market prices and translations of the selected products after each selection refresh, and
 *    whatever an edge reader found too old (refreshMarkets).
 * Alarms are at-least-once and the object can restart anywhere: every step is idempotent (rows
 * only take newer writes, a slice resumes from its last checkpoint). A failed slice is retried with
 * backoff; after MAX_SLICE_ATTEMPTS, or at once for a permanent fault, the run ends in "error" with
 * its reason and deletes nothing, so the last good catalog stays live. Progress and outcome are
 * mirrored to D1 (CatalogSyncRun, Catalog) for the admin.
 */

export const MAX_SLICE_ATTEMPTS = 5;
/** Admin API faults a retry cannot mend: a refused token, a refused query, another 4xx. */
const PERMANENT_API_ERRORS: ReadonlySet<AdminGraphqlErrorKind> = new Set(["unauthorized", "graphql", "http"]);
/** How long a start may take to record its run before another start takes over. */
const START_CLAIM_MS = 60_000;

const StartSchema = z.object({
  shopDomain: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "not a myshopify.com domain"),
  trigger: z.enum(["install", "manual", "schedule"]),
});
const BulkFinishedSchema = z.object({ bulkOperationId: z.string().min(1), status: z.string() });
const MarketsRefreshSchema = z.object({
  work: z.array(z.enum(["markets", "prices", "translations"])).min(1).max(3),
  onlyIfStale: z.boolean().optional(),
  notWithinMs: z.number().int().min(0).max(MARKETS_TTL_MS).optional(),
});

/** How old each kind of markets data may be before an edge reader's request reads it again. */
const MARKETS_WORK_TTL_MS: Record<MarketsWork, number> = { markets: MARKETS_TTL_MS, prices: MARKET_FACTS_TTL_MS, translations: TRANSLATIONS_TTL_MS };

/** Validates RPC input; the reason travels to the caller as a plain Error (RPC drops ZodError details). */
function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(`invalid ${what}: ${issue ? `${issue.path.join(".") || "input"}: ${issue.message}` : "invalid"}`);
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export class CatalogSync extends DurableObject<Env> {
  private sync: SyncStateStore;
  private markets: MarketsStateStore;
  /** One alarm body at a time in this instance (a test may run the alarm while one is due). */
  private busy = false;
  /** Bumped by forget(): a slice still running then must not write its state back. */
  private epoch = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sync = new SyncStateStore(ctx.storage.sql);
    this.markets = new MarketsStateStore(ctx.storage.sql);
  }

  private get store(): string {
    const name = this.ctx.id.name;
    if (!name) throw new Error("CatalogSync must be addressed by store name (getByName)");
    return name;
  }

  /** Starts a full sync, or joins the one running. */
  async start(input: { shopDomain: string; trigger: CatalogSyncTrigger }): Promise<CatalogSyncState> {
    const o = parseInput(StartSchema, input, "catalog sync start");
    const before = this.sync.read();
    const now = Date.now();
    // A claim whose D1 run was never recorded (the object restarted mid-start) is not a run to join.
    const abandoned = before.runId === null && now - (before.startedAt ?? 0) > START_CLAIM_MS;
    if (before.state === "running" && !abandoned) return this.state();
    // Claimed before the first await, so a concurrent start joins this run.
    this.sync.update({
      runId: null, state: "running", trigger: o.trigger, mode: null, shopDomain: o.shopDomain, phase: "count", cursor: null,
      bulkId: null, bulkUrl: null, offset: 0, productsSynced: 0, productsTotal: null, skipped: 0, pages: 0,
      // No slice is due until the run is recorded (an alarm for webhooks may fire meanwhile).
      startedAt: now, finishedAt: null, error: null, attempts: 0, throttledMs: 0, nextAt: null, bulkStartedAt: null,
    });
    try {
      const runId = await startRun(this.env.DB, this.store, o.trigger, now);
      await markCatalog(this.env.DB, this.store, { syncState: "syncing" });
      this.sync.update({ runId, nextAt: now });
    } catch (error) {
      this.sync.update(before);
      throw error;
    }
    await this.wakeAt(now);
    return this.state();
  }

  /** Stores a verified products/* webhook; a known event id is a duplicate. */
  async productEvent(event: ProductEvent): Promise<{ status: "queued" | "duplicate" }> {
    const now = Date.now();
    const stored = parseProductEvent(event, now);
    if (!this.sync.addEvent(stored)) {
      this.sync.bump("eventsDuplicate");
      return { status: "duplicate" };
    }
    this.sync.bump("eventsQueued");
    await this.wakeAt(now + EVENT_QUIET_MS);
    return { status: "queued" };
  }

  /** bulk_operations/finish: read the result now instead of at the next poll. */
  async bulkFinished(input: { bulkOperationId: string; status: string }): Promise<void> {
    const o = parseInput(BulkFinishedSchema, input, "bulk operation notice");
    const record = this.sync.read();
    if (record.state !== "running" || record.phase !== "bulk-wait" || record.bulkId !== o.bulkOperationId) return;
    const now = Date.now();
    this.sync.update({ nextAt: now });
    await this.wakeAt(now);
  }

  /**
   * Owes markets work (markets/markets-work.ts). `onlyIfStale` (an edge reader found its copy
   * missing or old): kinds read from Shopify within their TTL are not read again; `notWithinMs`
   * (a reader found something lacking): not read again within that long.
   */
  async refreshMarkets(input: { work: MarketsWork[]; onlyIfStale?: boolean; notWithinMs?: number }): Promise<{ owed: MarketsWork[] }> {
    const o = parseInput(MarketsRefreshSchema, input, "markets refresh");
    const now = Date.now();
    const record = this.markets.read();
    const minAge = (w: MarketsWork) => (o.onlyIfStale ? MARKETS_WORK_TTL_MS[w] : (o.notWithinMs ?? 0));
    const work = o.work.filter((w) => !record.due.includes(w) && now - (record.doneAt[w] ?? 0) > minAge(w));
    if (work.length === 0) return { owed: record.due };
    const owed = this.markets.owe(work, now);
    if (owed.nextAt !== null) await this.wakeAt(owed.nextAt);
    return { owed: owed.due };
  }

  /** The markets step's state (tests, ops). */
  async marketsState(): Promise<MarketsRecord> {
    return this.markets.read();
  }

  async state(): Promise<CatalogSyncState> {
    const r = this.sync.read();
    return {
      state: r.state,
      trigger: r.trigger,
      mode: r.mode,
      productsSynced: r.productsSynced,
      productsTotal: r.productsTotal,
      startedAt: iso(r.startedAt),
      finishedAt: iso(r.finishedAt),
      error: r.error,
      liveProducts: await countProducts(this.env.DB, this.store),
      lastGoodAt: iso(r.lastGoodAt),
      pendingEvents: this.sync.pendingCount(),
    };
  }

  /** Counters for the ops view and tests: events queued/duplicate/applied, selection refreshes. */
  async counters(): Promise<Record<string, number>> {
    return this.sync.counters();
  }

  /** Uninstall: drop this object's state and alarm (the D1 rows are the caller's to delete). */
  async forget(): Promise<void> {
    this.epoch++;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.sync = new SyncStateStore(this.ctx.storage.sql);
    this.markets = new MarketsStateStore(this.ctx.storage.sql);
  }

  override async alarm(): Promise<void> {
    if (this.busy) {
      await this.wakeAt(Date.now() + 1_000);
      return;
    }
    this.busy = true;
    const epoch = this.epoch;
    try {
      // A selection refresh changes the products whose market prices and translations are kept.
      await applyPendingEvents(this.env, this.store, this.sync, () => this.markets.owe(["prices", "translations"], Date.now()));
      await this.runSlice(epoch);
      if (epoch === this.epoch) await runMarketsWork(this.env, this.store, this.markets);
      this.sync.pruneApplied(Date.now());
    } finally {
      this.busy = false;
      if (epoch === this.epoch) await this.reschedule();
    }
  }

  // ── Full sync ───────────────────────────────────────────────────────────────────────────

  private async runSlice(epoch: number): Promise<void> {
    const start = Date.now();
    let record = this.sync.read();
    if (record.state !== "running" || record.nextAt === null || record.nextAt > start) return;
    if (record.runId === null || !record.shopDomain) return this.fail(record, "the sync run was never recorded");
    const checkpoint = (changes: Partial<SyncRecord>): SyncRecord => {
      if (epoch !== this.epoch) throw new Error("catalog sync forgotten");
      return this.sync.update(changes);
    };
    try {
      const token = await offlineToken(this.env.DB, record.shopDomain);
      // Rate-limit waits are added to the run as they happen (a slice may end the run).
      const client = adminClient(this.env, record.shopDomain, token, (ms, reason) => {
        if (reason !== "server-error" && epoch === this.epoch) this.sync.update({ throttledMs: this.sync.read().throttledMs + ms });
      });
      const c: SliceContext = { db: this.env.DB, store: this.store, client, checkpoint, deadline: start + SLICE_MAX_MS, maxProducts: SLICE_MAX_PRODUCTS };
      let step: StepResult = { yield: false, nextAt: null };
      while (!step.yield && Date.now() < c.deadline) {
        step = await this.step(c, checkpoint({}));
        if (checkpoint({}).state !== "running") return;
      }
      record = checkpoint({ nextAt: step.nextAt ?? Date.now(), attempts: 0 });
      await runProgress(this.env.DB, record);
    } catch (error) {
      if (epoch !== this.epoch) return;
      record = this.sync.read();
      const reason = error instanceof Error ? error.message : String(error);
      const permanent = (error instanceof SyncError && error.permanent) || (error instanceof AdminGraphqlError && PERMANENT_API_ERRORS.has(error.kind));
      const attempts = record.attempts + 1;
      if (permanent || attempts >= MAX_SLICE_ATTEMPTS) return this.fail(record, attempts > 1 ? `${reason} (after ${attempts} attempts)` : reason);
      console.warn(`catalog sync ${this.store}: slice failed (attempt ${attempts}), retrying: ${reason}`);
      this.sync.update({ attempts, nextAt: Date.now() + retryDelay(attempts) });
      await runProgress(this.env.DB, this.sync.read()).catch(() => undefined);
    }
  }

  private async step(c: SliceContext, record: SyncRecord): Promise<StepResult> {
    const now = Date.now();
    switch (record.phase) {
      case "count": {
        const { count, currency } = await shopCatalogCount(c.client);
        const mode = count <= PAGES_MODE_MAX ? "pages" : "bulk";
        c.checkpoint({ mode, productsTotal: count, currency, phase: mode === "pages" ? "pages" : "bulk-start", attempts: 0 });
        return { yield: false, nextAt: null };
      }
      case "pages":
        return pagesStep(c);
      case "bulk-start":
        return bulkStartStep(c, now);
      case "bulk-wait":
        return bulkWaitStep(c, now);
      case "bulk-read":
        return bulkReadStep(c);
      case "finish":
        await this.finish(c, record);
        return { yield: true, nextAt: null };
      case "done":
        return { yield: true, nextAt: null };
    }
  }

  /** The run read the whole catalog: drop what it did not see, reselect, and say so. */
  private async finish(c: SliceContext, record: SyncRecord): Promise<void> {
    if (record.productsSynced === 0 && (record.productsTotal ?? 0) > 0) {
      throw new SyncError(`read no products although Shopify counts ${record.productsTotal}`, true);
    }
    await removeUnseen(this.env.DB, this.store, record.runId ?? 0, record.startedAt ?? 0);
    await refreshSelections(this.env, this.store, { reselect: "always" });
    this.sync.bump("refreshesAlways");
    // The shop's markets are read again with its catalog, then the new selections' prices.
    this.markets.owe(["markets", "prices", "translations"], Date.now());
    const live = await countProducts(this.env.DB, this.store);
    const now = Date.now();
    await markCatalog(this.env.DB, this.store, { productCount: live, syncState: "ok", syncedAt: now });
    const done = c.checkpoint({ state: "ok", phase: "done", finishedAt: now, lastGoodAt: now, nextAt: null, error: null, attempts: 0 });
    await runFinished(this.env.DB, done, live);
    this.sync.bump("fullSyncs");
  }

  private async fail(record: SyncRecord, reason: string): Promise<void> {
    console.error(`catalog sync ${this.store} failed: ${reason}`);
    const failed = this.sync.update({ state: "error", phase: "done", error: reason, finishedAt: Date.now(), nextAt: null });
    await markCatalog(this.env.DB, this.store, { syncState: `error: ${reason}` }).catch(() => undefined);
    if (record.runId !== null) await runFinished(this.env.DB, failed, null).catch(() => undefined);
  }

  // ── Alarm ───────────────────────────────────────────────────────────────────────────────

  /** Brings the alarm forward to `at` (never later than one already set). */
  private async wakeAt(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** After an alarm: the earliest of the next slice, the pending burst's due time, a retry. */
  private async reschedule(): Promise<void> {
    const r = this.sync.read();
    const due: number[] = [];
    if (r.state === "running" && r.nextAt !== null) due.push(r.nextAt);
    const window = this.sync.pendingWindow();
    if (window) due.push(Math.max(eventsDueAt(window), r.eventsRetryAt ?? 0));
    else if (r.selectionsDue) due.push(r.eventsRetryAt ?? Date.now());
    const markets = this.markets.read();
    if (markets.due.length && markets.nextAt !== null) due.push(markets.nextAt);
    if (due.length) await this.ctx.storage.setAlarm(Math.max(Math.min(...due), Date.now()));
  }
}
