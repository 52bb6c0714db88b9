import { z } from "zod";
import { MARKET_LIMITS, canonicalCountry, canonicalCurrency, canonicalLanguage, parseShopMarkets, type ShopMarket, type ShopMarkets } from "./locale.ts";

/**
 * Reading a shop's markets and published languages from the Admin GraphQL API (issue 13), as the
 * edge's catalog sync does after a full sync and when its copy is older than MARKETS_TTL_MS:
 * - `shop.currencyCode`: the shop's base currency (the primary market's);
 * - `backupRegion`: the region Shopify uses when nothing better is known about a buyer (it replaced
 *   the "primary market" in API 2025-04) — our primary country;
 * - `shopLocales(published: true)`: the published languages, the primary one flagged;
 * - `markets`: each active market's countries (`conditions.regionsCondition`), its currency
 *   (`currencySettings.baseCurrency`) and the languages of its web presences.
 * Markets come a few per request: a market can hold up to 250 countries, and Shopify refuses a
 * query whose requested cost passes 1,000 points (3 × 250 countries stays under it). Platform-free:
 * the caller sends the query (core/admin-graphql.ts) and stores the ShopMarkets.
 */

/** Markets per request: 3 × (250 countries + the rest) ≈ 820 points of requested cost. */
export const MARKETS_PAGE_SIZE = 3;

/** A shop's markets are read again after this long (and after every full catalog sync). */
export const MARKETS_TTL_MS = 6 * 60 * 60 * 1000;

export const SHOP_MARKETS_QUERY = `#graphql
query WandShopMarkets($first: Int!, $after: String) {
  shop { currencyCode }
  backupRegion { ... on MarketRegionCountry { code } }
  shopLocales(published: true) { locale primary }
  markets(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      handle
      status
      currencySettings { baseCurrency { currencyCode } }
      conditions { regionsCondition { regions(first: 250) { nodes { ... on MarketRegionCountry { code } } } } }
      webPresences(first: 5) { nodes { defaultLocale { locale } alternateLocales { locale } } }
    }
  }
}`;

const localeRef = z.object({ locale: z.string() });
const marketNode = z.object({
  handle: z.string().min(1).max(255),
  status: z.string().nullish(),
  currencySettings: z.object({ baseCurrency: z.object({ currencyCode: z.string() }) }).nullish(),
  conditions: z
    .object({ regionsCondition: z.object({ regions: z.object({ nodes: z.array(z.object({ code: z.string().optional() }).passthrough()) }) }).nullish() })
    .nullish(),
  webPresences: z.object({ nodes: z.array(z.object({ defaultLocale: localeRef.nullish(), alternateLocales: z.array(localeRef).nullish() })) }).nullish(),
});

const pageSchema = z.object({
  shop: z.object({ currencyCode: z.string() }),
  backupRegion: z.object({ code: z.string().optional() }).passthrough().nullish(),
  shopLocales: z.array(z.object({ locale: z.string(), primary: z.boolean() })),
  markets: z.object({
    pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() }),
    // Checked one by one: one odd market is skipped, not the shop.
    nodes: z.array(z.unknown()),
  }),
});

export interface MarketsPage {
  shop: z.infer<typeof pageSchema>["shop"];
  backupCountry: string | null;
  locales: { locale: string; primary: boolean }[];
  markets: ShopMarket[];
  /** Markets left out, with why (a draft, a market of no countries, an unknown currency). */
  skipped: string[];
  next: string | null;
}

/** One page of the query's `data`; throws a TypeError when it is not the query's shape. */
export function marketsPageFromResponse(data: unknown): MarketsPage {
  const parsed = pageSchema.safeParse(data);
  if (!parsed.success) throw new TypeError(`unexpected markets answer: ${parsed.error.issues[0]?.path.join(".") ?? ""} ${parsed.error.issues[0]?.message ?? ""}`.trim());
  const { shop, backupRegion, shopLocales, markets } = parsed.data;
  const out: ShopMarket[] = [];
  const skipped: string[] = [];
  for (const raw of markets.nodes) {
    const node = marketNode.safeParse(raw);
    if (!node.success) {
      skipped.push("a market node of an unknown shape");
      continue;
    }
    const m = node.data;
    // Draft markets serve nobody; ACTIVE is the only other status (older versions have none).
    if (m.status && m.status !== "ACTIVE") {
      skipped.push(`${m.handle}: ${m.status.toLowerCase()}`);
      continue;
    }
    const countries = [...new Set((m.conditions?.regionsCondition?.regions.nodes ?? []).map((r) => canonicalCountry(r.code)).filter((c): c is string => c !== null))];
    if (countries.length === 0) {
      // B2B (company location) and retail location markets have no countries: no storefront shopper is in them.
      skipped.push(`${m.handle}: no countries`);
      continue;
    }
    const currency = canonicalCurrency(m.currencySettings?.baseCurrency.currencyCode) ?? canonicalCurrency(shop.currencyCode);
    if (currency === null) {
      skipped.push(`${m.handle}: no currency`);
      continue;
    }
    const languages: string[] = [];
    for (const p of m.webPresences?.nodes ?? []) {
      for (const l of [p.defaultLocale, ...(p.alternateLocales ?? [])]) {
        const tag = canonicalLanguage(l?.locale);
        if (tag !== null && !languages.includes(tag)) languages.push(tag);
      }
    }
    out.push({ handle: m.handle, countries: countries.slice(0, MARKET_LIMITS.countriesPerMarket), currency, languages: languages.slice(0, MARKET_LIMITS.languages) });
  }
  return {
    shop,
    backupCountry: canonicalCountry(backupRegion?.code),
    locales: shopLocales,
    markets: out,
    skipped,
    next: markets.pageInfo.hasNextPage && markets.pageInfo.endCursor ? markets.pageInfo.endCursor : null,
  };
}

/**
 * The ShopMarkets of the pages read (in order), validated (parseShopMarkets):
 * - primary language: the primary published locale (else the first; "en" when none is published);
 * - primary currency: the shop's base currency;
 * - primary country: the backup region, else the first country of a market selling in the base
 *   currency, else the first market's; "US" only for a shop with no markets at all;
 * - a market's languages: only published ones (a web presence may list an unpublished locale).
 * At most MARKET_LIMITS.markets markets; a country listed by two markets stays with the first.
 */
export function shopMarketsFromPages(pages: readonly MarketsPage[]): ShopMarkets {
  const first = pages[0];
  if (!first) throw new TypeError("no markets page read");
  const published: string[] = [];
  let primaryLanguage: string | null = null;
  for (const l of first.locales) {
    const tag = canonicalLanguage(l.locale);
    if (tag === null || published.includes(tag)) continue;
    published.push(tag);
    if (l.primary && primaryLanguage === null) primaryLanguage = tag;
  }
  const language = primaryLanguage ?? published[0] ?? "en";
  const languages = [language, ...published.filter((l) => l !== language)].slice(0, MARKET_LIMITS.languages);
  const currency = canonicalCurrency(first.shop.currencyCode) ?? "USD";

  const seen = new Set<string>();
  const markets: ShopMarket[] = [];
  for (const m of pages.flatMap((p) => p.markets)) {
    if (markets.length >= MARKET_LIMITS.markets) break;
    const countries = m.countries.filter((c) => !seen.has(c));
    if (countries.length === 0) continue;
    for (const c of countries) seen.add(c);
    markets.push({ ...m, countries, languages: m.languages.filter((l) => languages.includes(l)) });
  }
  const country = first.backupCountry ?? markets.find((m) => m.currency === currency)?.countries[0] ?? markets[0]?.countries[0] ?? "US";
  return parseShopMarkets({ primary: { country, language, currency }, markets, languages });
}
