/**
 * Asking a store's CatalogSync object to read markets, market prices or translations again, from
 * a reader on the request path that found its copy missing or too old. Never awaited by the
 * request (waitUntil), at most once a minute per store and kind in an isolate, and the object
 * itself ignores a request for data it read recently (catalog/catalog-sync.ts refreshMarkets), so
 * a busy storefront costs Shopify nothing more than the TTLs allow.
 */
export type MarketsWork = "markets" | "prices" | "translations";

const ASK_INTERVAL_MS = 60_000;
const asked = new Map<string, number>();

/**
 * `lacking`: the stored data lacks something a page needs (a selected product without market
 * facts): read again unless it was read within the last minute, whatever its TTL.
 */
export function askMarketsRefresh(
  env: Pick<Env, "CATALOG_SYNC">,
  store: string,
  work: readonly MarketsWork[],
  waiter: Pick<ExecutionContext, "waitUntil"> | null,
  o: { lacking?: boolean } = {},
): void {
  if (!waiter || work.length === 0) return;
  const key = `${store}|${[...work].sort().join(",")}${o.lacking ? "|lacking" : ""}`;
  const now = Date.now();
  if (now - (asked.get(key) ?? 0) < ASK_INTERVAL_MS) return;
  if (asked.size >= 10_000) asked.clear();
  asked.set(key, now);
  waiter.waitUntil(
    env.CATALOG_SYNC.getByName(store)
      .refreshMarkets(o.lacking ? { work: [...work], notWithinMs: ASK_INTERVAL_MS } : { work: [...work], onlyIfStale: true })
      .catch((error: unknown) => console.warn(`markets refresh of ${store} not scheduled`, error)),
  );
}

/** Tests: forget the isolate's rate limit. */
export function forgetMarketsAsks(): void {
  asked.clear();
}
