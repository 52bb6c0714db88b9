import { marketOfCountry, pricedMarkets, type ShopMarkets } from "../../../core/locale.ts";
import { MARKET_FACTS_TTL_MS, parseMarketFacts, type MarketFacts } from "../../../core/market-prices.ts";
import { marketFactsKey, marketFactsPrefix } from "../../../core/storage-keys.ts";
import { KvSnapshots } from "./kv-snapshots.ts";
import { loadShopMarkets } from "./markets-store.ts";

/**
 * A market's prices for the persona selections' products (core/market-prices.ts MarketFacts), in
 * KV `market-facts/<store>/<country>` under the market's representative country (its first one,
 * core/locale.ts pricedMarkets): one entry per market, written by the catalog sync's markets step.
 */
type Waiter = Pick<ExecutionContext, "waitUntil"> | null;

const facts = new KvSnapshots<MarketFacts>({
  key: marketFactsKey,
  prefix: marketFactsPrefix,
  partOf: (f) => f.country,
  parse: parseMarketFacts,
  work: "prices",
  ttlMs: MARKET_FACTS_TTL_MS,
  meanwhile: "cards keep the shop's prices",
  // A market's facts are ≤ 200 small entries (~20 KB); 512 of them stay near 10 MB.
  limit: 512,
});

export const writeMarketFacts = (env: Pick<Env, "CACHE">, value: MarketFacts): Promise<void> => facts.write(env, value);
export const readMarketFacts = (env: Pick<Env, "CACHE">, store: string, country: string): Promise<MarketFacts | null> => facts.read(env, store, country);
export const forgetMarketFactsMemo = (store: string): void => facts.forget(store);

/**
 * The prices of the shopper's market, or null for the primary market (the shop's own prices) and
 * while none are stored. Missing or older than MARKET_FACTS_TTL_MS: served as they are while the
 * store's CatalogSync object reads them again (never on the request path).
 */
export async function loadMarketFacts(env: Env, store: string, country: string, waiter: Waiter): Promise<MarketFacts | null> {
  return loadMarketFactsIn(env, store, await loadShopMarkets(env, store, waiter), country, waiter);
}

/** loadMarketFacts for markets the caller has already loaded. */
export async function loadMarketFactsIn(env: Env, store: string, markets: ShopMarkets, country: string, waiter: Waiter): Promise<MarketFacts | null> {
  const priced = pricedCountry(markets, country);
  return priced === null ? null : facts.load(env, store, priced, waiter);
}

/**
 * loadMarketFactsIn without a promise: `{ value }` from this isolate's fresh copy (value null for
 * the primary market), undefined when it has to be read.
 */
export function peekMarketFactsIn(env: Env, store: string, markets: ShopMarkets, country: string, waiter: Waiter): { value: MarketFacts | null } | undefined {
  const priced = pricedCountry(markets, country);
  return priced === null ? { value: null } : facts.peek(env, store, priced, waiter);
}

// Per markets snapshot (a stable memo object): a hit costs one map lookup.
const pricedOf = new WeakMap<ShopMarkets, Map<string, string | null>>();

/** The representative country of the market `country` is in, or null for the primary market and a country of no market. */
function pricedCountry(markets: ShopMarkets, country: string): string | null {
  let byCountry = pricedOf.get(markets);
  if (!byCountry) pricedOf.set(markets, (byCountry = new Map()));
  let priced = byCountry.get(country);
  if (priced === undefined) {
    const market = marketOfCountry(markets, country);
    priced = (market && pricedMarkets(markets).find((p) => p.market === market)?.country) ?? null;
    // Countries are resolved ones (the shop's, or its primary): the map stays small; the bound is a safety net.
    if (byCountry.size >= 300) byCountry.clear();
    byCountry.set(country, priced);
  }
  return priced;
}
