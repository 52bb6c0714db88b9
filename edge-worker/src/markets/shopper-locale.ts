import { resolveShopperLocale, type LocaleQuery, type ShopMarkets, type ShopperLocale } from "../../../core/locale.ts";

/**
 * The shopper's market and language for a request (core/locale.ts resolveShopperLocale), memoised
 * per shop's markets snapshot and raw request values: a hit is one map lookup. The values are
 * bounded by the routes (each ≤ LOCALE_VALUE_MAX characters) and the memo per snapshot is capped,
 * so odd or hostile values cost a resolve each, never memory; whatever they are, the resolved
 * page language is one of the shop's published languages.
 */
export const LOCALE_VALUE_MAX = 64;
const PER_SHOP_LIMIT = 512;

const resolved = new WeakMap<ShopMarkets, Map<string, ShopperLocale>>();

export function localeFor(markets: ShopMarkets, query: LocaleQuery, generatedLanguages: readonly string[]): ShopperLocale {
  const memoKey = `${query.country ?? ""}\u0000${query.language ?? ""}\u0000${query.currency ?? ""}\u0000${query.rootUrl ?? ""}\u0000${generatedLanguages.join(",")}`;
  let byQuery = resolved.get(markets);
  if (!byQuery) resolved.set(markets, (byQuery = new Map()));
  let locale = byQuery.get(memoKey);
  if (locale === undefined) {
    locale = resolveShopperLocale(query, markets, { generatedLanguages });
    if (byQuery.size >= PER_SHOP_LIMIT) byQuery.clear();
    byQuery.set(memoKey, locale);
  }
  return locale;
}

/** A request value for resolveShopperLocale: absent, or too long to be a country, language, currency or locale prefix → null. */
export function boundedLocaleValue(value: string | null | undefined): string | null {
  return typeof value === "string" && value.length > 0 && value.length <= LOCALE_VALUE_MAX ? value : null;
}
