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

export interface EdgeApiContract {
  /** Re-read the shop's settings (and catalog) from D1 and rewrite the KV snapshots. */
  refreshSnapshot(store: string): Promise<{ settingsVersion: number; catalogVersion: string | null }>;
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
