import { canonicalCountry, canonicalLanguage, publishedLanguages, type ShopMarkets } from "../core/locale.ts";

/**
 * The shop's markets and languages as the admin's pickers show them (language picker on the Personas
 * page, market and language pickers of the Preview): plain, serialisable choices with English labels,
 * computed in the loader so the browser bundle carries neither core/locale.ts nor zod.
 */

export interface LanguageChoice {
  /** BCP 47 tag as Shopify writes it ("fr", "pt-BR"). */
  value: string;
  /** "French (fr)". */
  label: string;
  primary: boolean;
}

export interface CountryChoice {
  /** ISO 3166-1 alpha-2 ("FR"). */
  value: string;
  /** "France · EUR (market france)". */
  label: string;
  market: string;
  currency: string;
}

export interface ShopLanguages {
  primary: string;
  /** Published languages, canonical, the primary first. */
  published: string[];
}

const languageNames = new Intl.DisplayNames(["en"], { type: "language", fallback: "code" });
const regionNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });

/** "French (fr)"; the tag alone when Intl has no name for it. */
export function languageLabel(tag: string): string {
  let name: string | undefined;
  try {
    name = languageNames.of(tag);
  } catch {
    name = undefined;
  }
  return name && name !== tag ? `${name} (${tag})` : tag;
}

/** "France"; the code alone when Intl has no name for it. */
export function countryLabel(code: string): string {
  let name: string | undefined;
  try {
    name = regionNames.of(code);
  } catch {
    name = undefined;
  }
  return name ?? code;
}

/** The shop's primary and published languages (what the language picker validates against). */
export function shopLanguages(shop: ShopMarkets): ShopLanguages {
  const published = publishedLanguages(shop);
  return { primary: published[0] ?? "en", published };
}

/** One choice per published language, the primary first. */
export function languageChoices(shop: ShopMarkets): LanguageChoice[] {
  const { primary, published } = shopLanguages(shop);
  return published.map((value) => ({ value, label: languageLabel(value), primary: value === primary }));
}

/**
 * One choice per country of the shop's markets (a country listed by two markets belongs to the
 * first, as on the edge), the primary country first, then by market and name.
 */
export function countryChoices(shop: ShopMarkets): CountryChoice[] {
  const primaryCountry = canonicalCountry(shop.primary.country) ?? "US";
  const seen = new Set<string>();
  const choices: CountryChoice[] = [];
  for (const market of shop.markets) {
    for (const raw of market.countries) {
      const code = canonicalCountry(raw);
      if (code === null || seen.has(code)) continue;
      seen.add(code);
      choices.push({ value: code, label: `${countryLabel(code)} · ${market.currency} (market ${market.handle})`, market: market.handle, currency: market.currency });
    }
  }
  if (!seen.has(primaryCountry)) {
    choices.unshift({ value: primaryCountry, label: `${countryLabel(primaryCountry)} · ${shop.primary.currency} (primary)`, market: "primary", currency: shop.primary.currency });
  }
  const rank = (c: CountryChoice) => (c.value === primaryCountry ? 0 : 1);
  return choices.sort((a, b) => rank(a) - rank(b) || a.market.localeCompare(b.market) || a.label.localeCompare(b.label));
}

/** A query value for the preview's market/language pickers: canonical, or an error to show beside the field. */
export function parseLocaleField(kind: "country" | "language", raw: string | null): { ok: true; value: string | null } | { ok: false; error: string } {
  const value = raw?.trim() ?? "";
  if (value === "") return { ok: true, value: null };
  const canonical = kind === "country" ? canonicalCountry(value) : canonicalLanguage(value);
  if (canonical === null) return { ok: false, error: kind === "country" ? "a two-letter country code such as FR" : "a language tag such as fr or pt-BR" };
  return { ok: true, value: canonical };
}
