import { z } from "zod";
import { generatedLanguagesOf, publishedLanguages, singleMarketShop, type LocaleQuery, type ShopMarkets, type ShopperLocale } from "../../../core/locale.ts";
import { applyMarketFacts, type MarketFacts } from "../../../core/market-prices.ts";
import { askMarketsRefresh } from "./markets-refresh.ts";
import { DEFAULT_JOB_LANGUAGE, type PersonaSelection, type ShopSettings } from "../../../core/types.ts";
import { loadMarketFactsIn, peekMarketFactsIn } from "./market-facts-store.ts";
import { marketCards, type MarketCards } from "./market-cards.ts";
import { DEFAULT_PRIMARY, loadShopMarkets, peekShopMarkets } from "./markets-store.ts";
import { translatedOnce } from "./selection-language.ts";
import { boundedLocaleValue, localeFor } from "./shopper-locale.ts";
import { loadTranslationsIn, peekTranslationsIn } from "./translations-store.ts";

/**
 * A shopper's market context on the request path, in one piece for the shopper page
 * (shopper-page.ts): the resolved locale (country, market, currency, page language, locale prefix),
 * the persona's selection in the page language, and the card filling for the market's prices.
 * `peekPageMarket` answers from this isolate's copies without a promise (a memory hit stays
 * synchronous); `loadPageMarket` reads what is missing. Never a reason to fail a page: without
 * market facts the cards keep the shop's prices, without translations the shop's text.
 */
export interface PageMarket {
  locale: ShopperLocale;
  selection: PersonaSelection;
  facts: MarketFacts | null;
  cards: MarketCards;
  /** What `locale` was resolved from: the same three give the same locale without resolving it. */
  from: { markets: ShopMarkets; query: LocaleQuery; generatedLanguages: readonly string[] };
}

type Waiter = Pick<ExecutionContext, "waitUntil">;

/**
 * `previous`: what an earlier request got; given back as it is when its parts are the current ones,
 * so callers can tell by identity that nothing changed (shopper-page.ts keeps what it derived from it).
 */
export function peekPageMarket(env: Env, waiter: Waiter, settings: ShopSettings, selection: PersonaSelection, query: LocaleQuery, previous?: PageMarket): PageMarket | null {
  // One look at the shop's markets: the locale, the translations and the prices all read it.
  const markets = peekShopMarkets(env, settings.store, waiter);
  if (!markets) return null;
  const from = previous?.from;
  const locale =
    from && from.markets === markets && from.query === query && from.generatedLanguages === settings.generatedLanguages
      ? previous!.locale
      : localeFor(markets, query, settings.generatedLanguages);
  const translations = peekTranslationsIn(env, settings.store, markets, locale.pageLanguage, waiter);
  if (!translations) return null;
  const localized = translatedOnce(selection, translations.value);
  const facts = peekMarketFactsIn(env, settings.store, markets, locale.country, waiter);
  if (!facts) return null;
  if (previous && previous.locale === locale && previous.selection === localized && previous.facts === facts.value) return previous;
  return { locale, selection: localized, facts: facts.value, cards: marketCards(facts.value, locale), from: { markets, query, generatedLanguages: settings.generatedLanguages } };
}

export async function loadPageMarket(env: Env, waiter: Waiter, settings: ShopSettings, selection: PersonaSelection, query: LocaleQuery): Promise<PageMarket> {
  let markets: ShopMarkets;
  try {
    markets = await loadShopMarkets(env, settings.store, waiter);
  } catch (error) {
    // Without its markets the shop is served as before markets: its primary market, its own prices.
    console.warn("markets unavailable, the shop's primary market", settings.store, error);
    markets = singleMarketShop({ ...DEFAULT_PRIMARY, currency: selection.products[0]?.currency ?? "USD" });
  }
  const locale = localeFor(markets, query, settings.generatedLanguages);
  const [translations, facts] = await Promise.all([
    loadTranslationsIn(env, settings.store, markets, locale.pageLanguage, waiter).catch((error: unknown) => {
      console.warn("translations unavailable, the shop's own text", settings.store, locale.pageLanguage, error);
      return null;
    }),
    loadMarketFactsIn(env, settings.store, markets, locale.country, waiter).catch((error: unknown) => {
      console.warn("market prices unavailable, the shop's own prices", settings.store, locale.country, error);
      return null;
    }),
  ]);
  // A selected product the market's facts lack (a new selection member, a changed first variant)
  // shows the shop's own price until the facts are read again: ask for that now, not at the TTL.
  if (facts !== null && applyMarketFacts(selection.products, facts).missing.length > 0) askMarketsRefresh(env, settings.store, ["prices"], waiter, { lacking: true });
  return { locale, selection: translatedOnce(selection, translations), facts, cards: marketCards(facts, locale), from: { markets, query, generatedLanguages: settings.generatedLanguages } };
}

/**
 * The app proxy's market context: Shopify adds nothing itself, the theme extension passes Liquid's
 * `localization.country.iso_code`, `request.locale.iso_code`, `localization.country.currency.iso_code`
 * and `routes.root_url` as `country`, `language`, `currency`, `root_url` — covered by the proxy
 * signature, so they are the shop's own values. Over-long values are dropped (→ the primary market).
 */
export function proxyLocaleQuery(params: URLSearchParams): LocaleQuery {
  return {
    country: boundedLocaleValue(params.get("country")),
    language: boundedLocaleValue(params.get("language")),
    currency: boundedLocaleValue(params.get("currency")),
    rootUrl: boundedLocaleValue(params.get("root_url")),
  };
}

/** The direct route's `?country=` and `?language=` (well-formed or a 400; unknown ones fall back to the primary market). */
export const COUNTRY_VALUE = /^[A-Za-z]{2}$/;
export const LANGUAGE_VALUE = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}$/;
export const DIRECT_LOCALE_PARAMS = {
  country: z.string().regex(COUNTRY_VALUE, "country must be a two-letter ISO 3166-1 code such as FR"),
  language: z.string().max(35, "language must be at most 35 characters").regex(LANGUAGE_VALUE, "language must be a language tag such as fr or pt-BR"),
};

/**
 * The language segment of a page's cache key and `latest` copy: none for English, the page language
 * otherwise. Every page was English before languages, under keys without a segment: English pages
 * keep those keys (nothing is regenerated by the deploy), and any other language — a non-English
 * primary one included — has keys of its own.
 */
export function keyLanguage(pageLanguage: string): string | undefined {
  return pageLanguage === DEFAULT_JOB_LANGUAGE ? undefined : pageLanguage;
}

/** The page languages of a shop: its generated languages (core/locale.ts generatedLanguagesOf), the primary one first. */
export function pageLanguagesOf(markets: ShopMarkets, settings: Pick<ShopSettings, "generatedLanguages">): string[] {
  const primary = publishedLanguages(markets)[0];
  const generated = generatedLanguagesOf(markets, settings.generatedLanguages);
  return primary !== undefined && generated.includes(primary) ? [primary, ...generated.filter((l) => l !== primary)] : generated;
}
