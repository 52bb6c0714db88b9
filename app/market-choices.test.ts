import { describe, expect, it } from "vitest";
import type { ShopMarkets } from "../core/locale.ts";
import { countryChoices, languageChoices, languageLabel, parseLocaleField, shopLanguages } from "./market-choices";

const SHOP: ShopMarkets = {
  primary: { country: "US", language: "en", currency: "USD" },
  markets: [
    { handle: "us", countries: ["US"], currency: "USD", languages: ["en"] },
    { handle: "europe", countries: ["FR", "BE", "US"], currency: "EUR", languages: ["fr", "en"] },
  ],
  languages: ["en", "fr", "pt-BR"],
};

describe("market and language choices", () => {
  it("lists the published languages with English names, the primary first and marked", () => {
    expect(languageChoices(SHOP)).toEqual([
      { value: "en", label: "English (en)", primary: true },
      { value: "fr", label: "French (fr)", primary: false },
      { value: "pt-BR", label: "Brazilian Portuguese (pt-BR)", primary: false },
    ]);
    expect(shopLanguages(SHOP)).toEqual({ primary: "en", published: ["en", "fr", "pt-BR"] });
    expect(languageLabel("xx")).toBe("xx");
  });

  it("lists each market country once (the first market that lists it), the primary country first", () => {
    expect(countryChoices(SHOP)).toEqual([
      { value: "US", label: "United States · USD (market us)", market: "us", currency: "USD" },
      { value: "BE", label: "Belgium · EUR (market europe)", market: "europe", currency: "EUR" },
      { value: "FR", label: "France · EUR (market europe)", market: "europe", currency: "EUR" },
    ]);
  });

  it("adds the primary country when no market lists it", () => {
    const shop = { ...SHOP, markets: [{ handle: "fr", countries: ["FR"], currency: "EUR", languages: [] }] };
    expect(countryChoices(shop).map((c) => [c.value, c.market])).toEqual([
      ["US", "primary"],
      ["FR", "fr"],
    ]);
  });

  it("reads the preview's country and language fields: canonical, empty = none, malformed = an error", () => {
    expect(parseLocaleField("country", " fr ")).toEqual({ ok: true, value: "FR" });
    expect(parseLocaleField("language", "pt-br")).toEqual({ ok: true, value: "pt-BR" });
    expect(parseLocaleField("language", "")).toEqual({ ok: true, value: null });
    expect(parseLocaleField("country", null)).toEqual({ ok: true, value: null });
    expect(parseLocaleField("country", "France")).toMatchObject({ ok: false });
    expect(parseLocaleField("language", "<b>")).toMatchObject({ ok: false });
  });
});
