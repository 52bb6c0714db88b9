import type { DemoMarkets } from "./demo-stores.ts";
import { pricedMarkets } from "./locale.ts";
import { MARKET_FACTS_LIMIT, parseMarketFacts, type MarketFacts, type MarketPrice } from "./market-prices.ts";
import { centsToDecimal, toCents } from "./money.ts";
import { parseProductTranslations, type ProductTranslations } from "./product-translations.ts";
import type { Product } from "./types.ts";

/**
 * What the edge reads for a demo shop's markets, built from its DemoMarkets the way the catalog
 * sync builds it from Shopify: one MarketFacts per priced market (its price list's fixed price
 * where it has one, else the shop's price converted at the market's rate, rounded to the cent) and
 * one ProductTranslations per translated language. Covers the products given (a demo catalog is
 * small; at most MARKET_FACTS_LIMIT). Validated, so the seed never writes what the edge would refuse.
 */
export function demoMarketFacts(store: string, demo: DemoMarkets, products: readonly Product[], fetchedAt: number): MarketFacts[] {
  const shown = products.slice(0, MARKET_FACTS_LIMIT);
  return pricedMarkets(demo.markets).map(({ market, country }) => {
    const rate = demo.rates[market.handle] ?? 1;
    const fixed = demo.fixedPrices[market.handle] ?? {};
    const convert = (amount: string) => centsToDecimal(Math.round((toCents(amount) ?? 0) * rate));
    const prices: Record<string, MarketPrice> = {};
    for (const p of shown) {
      const f = fixed[p.handle];
      prices[p.handle.toLowerCase()] = {
        variantId: p.firstVariantId,
        price: f ? f.price : convert(p.price),
        compareAtPrice: f ? f.compareAtPrice : p.compareAtPrice === null ? null : convert(p.compareAtPrice),
        currency: market.currency,
      };
    }
    return parseMarketFacts({ store, country, currency: market.currency, prices, fetchedAt });
  });
}

export function demoTranslations(store: string, demo: DemoMarkets, fetchedAt: number): ProductTranslations[] {
  return Object.entries(demo.translations).map(([language, byHandle]) =>
    parseProductTranslations({ store, language, products: Object.fromEntries(Object.entries(byHandle).map(([h, t]) => [h.toLowerCase(), t])), fetchedAt }),
  );
}
