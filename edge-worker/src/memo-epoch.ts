/**
 * When a memory hit's plan may be served again without peeking its snapshots (shopper-page.ts
 * plannedHit, docs/decisions/0009-hit-plans-valid-until-a-memo-changes.md). Two facts about the
 * watched per-isolate memos — settings, persona selections, markets, market prices, translations
 * and the page LRU — answer it:
 *
 * - the epoch, bumped by every change to a watched memo (a value set, deleted, forgotten or
 *   evicted), so a plan made before a change is never served after it;
 * - the read window: a plan's peeks note the expiry of every entry they read (and of any other
 *   time limit that changes what a peek does, such as a snapshot old enough to ask for a refresh),
 *   so a plan is served only before the earliest of them, as a peek would have answered alike.
 *
 * The hit path is synchronous, so one window per isolate is enough: it is opened at the start of a
 * plan's peeks and read at their end, with no await between.
 */
let epoch = 0;
let windowEnd = Number.POSITIVE_INFINITY;

/** A watched memo changed: every plan made so far is checked again at its next view. */
export function memoChanged(): void {
  epoch++;
}

export function memoEpoch(): number {
  return epoch;
}

export function openReadWindow(): void {
  windowEnd = Number.POSITIVE_INFINITY;
}

/** A peek read something that holds until `at` (ms since the epoch); 0: not past this request. */
export function noteExpiry(at: number): void {
  if (at < windowEnd) windowEnd = at;
}

/** The earliest expiry noted since openReadWindow. */
export function readWindowEnd(): number {
  return windowEnd;
}
