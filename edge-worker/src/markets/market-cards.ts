import { cardLocaleFor, type ShopperLocale } from "../../../core/locale.ts";
import { applyMarketFacts, marketFactsVersion, type MarketFacts } from "../../../core/market-prices.ts";
import type { CardLocale } from "../../../core/product-card.ts";
import type { Product } from "../../../core/types.ts";

/**
 * How a page's product cards are filled for a shopper's market (issue 13): the market's prices laid
 * over the products (core/market-prices.ts applyMarketFacts: only where the variant matches; the
 * rest keep the shop's price in the shop's currency) and the page language's strings with the
 * shopper's number format. `key` names all of it, so the serve-time card memo (live-cards.ts) is
 * keyed by page + facts version + market facts version + locale, and a hit rebuilds nothing.
 */
export interface MarketCards {
  key: string;
  locale: CardLocale;
  /** The products as the market sells them, and the handles its facts lacked. */
  products(products: readonly Product[]): { products: Product[]; missing: string[] };
}


const versions = new WeakMap<MarketFacts, string>();

function versionOf(facts: MarketFacts | null): string {
  if (facts === null) return "base";
  let v = versions.get(facts);
  if (v === undefined) versions.set(facts, (v = marketFactsVersion(facts)));
  return v;
}

// One per (facts snapshot, locale): both are stable memo objects, so a hit allocates nothing.
const byFacts = new WeakMap<object, WeakMap<ShopperLocale, MarketCards>>();
const NO_FACTS = {};

export function marketCards(facts: MarketFacts | null, locale: ShopperLocale): MarketCards {
  const anchor = facts ?? NO_FACTS;
  let byLocale = byFacts.get(anchor);
  if (!byLocale) byFacts.set(anchor, (byLocale = new WeakMap()));
  let cards = byLocale.get(locale);
  if (!cards) {
    cards = {
      key: `${versionOf(facts)}|${locale.pageLanguage}|${locale.formatLocale}`,
      locale: cardLocaleFor(locale),
      products: (products) => applyMarketFacts(products, facts),
    };
    byLocale.set(locale, cards);
  }
  return cards;
}
