import { describe, expect, it } from "vitest";
import {
  canonicalLanguage,
  generatedLanguagesOf,
  marketOfCountry,
  parseShopMarkets,
  pricedMarkets,
  resolveShopperLocale,
  singleMarketShop,
  textDirection,
  type ShopMarkets,
} from "./locale.ts";

/** A shop selling in the US (USD, English) and in France and Belgium (EUR, French and English), with a Canadian market. */
const SHOP: ShopMarkets = {
  primary: { country: "US", language: "en", currency: "USD" },
  markets: [
    { handle: "us", countries: ["US"], currency: "USD", languages: ["en"] },
    { handle: "europe", countries: ["FR", "BE"], currency: "EUR", languages: ["fr", "en"] },
    { handle: "canada", countries: ["CA"], currency: "CAD", languages: ["en", "fr-CA"] },
  ],
  languages: ["en", "fr", "fr-CA", "de"],
};

describe("resolveShopperLocale", () => {
  it("takes a valid context as it is", () => {
    expect(resolveShopperLocale({ country: "FR", language: "fr", currency: "EUR", rootUrl: "/fr" }, SHOP)).toEqual({
      country: "FR",
      market: "europe",
      currency: "EUR",
      language: "fr",
      pageLanguage: "fr",
      formatLocale: "fr-FR",
      rootPath: "/fr",
      reasons: [],
    });
  });

  it("gives a shopper without context the shop's primary market and language", () => {
    expect(resolveShopperLocale({}, SHOP)).toMatchObject({ country: "US", market: "us", currency: "USD", language: "en", pageLanguage: "en", formatLocale: "en-US", rootPath: "", reasons: [] });
  });

  it("normalises case and Shopify's spellings", () => {
    expect(resolveShopperLocale({ country: "fr", language: "FR", currency: "eur" }, SHOP)).toMatchObject({ country: "FR", language: "fr", currency: "EUR", reasons: [] });
    expect(resolveShopperLocale({ country: "CA", language: "fr-ca" }, SHOP)).toMatchObject({ market: "canada", language: "fr-CA", pageLanguage: "fr-CA", formatLocale: "fr-CA", currency: "CAD" });
  });

  it("the currency is the market's: another one is ignored, with the reason", () => {
    const l = resolveShopperLocale({ country: "BE", language: "fr", currency: "USD" }, SHOP);
    expect(l).toMatchObject({ country: "BE", currency: "EUR", formatLocale: "fr-BE" });
    expect(l.reasons).toEqual(['currency "USD" ignored: market europe sells in EUR']);
  });

  it("a country outside the shop's markets gets the primary market", () => {
    const l = resolveShopperLocale({ country: "JP", language: "fr" }, SHOP);
    expect(l).toMatchObject({ country: "US", market: "us", currency: "USD", language: "en" });
    expect(l.reasons[0]).toMatch(/country "JP" is not in the shop's markets/);
  });

  it("a language the market does not offer gets the market's default; a regional tag matches its language", () => {
    // German is published, but not in the European market.
    expect(resolveShopperLocale({ country: "FR", language: "de" }, SHOP)).toMatchObject({ language: "fr", pageLanguage: "fr" });
    expect(resolveShopperLocale({ country: "FR", language: "fr-BE" }, SHOP)).toMatchObject({ language: "fr" });
    // Canada offers fr-CA, not fr: a plain "fr" finds it.
    expect(resolveShopperLocale({ country: "CA", language: "fr" }, SHOP)).toMatchObject({ language: "fr-CA" });
  });

  it("serves the primary language where the merchant has no pages generated", () => {
    const l = resolveShopperLocale({ country: "FR", language: "fr" }, SHOP, { generatedLanguages: ["en"] });
    expect(l).toMatchObject({ language: "fr", pageLanguage: "en", formatLocale: "en-FR", currency: "EUR" });
    expect(l.reasons).toEqual(["no pages in fr: the shop's primary language en"]);
  });

  it("ignores a root_url whose language the shop does not publish", () => {
    expect(resolveShopperLocale({ country: "CA", language: "fr-CA", rootUrl: "/fr-ca" }, SHOP).rootPath).toBe("/fr-ca");
    for (const rootUrl of ["/it", "//evil.example", "/fr/../x", "https://evil.example/fr", "/fr?x=1"]) {
      const l = resolveShopperLocale({ rootUrl }, SHOP);
      expect(l.rootPath, rootUrl).toBe("");
      expect(l.reasons[0]).toMatch(/root_url/);
    }
  });

  it("is bounded: whatever a request says, the page language is a published one and the country a market's", () => {
    const junk = ["", " ", "xx", "ZZ", "en-US-x-private", "a".repeat(5000), "fr;drop", "../fr", "{{ x }}", "constructor", "__proto__", "es", "de-DE", "it", "pt-BR", "zh-Hant-TW"];
    const pageLanguages = new Set<string>();
    const countries = new Set<string>();
    for (const country of [...junk, "FR", "be", "CA", "US"]) {
      for (const language of junk) {
        for (const currency of [null, "EUR", "xyz", "€"]) {
          const l = resolveShopperLocale({ country, language, currency }, SHOP);
          pageLanguages.add(l.pageLanguage);
          countries.add(l.country);
          for (const r of l.reasons) expect(r.length).toBeLessThan(120);
        }
      }
    }
    expect([...pageLanguages].every((l) => SHOP.languages.includes(l))).toBe(true);
    expect([...countries].sort()).toEqual(["BE", "CA", "FR", "US"]);
  });

  it("a one-market shop always resolves to it", () => {
    const shop = singleMarketShop({ country: "DE", language: "de", currency: "EUR" });
    expect(resolveShopperLocale({ country: "FR", language: "fr", currency: "USD" }, shop)).toMatchObject({ country: "DE", market: "primary", currency: "EUR", language: "de", pageLanguage: "de", formatLocale: "de-DE" });
  });
});

describe("generatedLanguagesOf", () => {
  it("defaults to every published language and keeps only published ones", () => {
    expect(generatedLanguagesOf(SHOP, [])).toEqual(["en", "fr", "fr-CA", "de"]);
    expect(generatedLanguagesOf(SHOP, undefined)).toEqual(["en", "fr", "fr-CA", "de"]);
    expect(generatedLanguagesOf(SHOP, ["FR", "it", "fr"])).toEqual(["fr"]);
    // Nothing published chosen: the primary language, never none.
    expect(generatedLanguagesOf(SHOP, ["it"])).toEqual(["en"]);
  });
});

describe("language tags", () => {
  it.each([
    ["fr", "fr"],
    ["FR", "fr"],
    ["pt-br", "pt-BR"],
    ["pt_BR", "pt-BR"],
    ["zh-hant-tw", "zh-Hant-TW"],
    ["es-419", "es-419"],
    ["english", null],
    ["en-US-x-private", null],
    ["", null],
    [42, null],
  ])("canonicalLanguage(%j) = %j", (input, expected) => {
    expect(canonicalLanguage(input)).toBe(expected);
  });

  it("knows right-to-left languages", () => {
    expect(textDirection("ar")).toBe("rtl");
    expect(textDirection("he-IL")).toBe("rtl");
    expect(textDirection("fr")).toBe("ltr");
  });
});

describe("parseShopMarkets", () => {
  it("accepts a shop's markets and refuses malformed ones with the field", () => {
    expect(parseShopMarkets(SHOP)).toEqual(SHOP);
    expect(() => parseShopMarkets({ ...SHOP, primary: { ...SHOP.primary, currency: "usd" } })).toThrow(/currency/);
    expect(() => parseShopMarkets({ ...SHOP, languages: ["FR"] })).toThrow(/BCP 47/);
    expect(() => parseShopMarkets({ ...SHOP, markets: [{ handle: "x", countries: ["FRA"], currency: "EUR", languages: [] }] })).toThrow(/country/);
  });
});

describe("markets of countries and priced markets", () => {
  it("finds a country's market, null for a country of no market", () => {
    expect(marketOfCountry(SHOP, "be")?.handle).toBe("europe");
    expect(marketOfCountry(SHOP, "US")?.handle).toBe("us");
    expect(marketOfCountry(SHOP, "JP")).toBeNull();
    expect(marketOfCountry(SHOP, "not a country")).toBeNull();
  });

  it("prices every market but the primary country's, each for its first country", () => {
    expect(pricedMarkets(SHOP).map((p) => [p.market.handle, p.country])).toEqual([
      ["europe", "FR"],
      ["canada", "CA"],
    ]);
    expect(pricedMarkets(singleMarketShop({ country: "US", language: "en", currency: "USD" }))).toEqual([]);
  });
});
