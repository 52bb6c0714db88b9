import { describe, expect, it } from "vitest";
import { resolveShopperLocale } from "./locale.ts";
import { MARKETS_PAGE_SIZE, SHOP_MARKETS_QUERY, marketsPageFromResponse, shopMarketsFromPages } from "./markets-query.ts";

/** A WandShopMarkets answer shaped like the Admin API's (2026-10). */
function answer(o: { markets: unknown[]; locales?: { locale: string; primary: boolean }[]; backup?: string | null; currency?: string; next?: string | null }) {
  return {
    shop: { currencyCode: o.currency ?? "USD" },
    backupRegion: o.backup === null ? null : { code: o.backup ?? "US" },
    shopLocales: o.locales ?? [
      { locale: "en", primary: true },
      { locale: "fr", primary: false },
    ],
    markets: { pageInfo: { hasNextPage: Boolean(o.next), endCursor: o.next ?? null }, nodes: o.markets },
  };
}

function market(handle: string, countries: string[], currency: string, locales: string[], status = "ACTIVE") {
  return {
    handle,
    status,
    currencySettings: { baseCurrency: { currencyCode: currency } },
    conditions: { regionsCondition: { regions: { nodes: countries.map((code) => ({ code })) } } },
    webPresences: { nodes: locales.length ? [{ defaultLocale: { locale: locales[0] }, alternateLocales: locales.slice(1).map((locale) => ({ locale })) }] : [] },
  };
}

describe("shop markets from the Admin API", () => {
  it("reads markets, their currencies and languages, and the primary market from the backup region", () => {
    const page = marketsPageFromResponse(answer({ markets: [market("us", ["US"], "USD", ["en"]), market("france", ["FR", "MC"], "EUR", ["fr", "en"])] }));
    expect(shopMarketsFromPages([page])).toEqual({
      primary: { country: "US", language: "en", currency: "USD" },
      markets: [
        { handle: "us", countries: ["US"], currency: "USD", languages: ["en"] },
        { handle: "france", countries: ["FR", "MC"], currency: "EUR", languages: ["fr", "en"] },
      ],
      languages: ["en", "fr"],
    });
  });

  it("skips draft markets and markets without countries (B2B), and keeps only published languages", () => {
    const page = marketsPageFromResponse(
      answer({
        markets: [
          market("us", ["US"], "USD", ["en"]),
          market("germany", ["DE"], "EUR", ["de"], "DRAFT"),
          { ...market("wholesale", [], "USD", ["en"]), conditions: { regionsCondition: null } },
          // "de" is on the web presence but not published: shoppers there cannot get it.
          market("europe", ["FR", "BE"], "EUR", ["fr", "de"]),
        ],
      }),
    );
    expect(page.skipped).toEqual(["germany: draft", "wholesale: no countries"]);
    const shop = shopMarketsFromPages([page]);
    expect(shop.markets.map((m) => [m.handle, m.languages])).toEqual([
      ["us", ["en"]],
      ["europe", ["fr"]],
    ]);
  });

  it("follows pages in order; a country in two markets stays with the first", () => {
    expect(SHOP_MARKETS_QUERY).toContain("markets(first: $first, after: $after)");
    expect(MARKETS_PAGE_SIZE).toBeLessThanOrEqual(3);
    const one = marketsPageFromResponse(answer({ markets: [market("us", ["US"], "USD", ["en"])], next: "c1" }));
    const two = marketsPageFromResponse(answer({ markets: [market("eu", ["FR", "US"], "EUR", ["fr"])] }));
    expect(one.next).toBe("c1");
    expect(two.next).toBeNull();
    expect(shopMarketsFromPages([one, two]).markets).toEqual([
      { handle: "us", countries: ["US"], currency: "USD", languages: ["en"] },
      { handle: "eu", countries: ["FR"], currency: "EUR", languages: ["fr"] },
    ]);
  });

  it("without a backup region the primary country is the first market selling in the shop's currency", () => {
    const page = marketsPageFromResponse(answer({ backup: null, currency: "EUR", locales: [{ locale: "de", primary: true }], markets: [market("uk", ["GB"], "GBP", []), market("dach", ["DE", "AT"], "EUR", ["de"])] }));
    const shop = shopMarketsFromPages([page]);
    expect(shop.primary).toEqual({ country: "DE", language: "de", currency: "EUR" });
    // A market without a web presence offers every published language.
    expect(resolveShopperLocale({ country: "GB" }, shop)).toMatchObject({ market: "uk", currency: "GBP", language: "de" });
  });

  it("refuses an answer of another shape, and normalises odd codes", () => {
    expect(() => marketsPageFromResponse({ shop: {} })).toThrow(TypeError);
    const page = marketsPageFromResponse(answer({ locales: [{ locale: "PT-br", primary: true }], markets: [market("br", ["br"], "brl", ["pt-BR"])], backup: "BR", currency: "BRL" }));
    expect(shopMarketsFromPages([page])).toEqual({ primary: { country: "BR", language: "pt-BR", currency: "BRL" }, markets: [{ handle: "br", countries: ["BR"], currency: "BRL", languages: ["pt-BR"] }], languages: ["pt-BR"] });
  });
});
