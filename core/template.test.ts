import { readFileSync } from "node:fs";
import { HtmlValidate } from "html-validate";
import { describe, expect, it } from "vitest";
import { importShopifyCsv } from "./catalog-import.ts";
import { deriveLargeCatalog } from "./demo-large.ts";
import { neutraliseLiquid } from "./html.ts";
import { LOCALES, UI_LANGUAGES, type UiLanguage } from "./locales/index.ts";
import { savingsOf, toCents } from "./money.ts";
import { expandProductSlots, productSlot, splitProductSlots } from "./product-slots.ts";
import { candidatesFromProducts, categoryOf, emptySelection, selectForPersona, selectionHandles } from "./selection.ts";
import { defaultSettings } from "./settings.ts";
import { SLOT_NAMES, renderSlot } from "./slots.ts";
import { renderTemplatePage } from "./template.ts";
import { PERSONAS, type CatalogProduct, type Persona, type PersonaSelection, type Product, type ShopSettings } from "./types.ts";

// Tests run in Node; the modules under test never read files.
const load = (store: string, file: string) => importShopifyCsv(store, readFileSync(new URL(`../scripts/demo/catalogs/${file}`, import.meta.url), "utf8"));

const catalogs = [load("demo-apparel", "apparel.csv"), load("demo-home", "home-and-garden.csv"), load("demo-jewelry", "jewelery.csv")];
const NOW = Date.UTC(2026, 10, 1);
const settingsOf = (store: string): ShopSettings => defaultSettings({ store, shopName: `Shop ${store}`, shopDomain: `${store}.myshopify.com` });
const selectionOf = (store: string, products: readonly CatalogProduct[], persona: Persona) =>
  selectForPersona({ store, persona, candidates: candidatesFromProducts(products), now: NOW });

/** The page as a shopper gets it: the template with its slots expanded from the selection's products. */
function serve(selection: PersonaSelection, persona: Persona = selection.persona, baseUrl = "", settings = settingsOf(selection.store), language?: UiLanguage) {
  const template = renderTemplatePage({ selection, settings, persona, baseUrl, ...(language ? { language } : {}) });
  const locale = language ? { locale: { messages: LOCALES[language], formatLocale: `${language}-FR` } } : {};
  const expanded = expandProductSlots(template, { products: selection.products, persona, baseUrl, ...locale });
  return { template, html: expanded.html, expanded };
}

/** Handles of the product cards, in page order. */
const cardHandles = (html: string) => [...html.matchAll(/<article class="card" data-wand-product="([^"]+)">/g)].map((m) => m[1]!);
const headingLevels = (html: string) => [...html.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));
const section = (html: string, id: string) => {
  const start = html.indexOf(`<section id="${id}"`);
  return start < 0 ? "" : html.slice(start, html.indexOf("</section>", start));
};
const bytes = (s: string) => new TextEncoder().encode(s).length;

describe.each(catalogs.map((c) => [c.store, c] as const))("template pages of %s", (store, catalog) => {
  const byHandle = new Map(catalog.products.map((p) => [p.handle, p] as const));
  const selections = Object.fromEntries(PERSONAS.map((p) => [p, selectionOf(store, catalog.products, p)])) as Record<Persona, PersonaSelection>;

  it.each(PERSONAS)("%s: complete, accessible structure", (persona) => {
    const { html } = serve(selections[persona]);
    expect(html.split("<main").length - 1).toBe(1);
    // One h1, and headings never skip a level on the way down.
    const levels = headingLevels(html);
    expect(levels.filter((l) => l === 1)).toHaveLength(1);
    expect(levels[0]).toBe(1);
    levels.forEach((l, i) => i > 0 && expect(l).toBeLessThanOrEqual(levels[i - 1]! + 1));
    for (const name of SLOT_NAMES) expect(html.split(renderSlot(name)).length - 1).toBe(1);
    // Every image has a non-empty alt; no scripts, no external stylesheets or frames.
    for (const img of html.match(/<img [^>]*>/g) ?? []) expect(img).toMatch(/ alt="[^"]+"/);
    expect(html).not.toMatch(/<script|<link |<iframe|<object|<embed| on[a-z]+=/i);
    // Text is Liquid-neutral: neutralising the page changes nothing.
    expect(neutraliseLiquid(html)).toBe(html);
  });

  it.each(PERSONAS)("%s: the template holds slots, not cards, for exactly the selection in group order", (persona) => {
    const selection = selections[persona];
    const { template, expanded } = serve(selection);
    expect(template).not.toContain('<article class="card"');
    expect(splitProductSlots(template).slots.map((s) => s.handle)).toEqual(selectionHandles(selection));
    expect(expanded.shown).toEqual(selectionHandles(selection));
    expect(expanded.missing).toEqual([]);
    // One section per group, titled by the group, in the group order.
    const sectionIds = [...template.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]);
    expect(sectionIds).toEqual(selection.groups.map((g) => g.id));
    for (const g of selection.groups) expect(section(template, g.id)).toContain(`<h2 id="${g.id}-h">${g.title}</h2>`);
  });

  it.each(PERSONAS)("%s: states no product fact of its own (no price, saving or count)", (persona) => {
    const { template } = serve(selections[persona]);
    const text = template.replace(/<style>[\s\S]*?<\/style>/g, "").replace(/<[^>]+>/g, " ").replace(/&#\d+;/g, "");
    expect(text).not.toMatch(/\d/);
    expect(text).not.toMatch(/\$|%|save up to/i);
  });

  it.each(PERSONAS)("%s: every card is a catalog product with a working add-to-cart form, or marked sold out", (persona) => {
    const { html } = serve(selections[persona]);
    const cards = html.match(/<article class="card"[\s\S]*?<\/article>/g) ?? [];
    expect(cards.length).toBeGreaterThan(0);
    for (const card of cards) {
      const p = byHandle.get(/data-wand-product="([^"]+)"/.exec(card)![1]!)!;
      expect(p).toBeDefined();
      if (!p.available) {
        expect(card).toContain('<p class="sold-out">Sold out</p>');
        expect(card).not.toContain("<form");
        continue;
      }
      expect(card).toContain('method="post" action="/cart/add"');
      expect(card).toContain(`name="id" value="${p.firstVariantId}"`);
      expect(card).toContain('name="quantity" value="1"');
      expect(card).toContain(`name="properties[_wand_persona]" value="${persona}"`);
    }
  });

  it("minimalist: a few available products, from different categories where possible", () => {
    const picked = cardHandles(serve(selections.minimalist).html).map((h) => byHandle.get(h)!);
    expect(picked.length).toBeGreaterThan(0);
    expect(picked.length).toBeLessThanOrEqual(4);
    expect(picked.every((p) => p.available)).toBe(true);
    const categories = new Set(catalog.products.filter((p) => p.available).map(categoryOf));
    expect(new Set(picked.map(categoryOf)).size).toBe(Math.min(categories.size, picked.length));
  });

  it("explorer: a section and a navigation link per category", () => {
    const selection = selections.explorer;
    const { html } = serve(selection);
    expect(html).toContain('<nav class="category-nav" aria-label="Categories">');
    for (const g of selection.groups) {
      expect(html).toContain(`<li><a href="#${g.id}">${g.title}</a></li>`);
      for (const h of cardHandles(section(html, g.id))) expect(categoryOf(byHandle.get(h)!)).toBe(g.title);
    }
    // Every in-page link points at a section that exists.
    for (const m of html.matchAll(/href="#(cat-[^"]+)"/g)) expect(html).toContain(`<section id="${m[1]}"`);
  });

  it("dealhunter: products on sale first, biggest saving first", () => {
    const { html } = serve(selections.dealhunter);
    const onSale = catalog.products.filter((p) => p.available && savingsOf(p));
    const deals = cardHandles(section(html, "deals")).map((h) => byHandle.get(h)!);
    if (onSale.length === 0) {
      expect(html).toContain("<h1>Our best prices</h1>");
      const low = cardHandles(section(html, "low")).map((h) => toCents(byHandle.get(h)!.price)!);
      expect(low.length).toBeGreaterThan(0);
      expect(low).toEqual([...low].sort((a, b) => a - b));
      return;
    }
    expect(html).toContain("<h1>Today’s best deals</h1>");
    expect(deals.length).toBe(Math.min(onSale.length, 12));
    const percents = deals.map((p) => savingsOf(p)!.percent);
    expect(percents).toEqual([...percents].sort((a, b) => b - a));
    // The deals come before anything else on the page.
    expect(cardHandles(html).slice(0, deals.length)).toEqual(deals.map((p) => p.handle));
  });

  it("loyalist: welcome back, then the newest products, badged New", () => {
    const { html } = serve(selections.loyalist);
    expect(html).toContain("<h1>Welcome back</h1>");
    const newest = [...catalog.products].filter((p) => p.available).sort((a, b) => b.listedAt - a.listedAt).slice(0, 6).map((p) => p.handle);
    expect(cardHandles(section(html, "new"))).toEqual(newest);
    expect(section(html, "new").split('<span class="badge">New</span>').length - 1).toBe(newest.length);
    expect(section(html, "again")).not.toContain('class="badge"');
  });

  it("the four layouts are visibly different", () => {
    const pages = PERSONAS.map((p) => serve(selections[p]).html);
    const shapes = pages.map((html) => `${headingLevels(html).join("")}|${cardHandles(html).join(",")}`);
    expect(new Set(shapes).size).toBe(4);
    expect(new Set(pages.map((h) => /<h1>([^<]+)<\/h1>/.exec(h)![1])).size).toBe(4);
  });

  it("uses absolute URLs of the shop on the direct route", () => {
    const base = `https://${store}.myshopify.com`;
    const { html } = serve(selections.explorer, "explorer", base);
    expect(html).toContain(`action="${base}/cart/add"`);
    for (const m of html.matchAll(/<a href="([^"#]+)"/g)) expect(m[1]!.startsWith(`${base}/`)).toBe(true);
  });
});

describe("template pages in hard cases", () => {
  it.each(PERSONAS)("%s renders an empty selection with a message, not an error", (persona) => {
    const { html } = serve(emptySelection("empty", persona, NOW));
    expect(html).toContain("There are no products to show right now.");
    expect(headingLevels(html)[0]).toBe(1);
    expect(html).not.toContain("<section");
  });

  it.each(PERSONAS)("%s: a product removed since selection drops out; all removed gives the empty state", (persona) => {
    const selection = selectionOf("demo-home", catalogs[1]!.products, persona);
    const [first, ...rest] = selection.products;
    const fewer = serve({ ...selection, products: rest });
    expect(cardHandles(fewer.html)).not.toContain(first!.handle);
    expect(fewer.template).not.toContain(productSlot(first!.handle));
    expect(serve({ ...selection, products: [] }).html).toContain("There are no products to show right now.");
  });

  it.each(PERSONAS)("%s escapes hostile products, group titles and merchant text", (persona) => {
    const evil: Product = {
      id: "e",
      handle: "evil",
      title: "</h3><script>alert(1)</script>{{ customer.email }}",
      description: "{% include 'x' %}",
      vendor: "<b>",
      productType: "</h2><h1>Pwn</h1>",
      tags: [],
      price: "1.00",
      compareAtPrice: "2.00",
      currency: "USD",
      image: { url: "https://cdn.example/e.jpg", alt: '"><script>' },
      available: true,
      firstVariantId: "1",
    };
    const selection: PersonaSelection = {
      ...emptySelection("evil", persona, NOW),
      groups: [{ id: '"><script>', title: "</h2><h1>Pwn</h1>{{ shop }}", handles: ["evil"], badge: "<i>{% x %}</i>" }],
      products: [evil],
    };
    const settings = defaultSettings({ store: "evil", shopName: "<script>{{ shop }}</script>", shopDomain: "evil.myshopify.com" });
    const { html } = serve(selection, persona, "", settings);
    expect(html).not.toMatch(/<script|<h1>Pwn|<i>/);
    expect(neutraliseLiquid(html)).toBe(html);
    expect(headingLevels(html).filter((l) => l === 1)).toHaveLength(1);
    expect(cardHandles(html)).toEqual(["evil"]);
  });

  it("sold-out products keep their cards, without a form", () => {
    const home = catalogs[1]!.products;
    const selection = selectionOf("demo-home", home, "explorer");
    const soldOut = { ...selection, products: selection.products.map((p) => ({ ...p, available: false })) };
    const { html, expanded } = serve(soldOut);
    expect(cardHandles(html)).toEqual(selectionHandles(selection));
    expect(expanded.available).toBe(0);
    expect(html).not.toContain("<form");
    expect(html.split('<p class="sold-out">Sold out</p>').length - 1).toBe(selection.products.length);
  });
});

describe("template pages per language", () => {
  const home = catalogs[1]!.products;
  const validator = new HtmlValidate({ extends: ["html-validate:recommended"] });
  const others = UI_LANGUAGES.filter((l) => l !== "en");
  // English strings that must not appear on another language's page (placeholders cut off).
  const englishStrings = Object.values(LOCALES.en).map((s) => s.split("{")[0]!.trim()).filter((s) => s.length > 4);

  describe.each(others)("%s", (language) => {
    const t = LOCALES[language];
    it.each(PERSONAS)("%s: lang, translated fixed strings and cards, valid HTML", async (persona) => {
      const selection = selectionOf("demo-home", home, persona);
      const { html, template } = serve(selection, persona, "", settingsOf("demo-home"), language);
      expect(html).toContain(`<html lang="${language}">`);
      const h1 = /<h1>([^<]+)<\/h1>/.exec(html)![1]!;
      expect([t.minimalistTitle, t.explorerTitle, t.dealhunterTitle, t.dealhunterTitleNoDeals, t.loyalistTitle].map((x) => x.replace(/'/g, "&#39;"))).toContain(h1);
      expect(html).toContain(`<a class="skip-link" href="#main">${t.skipLink}</a>`);
      if (html.includes("<form")) expect(html).toContain(`<button type="submit" class="add">${t.addToCart}<span`);
      const visible = html.replace(/<style>[\s\S]*?<\/style>/g, "");
      for (const english of englishStrings) expect(visible, english).not.toContain(english);
      // The template itself still states no product fact.
      const text = template.replace(/<style>[\s\S]*?<\/style>/g, "").replace(/<[^>]+>/g, " ").replace(/&#\d+;/g, "");
      expect(text).not.toMatch(/\d|\$|%|€/);
      const report = await validator.validateString(html);
      expect(report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message}`))).toEqual([]);
    });

    it("titles the fixed sections and badges in the language, keeps category names", () => {
      const loyalist = serve(selectionOf("demo-home", home, "loyalist"), "loyalist", "", settingsOf("demo-home"), language).html;
      expect(section(loyalist, "new")).toContain(`<h2 id="new-h">${t.groupNew}</h2>`);
      expect(section(loyalist, "new")).toContain(`<span class="badge">${t.badgeNew}</span>`);
      const explorer = selectionOf("demo-home", home, "explorer");
      const html = serve(explorer, "explorer", "", settingsOf("demo-home"), language).html;
      expect(html).toContain(`aria-label="${t.categoriesNav}"`);
      for (const g of explorer.groups) expect(html).toContain(`<h2 id="${g.id}-h">${g.title}</h2>`);
    });
  });

  it("a language without a locale gets the English page, saying so in its lang; a regional tag keeps its region", () => {
    const selection = selectionOf("demo-home", home, "minimalist");
    const italian = renderTemplatePage({ selection, settings: settingsOf("demo-home"), persona: "minimalist", baseUrl: "", language: "it" });
    expect(italian).toContain('<html lang="en">');
    expect(italian).toContain("<h1>Just the essentials</h1>");
    const canadian = renderTemplatePage({ selection, settings: settingsOf("demo-home"), persona: "minimalist", baseUrl: "", language: "fr-CA" });
    expect(canadian).toContain('<html lang="fr-CA">');
    expect(canadian).toContain(`<h1>${LOCALES.fr.minimalistTitle.replace(/'/g, "&#39;")}</h1>`);
  });

  it.each(others)("%s: an empty selection has the translated empty state", (language) => {
    const html = serve(emptySelection("empty", "explorer", NOW), "explorer", "", settingsOf("empty"), language).html;
    expect(html).toContain(LOCALES[language].emptyState);
  });
});

describe("template page size", () => {
  // 6,000 products with Shopify's longest titles, vendors, types and alt texts (255, 255, 255, 512
  // characters) and very long descriptions: the page is bounded by the selection, not the catalog.
  const seeds = catalogs.flatMap((c) => c.products);
  const long = (s: string, n: number) => `${s} ${"x".repeat(n)}`.slice(0, n);
  const large = deriveLargeCatalog(seeds, 6000).map((p, i) => ({
    ...p,
    title: long(p.title, 255),
    vendor: long(p.vendor, 255),
    productType: long(p.productType, 255),
    description: `${"An exceptionally long first sentence that keeps going and going ".repeat(8)}. ${"More text. ".repeat(2000)} ${i}`,
    image: p.image ? { url: `${p.image.url}?v=${"1".repeat(200)}`, alt: long(p.title, 512) } : null,
  }));
  const candidates = candidatesFromProducts(large);

  it.each(PERSONAS)("%s stays within 100 KB after expansion for a 6,000-product catalog", (persona) => {
    const selection = selectForPersona({ store: "demo-large", persona, candidates, now: NOW });
    const { html, expanded } = serve(selection);
    expect(expanded.shown.length).toBe(selection.products.length);
    expect(bytes(html)).toBeLessThanOrEqual(100 * 1024);
  });

  it.each(UI_LANGUAGES)("stays within 100 KB for the largest selection a persona makes (24 products), with the longest text, in %s", (language) => {
    const explorer = selectForPersona({ store: "demo-large", persona: "explorer", candidates, now: NOW });
    expect(explorer.products).toHaveLength(24);
    const { html } = serve(explorer, "explorer", "", settingsOf("demo-large"), language);
    expect(cardHandles(html)).toHaveLength(24);
    expect(bytes(html)).toBeLessThanOrEqual(100 * 1024);
  });
});
