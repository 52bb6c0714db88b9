import type { AdminGraphql } from "../../../core/admin-graphql.ts";
import type { SyncRecord } from "./sync-state.ts";

/**
 * One slice of a full catalog sync: the bounded piece of work one alarm does. A slice writes
 * products in batches and checkpoints after each batch, so whatever ends it (its budget, a thrown
 * error, a restart) the next slice resumes after the last batch written.
 */

/** At most this many products per slice … */
export const SLICE_MAX_PRODUCTS = 2_000;
/** … and about this much time (a slice stops at the first batch boundary past it). */
export const SLICE_MAX_MS = 10_000;
/** Products per D1 write (product-rows.ts splits a batch further by size). */
export const WRITE_BATCH = 500;

export interface SliceContext {
  db: D1Database;
  store: string;
  client: AdminGraphql;
  /** Writes the changes to the object's storage and returns the new record. */
  checkpoint(changes: Partial<SyncRecord>): SyncRecord;
  /** Epoch ms after which the slice stops at its next batch boundary. */
  deadline: number;
  maxProducts: number;
}

/** What a phase step did: `next` is when the sync continues (null: at once, in this slice if time is left). */
export interface StepResult {
  /** Stop this slice (its budget is spent, or it waits for Shopify). */
  yield: boolean;
  /** When the next slice is due; null: at once. */
  nextAt: number | null;
}

const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 60_000;
/** Backoff before retry `attempt` (1-based) of a failed slice or webhook burst. */
export const retryDelay = (attempt: number): number => Math.min(RETRY_BASE_MS * 2 ** (attempt - 1), RETRY_MAX_MS);
