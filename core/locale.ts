import { z } from "zod";
import { messagesFor } from "./locales/index.ts";
import type { CardLocale } from "./product-card.ts";

/**
 * The shopper's market context: country, currency and language (issue 13, "Context reaches the
 * edge"). Through the app proxy the theme extension adds `country`, `language`, `currency` and
 * `root_url` (Liquid `localization.country.iso_code`, `request.locale.iso_code`,
 * `localization.country.currency.iso_code`, `routes.root_url`) as query parameters that Shopify's
 * signature covers; the direct route takes `?country=&language=`.
 *
 * Only what the shop actually has counts: a country of one of its markets, a language it publishes
 * (in that market), the market's currency. Anything absent, malformed or unknown falls back to the
 * shop's primary market and language, so the values that reach a cache key (the page language) are
 * bounded by the shop's published languages whatever a request says — never a key per made-up value.
 * The country and currency never reach a cache key: prices are expanded into the cards at serve time.
 */

/** The shop's primary market and language: what a shopper without (valid) context gets. */
export interface MarketDefaults {
  /** ISO 3166-1 alpha-2, uppercase ("US"). */
  country: string;
  /** BCP 47 as Shopify writes locales ("en", "pt-BR"). */
  language: string;
  /** ISO 4217, uppercase ("USD"). */
  currency: string;
}

export interface ShopMarket {
  /** Shopify's market handle ("france", "us"). */
  handle: string;
  countries: string[];
  /** The currency the market sells in. */
  currency: string;
  /** The market's languages, its default first; empty: every published language. */
  languages: string[];
}

/** The markets and languages of one shop, as the catalog sync reads them from Shopify. */
export interface ShopMarkets {
  primary: MarketDefaults;
  markets: ShopMarket[];
  /** The shop's published languages (the primary one included). */
  languages: string[];
}

/** What a request says, raw. */
export interface LocaleQuery {
  country?: string | null;
  language?: string | null;
  currency?: string | null;
  /** Liquid `routes.root_url`: "/" or a market's locale prefix ("/fr", "/en-ca"). */
  rootUrl?: string | null;
}

/** The resolved context of one shopper's request. */
export interface ShopperLocale {
  /** One of the shop's market countries (or the primary country). */
  country: string;
  /** Handle of the market that country belongs to ("primary" when the shop lists none). */
  market: string;
  /** The market's currency: what the cards' prices are in. */
  currency: string;
  /** The shopper's language: one the shop publishes in that market. */
  language: string;
  /**
   * The language the page is served (and generated) in: `language` when the merchant has pages
   * generated in it, else the shop's primary language. The only locale value in a cache key.
   */
  pageLanguage: string;
  /** BCP 47 tag for Intl number formats: the page language with the shopper's country ("fr-FR"). */
  formatLocale: string;
  /** The market's locale prefix for links and forms ("" or "/fr"); never part of a cache key. */
  rootPath: string;
  /** What was ignored or replaced, and why (for the preview's explanation and the logs). */
  reasons: string[];
}

// Bounds of a shop's markets: above Shopify's own limits, small enough to scan per request.
export const MARKET_LIMITS = { markets: 100, countriesPerMarket: 250, languages: 50 } as const;

const LANGUAGE_SHAPE = /^[a-z]{2,3}(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?$/i;

/** A language tag in its canonical casing ("FR" → "fr", "pt-br" → "pt-BR", "zh-hant-tw" → "zh-Hant-TW"), or null. */
export function canonicalLanguage(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const tag = value.trim().replace(/_/g, "-");
  if (!LANGUAGE_SHAPE.test(tag)) return null;
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null;
  } catch {
    return null;
  }
}

/** "fr" of "fr-CA". */
export function primaryLanguage(tag: string): string {
  return tag.split("-")[0]!.toLowerCase();
}

/** An ISO 3166-1 alpha-2 code in uppercase, or null. */
export function canonicalCountry(value: unknown): string | null {
  return typeof value === "string" && /^[a-z]{2}$/i.test(value.trim()) ? value.trim().toUpperCase() : null;
}

/** An ISO 4217 code in uppercase, or null. */
export function canonicalCurrency(value: unknown): string | null {
  return typeof value === "string" && /^[a-z]{3}$/i.test(value.trim()) ? value.trim().toUpperCase() : null;
}

const RTL = new Set(["ar", "arc", "dv", "fa", "ha", "he", "iw", "ks", "ku", "ps", "sd", "ug", "ur", "yi"]);

/** The text direction of a language, for the page's `dir`. */
export function textDirection(language: string): "ltr" | "rtl" {
  return RTL.has(primaryLanguage(language)) ? "rtl" : "ltr";
}

/** The handle of the shop's primary market when its markets are not known (or do not list its country). */
const PRIMARY_HANDLE = "primary";

/** A shop with one market: its primary country, currency and language (before markets are synced). */
export function singleMarketShop(primary: MarketDefaults): ShopMarkets {
  return { primary: { ...primary }, markets: [{ handle: PRIMARY_HANDLE, countries: [primary.country], currency: primary.currency, languages: [primary.language] }], languages: [primary.language] };
}

/** The first of `candidates` equal to `wanted`, else the first with the same primary language subtag. */
function matchLanguage(wanted: string, candidates: readonly string[]): string | null {
  const exact = candidates.find((c) => c === wanted);
  if (exact) return exact;
  const base = primaryLanguage(wanted);
  return candidates.find((c) => c === base) ?? candidates.find((c) => primaryLanguage(c) === base) ?? null;
}

// Language and country come from the shop's markets, so this stays small; the bound is a safety net.
const formatLocales = new Map<string, string>();

function formatLocaleOf(language: string, country: string): string {
  const key = `${language}|${country}`;
  let tag = formatLocales.get(key);
  if (tag === undefined) {
    try {
      tag = new Intl.Locale(language, { region: country }).toString();
    } catch {
      tag = language;
    }
    if (formatLocales.size >= 1000) formatLocales.clear();
    formatLocales.set(key, tag);
  }
  return tag;
}

/** How the cards speak to this shopper: the page language's strings, the shopper's number format. */
export function cardLocaleFor(l: Pick<ShopperLocale, "pageLanguage" | "formatLocale">): CardLocale {
  return { messages: messagesFor(l.pageLanguage).messages, formatLocale: l.formatLocale };
}

/** The languages pages are generated in: the merchant's choice among the published ones ([] = all). */
export function generatedLanguagesOf(shop: ShopMarkets, generatedLanguages: readonly string[] | undefined): string[] {
  const { published } = indexOf(shop);
  if (!generatedLanguages || generatedLanguages.length === 0) return [...published];
  const chosen = generatedLanguages.map(canonicalLanguage).filter((l): l is string => l !== null && published.includes(l));
  return chosen.length ? [...new Set(chosen)] : published.slice(0, 1);
}

/** The published languages, canonical, the primary first. */
export function publishedLanguages(shop: ShopMarkets): string[] {
  const all = [shop.primary.language, ...shop.languages].map(canonicalLanguage).filter((l): l is string => l !== null);
  return [...new Set(all)];
}

interface MarketsIndex {
  primaryCountry: string;
  published: string[];
  /** Country → its market with the market's offered languages (canonical, published ones only). */
  byCountry: Map<string, { market: ShopMarket; offered: string[] }>;
  fallback: { market: ShopMarket; offered: string[] };
}

// A shop's markets are a snapshot object reused across requests: index it once per object, so a
// request costs a few map lookups however many markets and countries the shop has.
const indexes = new WeakMap<ShopMarkets, MarketsIndex>();

function indexOf(shop: ShopMarkets): MarketsIndex {
  let index = indexes.get(shop);
  if (index) return index;
  const primaryCountry = canonicalCountry(shop.primary.country) ?? "US";
  const published = publishedLanguages(shop);
  const offeredIn = (m: ShopMarket) => {
    const inMarket = m.languages.map(canonicalLanguage).filter((l): l is string => l !== null && published.includes(l));
    return inMarket.length ? [...new Set(inMarket)] : published;
  };
  const byCountry = new Map<string, { market: ShopMarket; offered: string[] }>();
  for (const market of shop.markets) {
    const entry = { market, offered: offeredIn(market) };
    for (const c of market.countries) {
      const code = canonicalCountry(c);
      // A country in two markets belongs to the first, as listed.
      if (code !== null && !byCountry.has(code)) byCountry.set(code, entry);
    }
  }
  const fallbackMarket: ShopMarket = { handle: PRIMARY_HANDLE, countries: [primaryCountry], currency: shop.primary.currency, languages: [] };
  index = { primaryCountry, published, byCountry, fallback: { market: fallbackMarket, offered: published } };
  indexes.set(shop, index);
  return index;
}

/** The market a country belongs to (the first listing it), or null when no market of the shop does. */
export function marketOfCountry(shop: ShopMarkets, country: string): ShopMarket | null {
  const code = canonicalCountry(country);
  return code === null ? null : (indexOf(shop).byCountry.get(code)?.market ?? null);
}

/**
 * The markets whose prices are not the shop's own: every market but the primary country's. Their
 * prices come from Shopify's contextual pricing, read for the market's first country — a price list
 * belongs to a market, and a market sells in one currency, so each of its countries pays the same.
 */
export function pricedMarkets(shop: ShopMarkets): { market: ShopMarket; country: string }[] {
  const { primaryCountry } = indexOf(shop);
  const out: { market: ShopMarket; country: string }[] = [];
  for (const market of shop.markets) {
    const countries = market.countries.map(canonicalCountry).filter((c): c is string => c !== null);
    const country = countries[0];
    if (country === undefined || countries.includes(primaryCountry)) continue;
    out.push({ market, country });
  }
  return out;
}

/**
 * The shopper's country, market, currency and languages from a request's (untrusted) values.
 * Deterministic; never throws; whatever the query, `pageLanguage` is one of the shop's published
 * languages and `country` one of its market countries (or the primary one).
 */
export function resolveShopperLocale(query: LocaleQuery, shop: ShopMarkets, o: { generatedLanguages?: readonly string[] } = {}): ShopperLocale {
  const reasons: string[] = [];
  const { primaryCountry, published, byCountry, fallback } = indexOf(shop);

  let country = primaryCountry;
  const askedCountry = canonicalCountry(query.country);
  if (askedCountry !== null && (askedCountry === primaryCountry || byCountry.has(askedCountry))) country = askedCountry;
  else if (present(query.country)) reasons.push(`country ${quote(query.country)} is not in the shop's markets: ${primaryCountry}`);

  const { market, offered } = byCountry.get(country) ?? fallback;
  const currency = canonicalCurrency(market.currency) ?? canonicalCurrency(shop.primary.currency) ?? "USD";
  const askedCurrency = canonicalCurrency(query.currency);
  if (present(query.currency) && askedCurrency !== currency) reasons.push(`currency ${quote(query.currency)} ignored: market ${market.handle} sells in ${currency}`);

  const askedLanguage = canonicalLanguage(query.language);
  let language = askedLanguage === null ? null : matchLanguage(askedLanguage, offered);
  if (language === null) {
    if (present(query.language)) reasons.push(`language ${quote(query.language)} is not published in market ${market.handle}`);
    language = offered[0] ?? published[0] ?? "en";
  }

  const generated = generatedLanguagesOf(shop, o.generatedLanguages);
  let pageLanguage = language;
  if (!generated.includes(language)) {
    pageLanguage = published[0] ?? language;
    reasons.push(`no pages in ${language}: the shop's primary language ${pageLanguage}`);
  }

  return { country, market: market.handle, currency, language, pageLanguage, formatLocale: formatLocaleOf(pageLanguage, country), rootPath: rootPathOf(query.rootUrl, published, reasons), reasons };
}

/**
 * A market's locale prefix from Liquid `routes.root_url`: "" for "/", "/fr" or "/fr-ca" when its
 * language is one the shop publishes; anything else is ignored (links then start at the shop's root).
 */
function rootPathOf(rootUrl: string | null | undefined, published: readonly string[], reasons: string[]): string {
  if (!present(rootUrl) || rootUrl === "/") return "";
  const m = /^\/([a-z]{2,3}(?:-[a-z0-9]{2,4})?)\/?$/i.exec(rootUrl!.trim());
  const language = m ? canonicalLanguage(m[1]!.split("-")[0]) : null;
  if (!m || language === null || !published.some((l) => primaryLanguage(l) === language)) {
    reasons.push(`root_url ${quote(rootUrl)} ignored`);
    return "";
  }
  return `/${m[1]!.toLowerCase()}`;
}

function present(value: string | null | undefined): value is string {
  return typeof value === "string" && value.trim() !== "";
}

/** A request value in a reason: quoted, clipped, so a long or odd value cannot flood a log line. */
function quote(value: string | null | undefined): string {
  const s = String(value ?? "");
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 39)}…` : s);
}

const country = z.string().regex(/^[A-Z]{2}$/, "an ISO 3166-1 alpha-2 country code");
const currency = z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 currency code");
const language = z.string().refine((v) => canonicalLanguage(v) === v, "a BCP 47 language tag in canonical form (\"fr\", \"pt-BR\")");

/** The schema of a ShopMarkets snapshot (KV, D1 JSON column), validated where it is read. */
export const shopMarketsSchema = z.object({
  primary: z.object({ country, language, currency }),
  markets: z
    .array(
      z.object({
        handle: z.string().min(1).max(255),
        countries: z.array(country).max(MARKET_LIMITS.countriesPerMarket),
        currency,
        languages: z.array(language).max(MARKET_LIMITS.languages),
      }),
    )
    .max(MARKET_LIMITS.markets),
  languages: z.array(language).min(1).max(MARKET_LIMITS.languages),
}) satisfies z.ZodType<ShopMarkets>;

/** Validates a ShopMarkets value; throws a ZodError with the field errors. */
export function parseShopMarkets(value: unknown): ShopMarkets {
  return shopMarketsSchema.parse(value);
}
