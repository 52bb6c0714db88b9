import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json" with { type: "json" };
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { LanguagePicker, type PickerLanguages } from "./language-picker";

const languages: PickerLanguages = {
  primary: "en",
  generated: ["en", "fr"],
  choices: [
    { value: "en", label: "English (en)", primary: true },
    { value: "fr", label: "French (fr)", primary: false },
    { value: "de", label: "German (de)", primary: false },
  ],
};

const render = (props: Partial<Parameters<typeof LanguagePicker>[0]>) =>
  renderToStaticMarkup(
    createElement(
      AppProvider,
      { i18n: en },
      createElement(LanguagePicker, { languages, languagesError: null, selected: ["en", "fr"], onChange: () => {}, personas: 4, error: undefined, ...props }),
    ),
  );

/** The text a merchant reads, without markup. */
const text = (html: string) => html.replace(/<[^>]*>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ");

describe("language picker", () => {
  it("ticks the chosen languages, keeps the primary on, and says what it costs", () => {
    const html = render({});
    const checked = [...html.matchAll(/<input[^>]*value="([^"]+)"[^>]*>/g)].map((m) => ({ value: m[1], checked: /\schecked=""/.test(m[0]), disabled: /\sdisabled=""/.test(m[0]) }));
    expect(checked).toEqual([
      { value: "en", checked: true, disabled: true },
      { value: "fr", checked: true, disabled: false },
      { value: "de", checked: false, disabled: false },
    ]);
    expect(text(html)).toContain("4 personas × 2 languages = 8 AI pages, each regenerated when your products or merchandising change");
    expect(text(html)).toContain("Shoppers of an unticked language get the English (en) page.");
  });

  it("counts the primary even when the selection leaves it out", () => {
    expect(text(render({ selected: [], personas: 1 }))).toContain("1 persona × 1 language = 1 AI page,");
  });

  it("shows the field error, and a warning instead of the choices when the languages are unknown", () => {
    expect(text(render({ error: "not a published language of the shop: it" }))).toContain("not a published language of the shop: it");
    const html = render({ languages: null, languagesError: "edge is down" });
    expect(html).not.toContain("<input");
    expect(text(html)).toContain("Your language choice stays as saved. edge is down");
  });
});
