import { describe, expect, it } from "vitest";
import { neutraliseLiquid } from "./html.ts";
import { buildCsp, pageCss, renderPageShell } from "./page-shell.ts";
import { defaultSettings } from "./settings.ts";
import { SLOT_NAMES, renderSlot } from "./slots.ts";
import { PERSONAS } from "./types.ts";

const settings = defaultSettings({ store: "demo", shopName: "Demo <Shop> {{ x }}", shopDomain: "demo.myshopify.com" });

describe("buildCsp", () => {
  const csp = buildCsp("demo.myshopify.com");
  it("allows no script at all and nothing external but images", () => {
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("style-src 'unsafe-inline'");
    expect(csp).toContain("img-src https: data:");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).not.toMatch(/unsafe-eval|\*/);
  });

  it("lets forms post only to the shop", () => {
    expect(csp).toContain("form-action 'self' https://demo.myshopify.com");
  });
});

describe("renderPageShell", () => {
  const html = renderPageShell({ settings, persona: "loyalist", title: "Welcome back | Demo", body: "<h1>Hi</h1>", source: "llm" });

  it("is a complete document with language, charset, viewport, CSP and title", () => {
    expect(html.startsWith("<!DOCTYPE html>\n<html lang=\"en\">")).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('http-equiv="Content-Security-Policy"');
    expect(html).toContain("<title>Welcome back | Demo</title>");
    expect(html.trimEnd().endsWith("</html>")).toBe(true);
  });

  it("marks persona and source on the body", () => {
    expect(html).toContain('<body class="persona-loyalist" data-wand-persona="loyalist" data-wand-source="llm">');
  });

  it("has the landmarks, a skip link to main, and every slot once", () => {
    for (const landmark of ["<header", "<main id=\"main\">", "<footer"]) expect(html.split(landmark).length - 1).toBe(1);
    expect(html).toContain('<a class="skip-link" href="#main">');
    for (const name of SLOT_NAMES) expect(html.split(renderSlot(name)).length - 1).toBe(1);
  });

  it("escapes the shop name and neutralises Liquid in it", () => {
    expect(html).toContain("Demo &lt;Shop&gt; &#123;{ x }&#125;");
    expect(html).not.toContain("<Shop>");
  });

  it("has no script and no external resource", () => {
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
  });
});

describe("renderPageShell in the page's language", () => {
  const shell = (language?: string) => renderPageShell({ settings, persona: "explorer", title: "t", body: "<h1>x</h1>", source: "llm", ...(language === undefined ? {} : { language }) });

  it.each([
    ["fr", "Aller aux produits", "une page choisie selon votre façon d’acheter."],
    ["de", "Zu den Produkten springen", "eine Seite, passend zu Ihrer Art einzukaufen."],
    ["es", "Ir a los productos", "una página elegida según tu forma de comprar."],
    ["fr-CA", "Aller aux produits", "une page choisie"],
  ])("%s: lang attribute and translated fixed strings", (language, skip, footer) => {
    const html = shell(language);
    expect(html.startsWith(`<!DOCTYPE html>\n<html lang="${language}">`)).toBe(true);
    expect(html).toContain(`<a class="skip-link" href="#main">${skip}</a>`);
    expect(html).toContain(footer);
    expect(html).not.toContain("Skip to products");
  });

  it("a language without a locale: the page says its language, the English strings say theirs", () => {
    const html = shell("it");
    expect(html).toContain('<html lang="it">');
    expect(html).toContain('<a class="skip-link" href="#main" lang="en">Skip to products</a>');
    expect(html).toMatch(/<p lang="en">Demo &lt;Shop&gt; &#123;\{ x \}&#125;: a page chosen/);
  });

  it("right-to-left languages get dir=rtl; a malformed tag is English", () => {
    expect(shell("ar")).toContain('<html lang="ar" dir="rtl">');
    // No Arabic locale: the English strings are marked English and left to right.
    expect(shell("ar")).toContain('<a class="skip-link" href="#main" lang="en" dir="ltr">Skip to products</a>');
    expect(shell('en"><script>')).toContain('<html lang="en">');
    expect(shell()).toContain('<html lang="en">');
  });
});

describe("pageCss", () => {
  it("never contains a Liquid delimiter, so the shell is unchanged by neutraliseLiquid", () => {
    for (const persona of PERSONAS) {
      const css = pageCss(settings.colours, persona);
      expect(css).not.toMatch(/\{\{|\}\}|\{%|%\}/);
      const shell = renderPageShell({ settings, persona, title: "t", body: "", source: "template" });
      expect(neutraliseLiquid(shell)).toBe(shell);
    }
  });

  it("has visible focus styles and is mobile first (min-width queries only)", () => {
    const all = PERSONAS.map((p) => pageCss(settings.colours, p)).join("\n");
    expect(all).toMatch(/:focus-visible\{outline:3px solid/);
    expect(all).not.toMatch(/max-width:\s*\d+(px|rem|em)\)/);
    expect(all).toMatch(/@media \(min-width:/);
  });

  it("keeps text readable on merchant colours that would not be", () => {
    const css = pageCss({ primary: "#fde047", accent: "#fef08a", background: "#ffffff", text: "#eeeeee" }, "dealhunter");
    expect(css).toContain("--wand-on-primary:#111111;");
    expect(css).toContain("--wand-text:#111111;");
    expect(css).toContain("--wand-accent:#111111;");
    const dark = pageCss({ primary: "#111827", accent: "#f59e0b", background: "#0b0b0b", text: "#f5f5f5" }, "explorer");
    expect(dark).toContain("--wand-on-primary:#ffffff;");
    expect(dark).toContain("--wand-surface:#2b2b2b;");
  });

  it("differs by persona", () => {
    expect(new Set(PERSONAS.map((p) => pageCss(settings.colours, p))).size).toBe(4);
  });
});
