import type { EnqueueResult, LlmStatus, PersonaCacheState, PersonaStats } from "../../core/edge-api.ts";
import type { CacheEntry, StoreSummary } from "../../core/ops-contract.ts";
import type { Persona } from "../../core/types.ts";

/**
 * What the commands need from wherever the cache lives. Two implementations: the local wrangler state
 * (`local-backend.ts`) and a deployed edge's ops endpoint (`ops-client.ts`).
 */
export interface CacheBackend {
  /** Where the commands act, for messages ("local state .wrangler/state", "edge https://…"). */
  readonly where: string;
  stores(): Promise<StoreSummary[]>;
  pages(store: string): Promise<CacheEntry[]>;
  /** Deletes from KV and R2; returns the number of keys deleted. */
  purge(store: string, persona: Persona | null): Promise<PurgeOutcome>;
  stats(store: string): Promise<PersonaStats[]>;
  /** The pool's LLM circuit breaker (EdgeApi.llmStatus). */
  llmStatus(): Promise<LlmStatus>;
  cacheState(store: string): Promise<PersonaCacheState[]>;
  /** Enqueues every enabled persona of the store. */
  warm(store: string): Promise<EnqueueResult[]>;
  close(): Promise<void>;
}

export interface PurgeOutcome {
  deleted: number;
  /** Something the operator should know (e.g. the running edge's memory copy could not be dropped). */
  note?: string;
}
