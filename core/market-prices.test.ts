import { describe, expect, it } from "vitest";
import { cardLocaleFor, resolveShopperLocale, type ShopMarkets } from "./locale.ts";
import { MARKET_FACTS_TTL_MS, applyMarketFacts, marketFactsExpired, marketFactsVersion, parseMarketFacts, type MarketFacts } from "./market-prices.ts";
import { expandProductSlots, productSlot } from "./product-slots.ts";
import type { Product } from "./types.ts";

function product(handle: string, extra: Partial<Product> = {}): Product {
  return {
    id: handle,
    handle,
    title: `Title of ${handle}`,
    description: "",
    vendor: "V",
    productType: "T",
    tags: [],
    price: "20.00",
    compareAtPrice: "25.00",
    currency: "USD",
    image: null,
    available: true,
    firstVariantId: `${handle.length}01`,
    ...extra,
  };
}

const tee = product("tee");
const scarf = product("Scarf", { compareAtPrice: null });
const hat = product("hat");

/** France: the tee converted, the scarf at a fixed price-list price, the hat not fetched yet. */
const FRANCE: MarketFacts = {
  store: "demo",
  country: "FR",
  currency: "EUR",
  prices: {
    tee: { variantId: tee.firstVariantId, price: "18.50", compareAtPrice: "23.00", currency: "EUR" },
    scarf: { variantId: scarf.firstVariantId, price: "15.00", compareAtPrice: null, currency: "EUR", available: false },
  },
  fetchedAt: 1_764_000_000_000,
};

describe("applyMarketFacts", () => {
  it("lays the market's price, compare-at, currency and availability over the shop's facts", () => {
    const { products, missing } = applyMarketFacts([tee, scarf, hat], FRANCE);
    expect(products[0]).toEqual({ ...tee, price: "18.50", compareAtPrice: "23.00", currency: "EUR" });
    // Handles match case-insensitively; availability in the market wins.
    expect(products[1]).toEqual({ ...scarf, price: "15.00", compareAtPrice: null, currency: "EUR", available: false });
    expect(products[2]).toBe(hat);
    expect(missing).toEqual(["hat"]);
  });

  it("never applies a price of another variant: the first variant changed since the fetch", () => {
    const { products, missing } = applyMarketFacts([{ ...tee, firstVariantId: "999" }], FRANCE);
    expect(products[0]!.price).toBe("20.00");
    expect(products[0]!.currency).toBe("USD");
    expect(missing).toEqual(["tee"]);
  });

  it("changes nothing without market facts (primary market)", () => {
    const list = [tee, scarf];
    expect(applyMarketFacts(list, null)).toEqual({ products: list, missing: [] });
  });

  it("a product already in the market's currency is not missing", () => {
    expect(applyMarketFacts([product("x", { currency: "EUR" })], FRANCE).missing).toEqual([]);
  });
});

describe("market prices on the page", () => {
  const shop: ShopMarkets = {
    primary: { country: "US", language: "en", currency: "USD" },
    markets: [
      { handle: "us", countries: ["US"], currency: "USD", languages: ["en"] },
      { handle: "france", countries: ["FR"], currency: "EUR", languages: ["fr"] },
    ],
    languages: ["en", "fr"],
  };
  const page = `<ul class="grid"><li>${productSlot("tee")}</li><li>${productSlot("scarf")}</li></ul>`;

  it("a French shopper sees the market's euro prices, written the French way, in French", () => {
    const locale = resolveShopperLocale({ country: "FR", language: "fr" }, shop);
    const { products } = applyMarketFacts([tee, scarf], FRANCE);
    const html = expandProductSlots(page, { products, persona: "dealhunter", baseUrl: locale.rootPath, locale: cardLocaleFor(locale) }).html.replace(/[\u00a0\u202f]/g, " ");
    expect(html).toContain('<data class="price" value="18.50">18,50 €</data>');
    expect(html).toContain('<data value="23.00">23,00 €</data>');
    expect(html).toContain("Économisez 4,50 € (19 %)");
    expect(html).toContain('<data class="price" value="15.00">15,00 €</data>');
    expect(html).toContain('<p class="sold-out">Épuisé</p>');
    expect(html).not.toMatch(/\$|USD/);
  });

  it("a US shopper of the same page sees dollars", () => {
    const locale = resolveShopperLocale({ country: "US" }, shop);
    const html = expandProductSlots(page, { products: applyMarketFacts([tee, scarf], null).products, persona: "dealhunter", baseUrl: "", locale: cardLocaleFor(locale) }).html;
    expect(html).toContain('<data class="price" value="20.00">$20.00</data>');
    expect(html).toContain("Add to cart");
  });
});

describe("marketFactsVersion", () => {
  it("changes with any shown fact, not with the fetch time", () => {
    const v = marketFactsVersion(FRANCE);
    expect(marketFactsVersion({ ...FRANCE, fetchedAt: FRANCE.fetchedAt + 1 })).toBe(v);
    expect(marketFactsVersion({ ...FRANCE, prices: { ...FRANCE.prices, tee: { ...FRANCE.prices.tee!, price: "18.49" } } })).not.toBe(v);
    expect(marketFactsVersion({ ...FRANCE, prices: { ...FRANCE.prices, tee: { ...FRANCE.prices.tee!, available: false } } })).not.toBe(v);
    expect(marketFactsVersion({ ...FRANCE, country: "BE" })).not.toBe(v);
    expect(marketFactsVersion(null)).toBe("base");
  });

  it("expires after the TTL", () => {
    expect(marketFactsExpired(FRANCE, FRANCE.fetchedAt + MARKET_FACTS_TTL_MS)).toBe(false);
    expect(marketFactsExpired(FRANCE, FRANCE.fetchedAt + MARKET_FACTS_TTL_MS + 1)).toBe(true);
  });
});

describe("parseMarketFacts", () => {
  it("accepts stored facts and normalises decimals", () => {
    const parsed = parseMarketFacts({ ...FRANCE, prices: { tee: { ...FRANCE.prices.tee!, price: "18.5" } } });
    expect(parsed.prices.tee!.price).toBe("18.50");
  });

  it.each([
    ["a price in another currency", { ...FRANCE, prices: { tee: { ...FRANCE.prices.tee!, currency: "USD" } } }, /USD in a EUR market/],
    ["a negative price", { ...FRANCE, prices: { tee: { ...FRANCE.prices.tee!, price: "-1" } } }, /decimal/],
    ["an uppercase handle", { ...FRANCE, prices: { Tee: FRANCE.prices.tee } }, /lowercase/],
    ["a bad country", { ...FRANCE, country: "France" }, /country/],
    ["too many products", { ...FRANCE, prices: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`p${i}`, FRANCE.prices.tee])) }, /at most 200/],
  ])("refuses %s", (_name, value, error) => {
    expect(() => parseMarketFacts(value)).toThrow(error);
  });
});
