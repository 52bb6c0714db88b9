import { describe, expect, it } from "vitest";
import { applyMarketFacts } from "./market-prices.ts";
import { demoMarketFacts, demoTranslations } from "./demo-markets.ts";
import { CSV_DEMO_STORES } from "./demo-stores.ts";
import { parseShopMarkets, resolveShopperLocale } from "./locale.ts";
import { formatMoney } from "./money.ts";
import type { Product } from "./types.ts";

const apparel = CSV_DEMO_STORES.find((d) => d.store === "demo-apparel")!;
const demo = apparel.markets!;

function product(handle: string, price: string, compareAtPrice: string | null = null): Product {
  return { id: handle, handle, title: handle, description: "", vendor: "", productType: "", tags: [], price, compareAtPrice, currency: "USD", image: null, available: true, firstVariantId: `${handle.length}1` };
}

describe("the demo shop's markets", () => {
  it("Demo Apparel sells in the US (USD, English) and in France (EUR, French); other demo shops have one market", () => {
    expect(parseShopMarkets(demo.markets)).toEqual(demo.markets);
    expect(resolveShopperLocale({ country: "FR", language: "fr" }, demo.markets)).toMatchObject({ market: "france", currency: "EUR", pageLanguage: "fr", formatLocale: "fr-FR" });
    expect(resolveShopperLocale({}, demo.markets)).toMatchObject({ country: "US", currency: "USD", pageLanguage: "en" });
    expect(CSV_DEMO_STORES.filter((d) => d.markets).map((d) => d.store)).toEqual(["demo-apparel"]);
  });

  it("prices France from its price list where fixed, else converted at its rate; the US keeps the shop's prices", () => {
    const products = [product("ocean-blue-shirt", "50.00"), product("dark-denim-top", "60.00", "75.00")];
    const [fr, ...others] = demoMarketFacts("demo-apparel", demo, products, 7);
    expect(others).toEqual([]);
    expect(fr).toMatchObject({ country: "FR", currency: "EUR", fetchedAt: 7 });
    expect(fr!.prices["ocean-blue-shirt"]).toEqual({ variantId: products[0]!.firstVariantId, price: "45.00", compareAtPrice: null, currency: "EUR" });
    // 60.00 × 0.92 = 55.20 and 75.00 × 0.92 = 69.00, to the cent.
    expect(fr!.prices["dark-denim-top"]).toEqual({ variantId: products[1]!.firstVariantId, price: "55.20", compareAtPrice: "69.00", currency: "EUR" });
    const shown = applyMarketFacts(products, fr!);
    expect(shown.missing).toEqual([]);
    expect(formatMoney(shown.products[0]!.price, shown.products[0]!.currency, "fr-FR")).toBe("45,00\u00a0€");
  });

  it("has a few French titles, valid as stored translations", () => {
    const [fr] = demoTranslations("demo-apparel", demo, 7);
    expect(fr!.language).toBe("fr");
    expect(fr!.products["ocean-blue-shirt"]?.title).toBe("Chemise bleu océan");
    expect(Object.keys(fr!.products).length).toBeGreaterThanOrEqual(4);
  });
});
