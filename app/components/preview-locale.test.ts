import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json" with { type: "json" };
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { resolveShopperLocale, type ShopMarkets } from "../../core/locale.ts";
import { LocaleCard, withAsked } from "./preview-locale";

const SHOP: ShopMarkets = {
  primary: { country: "US", language: "en", currency: "USD" },
  markets: [
    { handle: "us", countries: ["US"], currency: "USD", languages: ["en"] },
    { handle: "france", countries: ["FR"], currency: "EUR", languages: ["fr"] },
  ],
  languages: ["en", "fr"],
};

const text = (html: string) => html.replace(/<[^>]*>/g, " ").replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/\s+/g, " ");
const render = (props: Parameters<typeof LocaleCard>[0]) => text(renderToStaticMarkup(createElement(AppProvider, { i18n: en }, createElement(LocaleCard, props))));

describe("preview: market and language", () => {
  it("shows the locale the edge resolved for a French shopper, and that French has no AI page yet", () => {
    const locale = resolveShopperLocale({ country: "FR", language: "fr" }, SHOP);
    const shown = render({ locale, languagePage: { language: "fr", state: "missing", generatedAt: null } });
    expect(shown).toMatch(/Country FR .*Market france .*Currency EUR .*Shopper's language fr .*Page language fr .*Number format fr-FR/);
    expect(shown).toContain("fr: template page (no AI page yet)");
    expect(shown).toContain("As asked: the shop sells in this market and publishes this language.");
  });

  it("lists what was replaced and why", () => {
    const locale = resolveShopperLocale({ country: "JP", language: "de", currency: "JPY" }, SHOP);
    const shown = render({ locale, languagePage: { language: "en", state: "fresh", generatedAt: "2026-12-01T09:00:00Z" } });
    expect(shown).toContain("Replaced, and why:");
    for (const reason of locale.reasons) expect(shown).toContain(reason);
    expect(locale.reasons.length).toBeGreaterThan(1);
    expect(shown).toContain("en: AI page");
  });

  it("keeps a value from the URL that the shop does not have in the picker, marked", () => {
    const options = [{ label: "France", value: "FR" }];
    expect(withAsked(options, "")).toEqual(options);
    expect(withAsked(options, "FR")).toEqual(options);
    expect(withAsked(options, "JP")).toEqual([...options, { label: "JP (not in the shop)", value: "JP" }]);
  });
});
