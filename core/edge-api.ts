import type { Persona, PersonaDecision, PersonaSignals } from "./types.ts";

/**
 * The RPC surface the edge worker offers the admin app and the cache CLI through a service binding
 * (`EDGE` in the admin's wrangler config → the edge's `EdgeApi` WorkerEntrypoint). Never a public URL.
 */
export interface PersonaCacheState {
  persona: Persona;
  enabled: boolean;
  /** fresh: the current variant is cached; stale: only an older variant; missing: nothing yet. */
  state: "fresh" | "stale" | "missing";
  key: string;
  generatedAt: string | null;
  source: "llm" | "template" | null;
  queued: boolean;
}

export interface PersonaStats {
  persona: Persona;
  hits: number;
  misses: number;
  stale: number;
  holdout: number;
  jobsQueued: number;
  jobsRefused: number;
  jobsDone: number;
  jobsFailed: number;
  /** Median generation latency in ms over recent jobs, null when none. */
  medianLatencyMs: number | null;
  promptTokens: number;
  completionTokens: number;
  /** Recent generation latencies (ms), oldest first, for a trend chart. */
  recentLatenciesMs: number[];
}

export interface PreviewResult {
  html: string;
  cache: "memory" | "kv" | "r2" | "stale" | "miss";
  decision: PersonaDecision;
}

export interface EnqueueResult {
  key: string;
  /** queued: newly added; duplicate: already queued or in flight; refused: queue full; fresh: already cached. */
  status: "queued" | "duplicate" | "refused" | "fresh";
}

export type CatalogSyncTrigger = "install" | "manual" | "schedule";

/** A products/* webhook as the admin verified it, handed to the store's durable catalog sync. */
export interface ProductEvent {
  /** X-Shopify-Event-Id (the same for every retry of one event): de-duplication key. */
  eventId: string;
  topic: "products/create" | "products/update" | "products/delete";
  /** X-Shopify-Triggered-At (ISO): orders a products/delete, whose payload has no updated_at. */
  triggeredAt: string;
  /** The webhook body (REST product JSON; for delete only `{ id }`). */
  payload: unknown;
}

/** The state of a store's catalog sync, as the admin dashboard shows it. */
export interface CatalogSyncState {
  /** idle: never synced; running: a full sync in progress; ok; error: the last full sync failed. */
  state: "idle" | "running" | "ok" | "error";
  trigger: CatalogSyncTrigger | null;
  mode: "bulk" | "pages" | null;
  /** Products written by the running (or last) full sync, and the shop's total when known. */
  productsSynced: number;
  productsTotal: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Why the last full sync failed (the last good catalog stays live). */
  error: string | null;
  /** Products the storefront serves from now (the last good catalog). */
  liveProducts: number;
  /** When a full sync last finished successfully. */
  lastGoodAt: string | null;
  /** Product webhooks received but not yet applied. */
  pendingEvents: number;
}

export interface EdgeApiContract {
  /** Re-read the shop's settings from D1, refresh its persona selections and rewrite the KV snapshots. */
  refreshSnapshot(store: string): Promise<{ settingsVersion: number; productCount: number }>;
  /** Starts (or joins) a durable full catalog sync of the shop with its offline token. */
  startCatalogSync(store: string, shopDomain: string, trigger: CatalogSyncTrigger): Promise<CatalogSyncState>;
  /** Queues a verified products/* webhook for the store's catalog sync; duplicates are acknowledged. */
  catalogEvent(store: string, event: ProductEvent): Promise<{ status: "queued" | "duplicate" }>;
  /** A verified bulk_operations/finish webhook: the sync reads the result at once instead of polling. */
  bulkOperationFinished(store: string, o: { bulkOperationId: string; status: string }): Promise<void>;
  catalogSyncState(store: string): Promise<CatalogSyncState>;
  cacheState(store: string): Promise<PersonaCacheState[]>;
  stats(store: string): Promise<PersonaStats[]>;
  preview(store: string, persona: Persona, signals?: PersonaSignals): Promise<PreviewResult>;
  regenerate(store: string, persona: Persona): Promise<EnqueueResult>;
  /** Delete cached pages of a store (one persona or all) from KV and R2; returns the count deleted. */
  purge(store: string, persona?: Persona): Promise<number>;
  /** Remove everything of a store from KV and R2 (uninstall, shop/redact). */
  forgetStore(store: string): Promise<void>;
  /** Remove per-shopper data (customers/redact). */
  forgetShopper(store: string, shopperId: string): Promise<void>;
}
