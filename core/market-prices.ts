import { z } from "zod";
import { hashString } from "./hash.ts";
import { normaliseDecimal } from "./money.ts";
import type { Product } from "./types.ts";

/**
 * Live facts per market (issue 13, "Prices per market"). A persona page shows a bounded selection,
 * so a market's prices are needed only for those products: MarketFacts holds, for one country, the
 * price, compare-at price, currency and (optionally) availability of each selected product's
 * first variant, as Shopify's contextual pricing gives them (converted prices and fixed price-list
 * prices alike). They are laid over the selection's products before the slots are expanded
 * (core/product-slots.ts), so a market's price change, like any price change, costs no LLM call
 * and no new page.
 *
 * A product the market facts do not cover (not fetched yet, or its first variant changed since)
 * keeps the shop's own facts and is reported in `missing`, so the caller can refresh them: its
 * card then shows the shop's price in the shop's currency, labelled as such — never a number
 * converted here. Prices are only ever copied, never computed.
 */

export interface MarketPrice {
  /** The variant the price is for (numeric id, as Product.firstVariantId). */
  variantId: string;
  /** Decimal strings, as Shopify writes them. */
  price: string;
  compareAtPrice: string | null;
  /** ISO 4217: the market's currency. */
  currency: string;
  /** Availability in this market, when it differs from the shop's (absent: the shop's). */
  available?: boolean;
}

export interface MarketFacts {
  store: string;
  /** ISO 3166-1 alpha-2: the country the prices were asked for. */
  country: string;
  /** The market's currency. */
  currency: string;
  /** By product handle (lowercase). */
  prices: Record<string, MarketPrice>;
  /** Epoch ms the prices were read from Shopify. */
  fetchedAt: number;
}

/** A market's facts are refreshed on product webhooks, and at the latest after this long. */
export const MARKET_FACTS_TTL_MS = 15 * 60 * 1000;

/** Above what one persona selection holds (24) and what all four together hold (96). */
export const MARKET_FACTS_LIMIT = 200;

export interface MarketProducts {
  /** The products with the market's facts where the market facts have them. */
  products: Product[];
  /** Handles shown with the shop's own facts because the market's were missing or for another variant. */
  missing: string[];
}

/**
 * The products as the market sells them. With no market facts (the shopper is in the shop's
 * primary market, or none are stored yet), the products are returned as they are; a product
 * already in the market's currency is never missing.
 */
export function applyMarketFacts(products: readonly Product[], facts: MarketFacts | null): MarketProducts {
  if (facts === null) return { products: [...products], missing: [] };
  const missing: string[] = [];
  const out = products.map((p) => {
    const fact = facts.prices[p.handle.toLowerCase()];
    if (fact && fact.variantId === p.firstVariantId && fact.currency === facts.currency) {
      return { ...p, price: fact.price, compareAtPrice: fact.compareAtPrice, currency: fact.currency, ...(fact.available === undefined ? {} : { available: fact.available }) };
    }
    if (p.currency !== facts.currency) missing.push(p.handle);
    return p;
  });
  return { products: out, missing };
}

/** Too old to trust without a refresh (the caller still serves it while it refreshes). */
export function marketFactsExpired(facts: MarketFacts, now: number): boolean {
  return now - facts.fetchedAt > MARKET_FACTS_TTL_MS;
}

/**
 * A hash of everything in the facts that shows on a card: with the page id, the selection's
 * factsVersion and the page language, the key of a serve-time card memo. `fetchedAt` is left out,
 * so a refresh that changed nothing keeps the memo.
 */
export function marketFactsVersion(facts: MarketFacts | null): string {
  if (facts === null) return "base";
  const entries = Object.keys(facts.prices)
    .sort()
    .map((h) => {
      const f = facts.prices[h]!;
      return `${h}=${f.variantId}:${f.price}:${f.compareAtPrice ?? ""}:${f.currency}:${f.available ?? ""}`;
    });
  return hashString(`${facts.country}|${facts.currency}|${entries.join(",")}`);
}

const decimal = z
  .string()
  .refine((v) => normaliseDecimal(v) !== null, "a decimal string such as \"50.00\"")
  .transform((v) => normaliseDecimal(v)!);
const currency = z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 currency code");

export const marketFactsSchema = z
  .object({
    store: z.string().min(1).max(100),
    country: z.string().regex(/^[A-Z]{2}$/, "an ISO 3166-1 alpha-2 country code"),
    currency,
    prices: z
      .record(
        z.string().min(1).max(255),
        z.object({ variantId: z.string().regex(/^\d+$/, "a numeric variant id"), price: decimal, compareAtPrice: decimal.nullable(), currency, available: z.boolean().optional() }),
      )
      .refine((r) => Object.keys(r).length <= MARKET_FACTS_LIMIT, `at most ${MARKET_FACTS_LIMIT} products`)
      .refine((r) => Object.keys(r).every((h) => h === h.toLowerCase()), "handles in lowercase"),
    fetchedAt: z.number().int().min(0),
  })
  .superRefine((f, ctx) => {
    for (const [handle, p] of Object.entries(f.prices)) {
      if (p.currency !== f.currency) ctx.addIssue({ code: "custom", path: ["prices", handle, "currency"], message: `${p.currency} in a ${f.currency} market` });
    }
  });

/** Validates stored market facts (KV snapshot); throws a ZodError with the field errors. */
export function parseMarketFacts(value: unknown): MarketFacts {
  return marketFactsSchema.parse(value);
}
