import { exposureDay, shopperHash, type Arm, type ExposureMark } from "../../../core/experiment.ts";
import type { Persona } from "../../../core/types.ts";
import { MAX_RECORD_BATCH, type ExposureRecord } from "./exposure-log.ts";

/**
 * Exposure recording for the shopper's request path: never awaited, at most one record per shopper
 * per day per isolate, sent in batches. The first request of a (store, day, shopper) in an isolate
 * adds one row to the isolate's pending batch; later requests of that shopper that day stop at the
 * in-memory set. The first row of an empty batch schedules, in its request's ctx.waitUntil, one
 * flush FLUSH_DELAY_MS later that sends every store's rows in one ExposureLog.recordMany call: one
 * call and one transaction per store and interval, however many new shoppers arrived (one call per
 * shopper cost a hit path serving mostly new shoppers about a tenth of its throughput). The object's
 * INSERT OR IGNORE makes the isolates' duplicates harmless, so the set is only a cost saver: it is
 * bounded, and rows whose write failed are forgotten there so the shopper's next request retries.
 */

/** Keys remembered per isolate (about 100 bytes each: a few MB at most), in two generations of half that. */
const MAX_REMEMBERED = 4000;
/**
 * How long an isolate gathers new exposures before it sends them. A second: the counts are daily, and
 * SQLite's cost per row falls with the rows per commit (random keys in two B-trees, one WAL commit
 * per batch: ≈ 15 µs of CPU per row at 270 rows, ≈ 9 µs at 2,700, on plain SQLite with this schema),
 * as does the number of calls a busy isolate makes; well inside waitUntil's 30 s.
 */
export const FLUSH_DELAY_MS = 1000;
// Of the current UTC day (dayOf clears them when it ends), by store, then by raw shopper id (memory
// only; storage gets the hash) → the shopper's hash, so a shopper's later pages that day need no
// hashing — and no key joined per request. When the current generation is full it becomes the
// previous one and the oldest is dropped whole (deleting a Map's oldest entry one at a time leaves
// holes that every later "oldest" lookup walks through: it showed up on the hit path's profile).
type Remembered = Map<string, Map<string, string>>;
let remembered: Remembered = new Map();
let rememberedBefore: Remembered = new Map();
let rememberedCount = 0;

function forgetAllRemembered(): void {
  remembered = new Map();
  rememberedBefore = new Map();
  rememberedCount = 0;
}

function rememberedShopper(store: string, shopperId: string): string | undefined {
  return remembered.get(store)?.get(shopperId) ?? rememberedBefore.get(store)?.get(shopperId);
}

function remember(store: string, shopperId: string, shopper: string): void {
  if (rememberedCount >= MAX_REMEMBERED / 2) {
    rememberedBefore = remembered;
    remembered = new Map();
    rememberedCount = 0;
  }
  let shoppers = remembered.get(store);
  if (!shoppers) remembered.set(store, (shoppers = new Map()));
  shoppers.set(shopperId, shopper);
  rememberedCount++;
}

/** A row whose write failed: its shopper is recorded again at their next request (if still that day). */
function forget(store: string, day: string, shopperId: string): void {
  if (day !== dayName) return;
  remembered.get(store)?.delete(shopperId);
  rememberedBefore.get(store)?.delete(shopperId);
}

interface Pending {
  rows: ExposureRecord[];
  /** The raw shopper id of each row (rows carry the hash). */
  shopperIds: string[];
}
const pending = new Map<string, Pending>();
/** When the pending flush was scheduled; 0 when none is. */
let flushScheduledAt = 0;
// A flush that has not run after this long is given up on (its request's waitUntil was cut): the
// next new exposure schedules another, so an isolate never stops sending.
const FLUSH_ABANDONED_MS = 30_000;

/** Bumped when rows are forgotten (a failed write, a cleared store): see exposureGeneration. */
let forgottenEpoch = 0;

/**
 * Names the state this isolate's memory of recorded exposures is in: the UTC day and how often rows
 * were forgotten after a failed write since the isolate started. A caller that recorded a shopper's
 * exposure under the same generation may skip recording it again: its row was sent and not
 * forgotten (recordExposure's bounded set may have dropped the key since, and would only send a
 * duplicate the log ignores).
 */
export function exposureGeneration(now = Date.now()): number {
  dayOf(now); // brings dayStart to the current UTC day
  return dayStart + forgottenEpoch;
}

export interface Exposure {
  store: string;
  shopperId: string;
  arm: Arm;
  persona: Persona;
}

// The current UTC day, recomputed only when a request falls outside it (the remembered shoppers are that day's).
let dayStart = 0;
let dayEnd = 0;
let dayName = "";
function dayOf(now: number): string {
  if (now < dayStart || now >= dayEnd) {
    dayStart = Math.floor(now / 86_400_000) * 86_400_000;
    dayEnd = dayStart + 86_400_000;
    dayName = exposureDay(dayStart);
    forgetAllRemembered();
  }
  return dayName;
}

/** Records the exposure in the background and returns what the response declares (exposureContent, the Wand-Exposure header). */
export function recordExposure(env: Env, waiter: Pick<ExecutionContext, "waitUntil">, e: Exposure, now = Date.now()): ExposureMark {
  const day = dayOf(now);
  let shopper = rememberedShopper(e.store, e.shopperId);
  if (shopper === undefined) {
    shopper = shopperHash(e.store, e.shopperId);
    remember(e.store, e.shopperId, shopper);
    let batch = pending.get(e.store);
    if (!batch) pending.set(e.store, (batch = { rows: [], shopperIds: [] }));
    batch.rows.push({ day, shopper, arm: e.arm, persona: e.persona });
    batch.shopperIds.push(e.shopperId);
    if (flushScheduledAt === 0 || now - flushScheduledAt > FLUSH_ABANDONED_MS) {
      flushScheduledAt = now;
      waiter.waitUntil(flushLater(env));
    }
  }
  return { arm: e.arm, persona: e.persona, shopper };
}

async function flushLater(env: Env): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, FLUSH_DELAY_MS));
  flushScheduledAt = 0;
  const batches = [...pending];
  pending.clear();
  await Promise.all(
    batches.map(async ([store, batch]) => {
      for (let i = 0; i < batch.rows.length; i += MAX_RECORD_BATCH) {
        try {
          await env.EXPOSURES.getByName(store).recordMany(batch.rows.slice(i, i + MAX_RECORD_BATCH));
        } catch (error) {
          for (let k = i; k < Math.min(i + MAX_RECORD_BATCH, batch.rows.length); k++) forget(store, batch.rows[k]!.day, batch.shopperIds[k]!);
          forgottenEpoch++;
          console.warn("exposures not recorded", store, error);
        }
      }
    }),
  );
}

/** Forgets this isolate's memory of recorded exposures and its unsent batch (tests, and after a store's data is cleared). */
export function forgetRecordedExposures(): void {
  forgottenEpoch++;
  forgetAllRemembered();
  pending.clear();
}
