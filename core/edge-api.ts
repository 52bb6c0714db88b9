import type { FallbackReason, Persona, PersonaDecision, PersonaSignals } from "./types.ts";
import type { LocaleQuery, ShopMarkets, ShopperLocale } from "./locale.ts";
import type { Arm, ExperimentCounts } from "./experiment.ts";

/**
 * The RPC surface the edge worker offers the admin app and the cache CLI through a service binding
 * (`EDGE` in the admin's wrangler config → the edge's `EdgeApi` WorkerEntrypoint). Never a public URL.
 */
export interface PersonaCacheState {
  persona: Persona;
  enabled: boolean;
  /**
   * Counted over LLM pages only — a fallback (template) is never the key's page
   * (docs/decisions/0004-fallbacks-and-llm-breaker.md):
   * fresh: the current variant's LLM page is cached; stale: only an older variant's LLM page (served
   * until the new one is written); missing: no LLM page, shoppers get the template.
   */
  state: "fresh" | "stale" | "missing";
  key: string;
  /** When the LLM page served (fresh or stale) was generated; null when none. */
  generatedAt: string | null;
  /** What shoppers get now: "llm" (fresh or stale LLM page) or "template" (state missing). */
  source: "llm" | "template" | null;
  queued: boolean;
  /** Why the key's job is waiting: the generator's last fallback reason for it, or "breaker_open"; null when not waiting. */
  waitingReason: FallbackReason | "breaker_open" | null;
  /** Since when (ISO) the key's job has been waiting for the LLM (its first fallback); null when not waiting. */
  waitingSince: string | null;
  /**
   * One entry per generated language (core/locale.ts generatedLanguagesOf), the primary language
   * first; the top-level fields above are the primary language's. Same meaning of state as above.
   */
  languages: PersonaLanguageState[];
}

/** A persona's LLM page in one page language. */
export interface PersonaLanguageState {
  language: string;
  state: "fresh" | "stale" | "missing";
  generatedAt: string | null;
}

/** The pool's LLM circuit breaker (edge-worker/src/llm-breaker.ts), one for all pool members. */
export type LlmBreakerState = "closed" | "open" | "half-open";

export interface LlmStatus {
  /** closed: calls go through; open: no member calls the generator until retryAt; half-open: one probe call is allowed. */
  state: LlmBreakerState;
  /** When (ISO) the breaker entered this state. */
  since: string;
  /** Transient LLM failures in a row (reset by any answer of the LLM). */
  consecutiveFailures: number;
  /** The last transient failure: its fallback reason and the generator's words; null when none yet. */
  lastReason: FallbackReason | null;
  lastError: string | null;
  lastFailureAt: string | null;
  /** When open: when the half-open probe may go (ISO); else null. */
  retryAt: string | null;
  /** Times the breaker has opened since the edge's storage began. */
  openedCount: number;
  /** The generator answered template_mode (no LLM_API_KEY) more recently than it answered with the LLM. */
  templateMode: boolean;
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
  /** The market and language the preview was rendered for, and why (ShopperLocale.reasons). */
  locale: ShopperLocale;
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
  /** The LLM circuit breaker shared by the generation pool (not per store). */
  llmStatus(): Promise<LlmStatus>;
  stats(store: string): Promise<PersonaStats[]>;
  /** The page as a shopper in that market and language would get it (absent or unknown: the primary ones). */
  preview(store: string, persona: Persona, signals?: PersonaSignals, locale?: LocaleQuery): Promise<PreviewResult>;
  /** The shop's markets and published languages as last synced (a shop with none synced: one market, its primary). */
  shopMarkets(store: string): Promise<ShopMarkets>;
  regenerate(store: string, persona: Persona): Promise<EnqueueResult>;
  /** Delete cached pages of a store (one persona or all) from KV and R2; returns the count deleted. */
  purge(store: string, persona?: Persona): Promise<number>;
  /** Remove everything of a store from KV and R2 (uninstall, shop/redact). */
  forgetStore(store: string): Promise<void>;
  /** Remove per-shopper data (customers/redact). */
  forgetShopper(store: string, shopperId: string): Promise<void>;
  /** What the admin's setup guide needs from the edge beyond the other methods (core/setup-checklist.ts). */
  setupState(store: string): Promise<EdgeSetupState>;
  /**
   * The holdout experiment's counts for an inclusive range of UTC days (at most 400): distinct visitors
   * and funnel shoppers per first day, arm and persona, plus the first exposure in the range of each
   * buyer asked about (order shopper hashes, at most MAX_BUYER_LOOKUP per call; unexposed ones are absent).
   */
  experimentCounts(store: string, from: string, to: string, buyers?: readonly string[]): Promise<ExperimentCountsWithBuyers>;
}

/** The edge's side of the setup guide. */
export interface EdgeSetupState {
  /** Requests that passed the app proxy's signature check and were served a persona page. */
  proxyRequests: number;
  /** When (ISO) the first of them was counted; null when none yet. */
  firstProxyRequestAt: string | null;
}

/** Most buyer shopper hashes one experimentCounts call looks up (the admin sends more in several calls). */
export const MAX_BUYER_LOOKUP = 5000;

/** A buyer's first exposure in the range: the arm and persona the report attributes their orders to. */
export interface BuyerExposure {
  /** shopperHash(store, id), as in the order's `_wand_shopper` cart attribute */
  shopper: string;
  day: string;
  arm: Arm;
  persona: Persona;
}

export interface ExperimentCountsWithBuyers extends ExperimentCounts {
  buyers: BuyerExposure[];
}
