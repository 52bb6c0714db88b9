import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { importShopifyCsv } from "./catalog-import.ts";
import { neutraliseLiquid } from "./html.ts";
import { savingsOf, toCents } from "./money.ts";
import { defaultSettings } from "./settings.ts";
import { SLOT_NAMES, renderSlot } from "./slots.ts";
import { EXPLORER_PER_CATEGORY, LOYALIST_NEW_COUNT, MINIMALIST_COUNT, categoryOf, renderTemplatePage } from "./template.ts";
import { PERSONAS, type CatalogSnapshot, type Persona, type Product } from "./types.ts";

// Tests run in Node; the modules under test never read files.
const load = (store: string, file: string): CatalogSnapshot =>
  importShopifyCsv(store, readFileSync(new URL(`../scripts/demo/catalogs/${file}`, import.meta.url), "utf8"));

const catalogs = [load("demo-apparel", "apparel.csv"), load("demo-home", "home-and-garden.csv"), load("demo-jewelry", "jewelery.csv")];
const settingsOf = (c: CatalogSnapshot) => defaultSettings({ store: c.store, shopName: `Shop ${c.store}`, shopDomain: `${c.store}.myshopify.com` });
const render = (catalog: CatalogSnapshot, persona: Persona, baseUrl = "") => renderTemplatePage({ catalog, settings: settingsOf(catalog), persona, baseUrl });

/** Handles of the product cards, in page order. */
const cardHandles = (html: string) => [...html.matchAll(/<article class="card" data-wand-product="([^"]+)">/g)].map((m) => m[1]!);
const headingLevels = (html: string) => [...html.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));
const section = (html: string, id: string) => {
  const start = html.indexOf(`<section aria-labelledby="${id}">`);
  return start < 0 ? "" : html.slice(start, html.indexOf("</section>", start));
};
const byHandle = (c: CatalogSnapshot) => new Map(c.products.map((p) => [p.handle, p] as const));

describe.each(catalogs.map((c) => [c.store, c] as const))("template pages of %s", (_store, catalog) => {
  it.each(PERSONAS)("%s: complete, accessible structure", (persona) => {
    const html = render(catalog, persona);
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

  it.each(PERSONAS)("%s: every card is a catalog product with a working add-to-cart form", (persona) => {
    const html = render(catalog, persona);
    const handles = cardHandles(html);
    expect(handles.length).toBeGreaterThan(0);
    const products = byHandle(catalog);
    for (const h of handles) expect(products.has(h)).toBe(true);
    const forms = html.match(/<form [^>]*>[\s\S]*?<\/form>/g) ?? [];
    expect(forms).toHaveLength(handles.length);
    forms.forEach((form, i) => {
      const p = products.get(handles[i]!)!;
      expect(form).toContain('method="post" action="/cart/add"');
      expect(form).toContain(`name="id" value="${p.firstVariantId}"`);
      expect(form).toContain('name="quantity" value="1"');
      expect(form).toContain(`name="properties[_wand_persona]" value="${persona}"`);
    });
  });

  it("minimalist: a few available products, from different categories where possible", () => {
    const html = render(catalog, "minimalist");
    const picked = cardHandles(html).map((h) => byHandle(catalog).get(h)!);
    expect(picked.length).toBeLessThanOrEqual(MINIMALIST_COUNT);
    expect(picked.every((p) => p.available)).toBe(true);
    const categories = new Set(catalog.products.filter((p) => p.available).map(categoryOf));
    expect(new Set(picked.map(categoryOf)).size).toBe(Math.min(categories.size, picked.length));
  });

  it("explorer: a section and a navigation link per category, with breadth", () => {
    const html = render(catalog, "explorer");
    const categories = new Map<string, number>();
    for (const p of catalog.products) categories.set(categoryOf(p), (categories.get(categoryOf(p)) ?? 0) + 1);
    expect(html).toContain('<nav class="category-nav" aria-label="Categories">');
    for (const [name, count] of categories) {
      expect(html).toContain(`${name} (${count})</a>`);
      expect(html).toMatch(new RegExp(`<h2 id="cat-[a-z0-9-]+-h">${name}</h2>`));
    }
    const expectedCards = [...categories.values()].reduce((n, c) => n + Math.min(c, EXPLORER_PER_CATEGORY), 0);
    expect(cardHandles(html)).toHaveLength(expectedCards);
    // Every in-page link points at a section that exists.
    for (const m of html.matchAll(/href="#(cat-[^"]+)"/g)) expect(html).toContain(`<section id="${m[1]}"`);
  });

  it("dealhunter: products on sale first, biggest saving first", () => {
    const html = render(catalog, "dealhunter");
    const onSale = catalog.products.filter((p) => p.available && savingsOf(p));
    const deals = cardHandles(section(html, "deals")).map((h) => byHandle(catalog).get(h)!);
    if (onSale.length === 0) {
      expect(html).toContain("<h1>Our best prices</h1>");
      expect(html).toContain("No markdowns right now");
      const low = cardHandles(section(html, "low")).map((h) => toCents(byHandle(catalog).get(h)!.price)!);
      expect(low).toEqual([...low].sort((a, b) => a - b));
      return;
    }
    expect(html).toContain("<h1>Today's best deals</h1>");
    expect(deals.length).toBe(Math.min(onSale.length, 12));
    const percents = deals.map((p) => savingsOf(p)!.percent);
    expect(percents).toEqual([...percents].sort((a, b) => b - a));
    expect(html).toContain(`save up to ${percents[0]}%`);
    // The deals come before anything else on the page.
    expect(cardHandles(html).slice(0, deals.length)).toEqual(deals.map((p) => p.handle));
  });

  it("loyalist: welcome back, then the newest products", () => {
    const html = render(catalog, "loyalist");
    expect(html).toContain("<h1>Welcome back</h1>");
    const newest = [...catalog.products].filter((p) => p.available).reverse().slice(0, LOYALIST_NEW_COUNT).map((p) => p.handle);
    expect(cardHandles(section(html, "new"))).toEqual(newest);
    expect(section(html, "new").split('<span class="badge">New</span>').length - 1).toBe(newest.length);
  });

  it("the four layouts are visibly different", () => {
    const pages = PERSONAS.map((p) => render(catalog, p));
    const shapes = pages.map((html) => `${headingLevels(html).join("")}|${cardHandles(html).join(",")}`);
    expect(new Set(shapes).size).toBe(4);
    expect(new Set(pages.map((h) => /<h1>([^<]+)<\/h1>/.exec(h)![1])).size).toBe(4);
  });

  it("uses absolute URLs of the shop on the direct route", () => {
    const base = `https://${catalog.store}.myshopify.com`;
    const html = render(catalog, "explorer", base);
    expect(html).toContain(`action="${base}/cart/add"`);
    for (const m of html.matchAll(/<a href="([^"#]+)"/g)) expect(m[1]!.startsWith(`${base}/`)).toBe(true);
  });
});

describe("template pages in hard cases", () => {
  const empty: CatalogSnapshot = { store: "empty", version: "0000000000000000", products: [] };

  it.each(PERSONAS)("%s renders an empty catalog with a message, not an error", (persona) => {
    const html = render(empty, persona);
    expect(html).toContain("There are no products to show right now.");
    expect(headingLevels(html)[0]).toBe(1);
  });

  it.each(PERSONAS)("%s escapes hostile products and merchant text", (persona) => {
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
    const catalog: CatalogSnapshot = { store: "evil", version: "0", products: [evil] };
    const settings = { ...defaultSettings({ store: "evil", shopName: "<script>{{ shop }}</script>", shopDomain: "evil.myshopify.com" }) };
    const html = renderTemplatePage({ catalog, settings, persona, baseUrl: "" });
    expect(html).not.toMatch(/<script|<h1>Pwn/);
    expect(neutraliseLiquid(html)).toBe(html);
    expect(headingLevels(html).filter((l) => l === 1)).toHaveLength(1);
  });

  it("a sold-out catalog still gives explorer its products, marked sold out", () => {
    const c = catalogs[1]!;
    const soldOut: CatalogSnapshot = { ...c, products: c.products.map((p) => ({ ...p, available: false })) };
    expect(render(soldOut, "explorer")).toContain(">Sold out<");
    expect(render(soldOut, "minimalist")).toContain("There are no products to show right now.");
  });
});
