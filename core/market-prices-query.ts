import { z } from "zod";
import { normaliseDecimal } from "./money.ts";
import { MARKET_FACTS_LIMIT, type MarketFacts, type MarketPrice } from "./market-prices.ts";

/**
 * Reading a market's prices from Shopify for a bounded list of variants: the Admin API's
 * `ProductVariant.contextualPricing(context: {country})`, which gives the price Shopify charges in
 * that country — converted from the base currency, or the fixed price of the market's price list.
 * Asked for the variants a persona page shows (≤ 24; all four personas ≤ 96), never for the
 * catalog, so the cost of markets grows with pages shown, not with products × countries.
 *
 * The query and the response parser live here, platform-free; the caller sends the query with the
 * shop's token (core/admin-graphql.ts) and stores the MarketFacts.
 */

/** Shopify's `nodes(ids:)` takes at most 250 ids; a page needs far fewer. */
export const MARKET_PRICE_IDS_LIMIT = 250;

export const MARKET_PRICES_QUERY = `#graphql
query WandMarketPrices($ids: [ID!]!, $country: CountryCode!) {
  nodes(ids: $ids) {
    ... on ProductVariant {
      id
      product { handle }
      contextualPricing(context: { country: $country }) {
        price { amount currencyCode }
        compareAtPrice { amount currencyCode }
      }
    }
  }
}`;

/** "4401234567890" → "gid://shopify/ProductVariant/4401234567890". */
export function variantGid(variantId: string): string {
  return `gid://shopify/ProductVariant/${variantId}`;
}

/** The query's variables for the first variants of these products (each variant once), in one country. */
export function marketPricesVariables(products: readonly { firstVariantId: string }[], country: string): { ids: string[]; country: string } {
  const ids = [...new Set(products.map((p) => p.firstVariantId).filter((id) => /^\d+$/.test(id)))].map(variantGid);
  if (ids.length > Math.min(MARKET_PRICE_IDS_LIMIT, MARKET_FACTS_LIMIT)) throw new RangeError(`${ids.length} variants: ask for the products of one page at a time`);
  if (!/^[A-Z]{2}$/.test(country)) throw new RangeError(`invalid country code: ${JSON.stringify(country)}`);
  return { ids, country };
}

const money = z.object({ amount: z.union([z.string(), z.number()]).transform(String), currencyCode: z.string() });
const variantNode = z.object({
  id: z.string(),
  product: z.object({ handle: z.string().min(1) }),
  contextualPricing: z.object({ price: money, compareAtPrice: money.nullable().optional() }),
});
const responseData = z.object({ nodes: z.array(z.unknown()) });

export interface ParsedMarketPrices {
  facts: MarketFacts;
  /** Variants left out, each with the reason (gone, another currency, a malformed amount). */
  skipped: string[];
}

/**
 * MarketFacts from the query's `data`. A price is copied as Shopify gave it (normalised to two
 * decimals), never converted here: a variant priced in another currency than the market's is left
 * out, so its card keeps the shop's own facts rather than a wrong label.
 */
export function marketFactsFromResponse(data: unknown, o: { store: string; country: string; currency: string; fetchedAt: number }): ParsedMarketPrices {
  const parsed = responseData.safeParse(data);
  if (!parsed.success) throw new TypeError("contextual pricing response without nodes");
  const prices: Record<string, MarketPrice> = {};
  const skipped: string[] = [];
  for (const raw of parsed.data.nodes) {
    // A deleted variant comes back as null; anything else not a variant is skipped likewise.
    const node = variantNode.safeParse(raw);
    if (!node.success) {
      skipped.push(raw === null ? "a variant that no longer exists" : "a node that is not a priced variant");
      continue;
    }
    const { id, product, contextualPricing } = node.data;
    const variantId = /\/(\d+)$/.exec(id)?.[1];
    const price = normaliseDecimal(contextualPricing.price.amount);
    const compare = contextualPricing.compareAtPrice ?? null;
    const compareAtPrice = compare === null ? null : normaliseDecimal(compare.amount);
    if (variantId === undefined || price === null || (compare !== null && compareAtPrice === null)) {
      skipped.push(`${id}: malformed price`);
      continue;
    }
    if (contextualPricing.price.currencyCode !== o.currency || (compare !== null && compare.currencyCode !== o.currency)) {
      skipped.push(`${id}: priced in ${contextualPricing.price.currencyCode}, the market sells in ${o.currency}`);
      continue;
    }
    prices[product.handle.toLowerCase()] = { variantId, price, compareAtPrice, currency: o.currency };
  }
  return { facts: { store: o.store, country: o.country, currency: o.currency, prices, fetchedAt: o.fetchedAt }, skipped };
}
