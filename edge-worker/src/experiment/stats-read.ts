import { isStoreId } from "../../../core/cache-key.ts";
import { MAX_RANGE_DAYS, customerShopperId, isDay, shopperHash, type ExperimentCounts } from "../../../core/experiment.ts";
import { forgetRecordedExposures } from "./record-exposure.ts";

/**
 * What the admin reads of a store's experiment (through the EdgeApi service binding): distinct
 * visitors and funnel shoppers per first day, arm and persona for an inclusive range of UTC days.
 * The admin adds the orders it keeps in D1 and hands both to core/experiment-report.ts.
 */

export async function readExperimentCounts(env: Env, store: string, from: string, to: string): Promise<ExperimentCounts> {
  if (!isStoreId(store)) throw new RangeError("invalid store id");
  if (!isDay(from) || !isDay(to)) throw new RangeError("from and to must be YYYY-MM-DD days");
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (days < 1) throw new RangeError("from must not be after to");
  if (days > MAX_RANGE_DAYS) throw new RangeError(`a range covers at most ${MAX_RANGE_DAYS} days`);
  const log = env.EXPOSURES.getByName(store);
  const [exposures, funnel] = await Promise.all([log.exposures(from, to), log.funnel(from, to)]);
  return { store, from, to, exposures, funnel };
}

/** customers/redact: the shopper's exposure and funnel rows (by the edge's shopper id). */
export async function forgetExperimentShopper(env: Env, store: string, shopperId: string): Promise<number> {
  if (!isStoreId(store)) throw new RangeError("invalid store id");
  return env.EXPOSURES.getByName(store).forgetShopper(shopperHash(store, shopperId));
}

/** customers/redact by Shopify's customer id: the rows of the shopper the proxy served them as. */
export async function forgetExperimentCustomer(env: Env, store: string, customerId: string): Promise<number> {
  return forgetExperimentShopper(env, store, customerShopperId(customerId));
}

/** shop/redact and uninstall: the store's whole exposure log. */
export async function forgetExperiment(env: Env, store: string): Promise<void> {
  if (!isStoreId(store)) throw new RangeError("invalid store id");
  await env.EXPOSURES.getByName(store).clear();
  forgetRecordedExposures();
}
