import type { AdminGraphql } from "../../../core/admin-graphql.ts";
import { generatedLanguagesOf, pricedMarkets, publishedLanguages, type ShopMarkets } from "../../../core/locale.ts";
import { MARKETS_PAGE_SIZE, SHOP_MARKETS_QUERY, marketsPageFromResponse, shopMarketsFromPages, type MarketsPage } from "../../../core/markets-query.ts";
import { MARKET_PRICES_QUERY, marketFactsFromResponse, marketPricesVariables } from "../../../core/market-prices-query.ts";
import { TRANSLATIONS_QUERY, translationsFromResponse, translationsVariables } from "../../../core/product-translations.ts";
import { MARKET_LIMITS } from "../../../core/locale.ts";
import { PERSONAS, type Product, type ShopSettings } from "../../../core/types.ts";
import { SyncError, adminClient, offlineToken } from "../catalog/admin-api.ts";
import { readSelection } from "../catalog/selection-store.ts";
import { retryDelay } from "../catalog/slice.ts";
import { readSettingsFromD1 } from "../store-data.ts";
import { writeMarketFacts } from "./market-facts-store.ts";
import type { MarketsStateStore } from "./markets-state.ts";
import { readShopMarkets, writeShopMarkets } from "./markets-store.ts";
import { writeTranslations } from "./translations-store.ts";

/**
 * The markets step of a store's CatalogSync alarm (catalog/catalog-sync.ts): whatever is owed of
 * 1. markets: the shop's markets and published languages (core/markets-query.ts) → D1 + KV;
 *    owed after every full catalog sync and when the edge's copy is older than MARKETS_TTL_MS;
 * 2. prices: for each market but the primary one, contextual pricing of the first variants of the
 *    products the four persona selections hold (≤ 96, one request per market) → KV MarketFacts;
 *    owed after each selection refresh (product webhooks, full syncs) and after MARKET_FACTS_TTL_MS;
 * 3. translations: for each generated language but the primary one, the merchant's translations
 *    of those same products (one request per language) → KV.
 * Shopify's cost is bounded by markets × selected products, never by the catalog. A failure keeps
 * what is stored (stale prices are served, labelled by their currency) and is retried with backoff;
 * a refused or missing token waits for the next trigger. A shop whose markets were seeded and that
 * has no offline session (the demo shops) is left as seeded; once it has a session, Shopify's
 * markets replace the seed's at its next full sync.
 */

const PERMANENT_RETRY_MS = 60 * 60 * 1000;

export async function runMarketsWork(env: Env, store: string, state: MarketsStateStore): Promise<void> {
  const now = Date.now();
  const r = state.read();
  if (r.nextAt === null || r.nextAt > now || r.due.length === 0) return;
  try {
    const settings = await readSettingsFromD1(env, store);
    const stored = await readShopMarkets(env, store);
    let token: string | null = null;
    if (settings) {
      try {
        token = await offlineToken(env.DB, settings.shopDomain);
      } catch (error) {
        // A seeded shop without a session (the demo) keeps what the seed wrote; any other shop needs its token.
        if (!(stored.source === "seed" && error instanceof SyncError && error.permanent)) throw error;
      }
    }
    if (!settings || token === null) {
      // Nothing to read: counted as done, so a reader's "too old" waits a TTL before asking again.
      for (const work of r.due) state.done(work, now);
      state.update({ nextAt: null, failures: 0, lastError: null });
      return;
    }
    const client = adminClient(env, settings.shopDomain, token, () => undefined);
    let markets = stored.markets;
    if (r.due.includes("markets")) {
      markets = await fetchShopMarkets(client, state);
      await writeShopMarkets(env, store, markets, "shopify", Date.now());
      state.done("markets", Date.now());
      // New markets or languages need their prices and translations.
      state.owe(["prices", "translations"], Date.now());
    }
    const owed = state.read().due;
    if (owed.includes("prices") || owed.includes("translations")) {
      const products = await selectedProducts(env, store);
      if (owed.includes("prices")) {
        await refreshMarketPrices(env, store, client, markets, products, state);
        state.done("prices", Date.now());
      }
      if (owed.includes("translations")) {
        await refreshTranslations(env, store, client, markets, settings, products, state);
        state.done("translations", Date.now());
      }
    }
    state.update({ nextAt: state.read().due.length ? Date.now() : null, failures: 0, lastError: null });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const failures = r.failures + 1;
    const permanent = error instanceof SyncError && error.permanent;
    console.warn(`markets of ${store}: ${reason} (attempt ${failures}); what is stored stays served`);
    state.update({ failures, lastError: reason, nextAt: Date.now() + (permanent ? PERMANENT_RETRY_MS : retryDelay(failures)) });
  }
}

export async function fetchShopMarkets(client: AdminGraphql, state?: MarketsStateStore): Promise<ShopMarkets> {
  const pages: MarketsPage[] = [];
  let after: string | null = null;
  const maxPages = Math.ceil(MARKET_LIMITS.markets / MARKETS_PAGE_SIZE);
  do {
    const page = marketsPageFromResponse(await client.request(SHOP_MARKETS_QUERY, { first: MARKETS_PAGE_SIZE, after }));
    state?.countRequests("markets", 1);
    pages.push(page);
    after = page.next;
  } while (after !== null && pages.length < maxPages);
  return shopMarketsFromPages(pages);
}

/** The products the four persona selections hold now, each once (≤ 96). */
async function selectedProducts(env: Env, store: string): Promise<Product[]> {
  const byHandle = new Map<string, Product>();
  for (const persona of PERSONAS) {
    for (const p of (await readSelection(env, store, persona)).products) byHandle.set(p.handle.toLowerCase(), p);
  }
  return [...byHandle.values()];
}

async function refreshMarketPrices(env: Env, store: string, client: AdminGraphql, markets: ShopMarkets, products: readonly Product[], state: MarketsStateStore): Promise<void> {
  for (const { market, country } of pricedMarkets(markets)) {
    const fetchedAt = Date.now();
    const variables = marketPricesVariables(products, country);
    let facts = { store, country, currency: market.currency, prices: {}, fetchedAt };
    if (variables.ids.length > 0) {
      const parsed = marketFactsFromResponse(await client.request(MARKET_PRICES_QUERY, variables), { store, country, currency: market.currency, fetchedAt });
      state.countRequests("prices", 1);
      if (parsed.skipped.length) console.warn(`market prices of ${store}/${market.handle}: ${parsed.skipped.length} left out (${parsed.skipped.slice(0, 3).join("; ")})`);
      facts = parsed.facts;
    }
    await writeMarketFacts(env, facts);
  }
}

async function refreshTranslations(
  env: Env,
  store: string,
  client: AdminGraphql,
  markets: ShopMarkets,
  settings: ShopSettings,
  products: readonly Product[],
  state: MarketsStateStore,
): Promise<void> {
  const primary = publishedLanguages(markets)[0];
  const handles = new Map(products.map((p) => [p.id, p.handle] as const));
  for (const language of generatedLanguagesOf(markets, settings.generatedLanguages)) {
    if (language === primary) continue;
    const fetchedAt = Date.now();
    const variables = translationsVariables(products, language);
    let translations = { store, language, products: {}, fetchedAt };
    if (variables.ids.length > 0) {
      translations = translationsFromResponse(await client.request(TRANSLATIONS_QUERY, variables), { store, language, handles, fetchedAt });
      state.countRequests("translations", 1);
    }
    await writeTranslations(env, translations);
  }
}
