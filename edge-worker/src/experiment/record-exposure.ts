import { exposureDay, shopperHash, type Arm, type ExposureMark } from "../../../core/experiment.ts";
import type { Persona } from "../../../core/types.ts";

/**
 * Exposure recording for the shopper's request path: never awaited, at most one write per shopper per
 * day per isolate. The first request of a (store, day, shopper) in an isolate sends one `record` to
 * the store's ExposureLog inside ctx.waitUntil; later requests of that shopper that day stop at the
 * in-memory set. The object's INSERT OR IGNORE makes the isolates' duplicates harmless, so the set is
 * only a cost saver: it is bounded, and a failed write is forgotten there so the next request retries.
 */

/** Keys remembered per isolate (about 100 bytes each: a few MB at most). */
const MAX_REMEMBERED = 20_000;
const remembered = new Set<string>();

export interface Exposure {
  store: string;
  shopperId: string;
  arm: Arm;
  persona: Persona;
}

/** Records the exposure in the background and returns what the page declares (exposureMeta). */
export function recordExposure(env: Env, waiter: Pick<ExecutionContext, "waitUntil">, e: Exposure, now = Date.now()): ExposureMark {
  const day = exposureDay(now);
  const shopper = shopperHash(e.store, e.shopperId);
  const key = `${e.store}\u0000${day}\u0000${shopper}`;
  if (!remembered.has(key)) {
    if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.values().next().value!);
    remembered.add(key);
    waiter.waitUntil(
      env.EXPOSURES.getByName(e.store)
        .record(day, shopper, e.arm, e.persona)
        .then(
          () => undefined,
          (error: unknown) => {
            remembered.delete(key);
            console.warn("exposure not recorded", e.store, error);
          },
        ),
    );
  }
  return { arm: e.arm, persona: e.persona, shopper };
}

/** Forgets this isolate's memory of recorded exposures (tests, and after a store's data is cleared). */
export function forgetRecordedExposures(): void {
  remembered.clear();
}
