import { describe, expect, it } from "vitest";
import { LOCALES } from "./locales/index.ts";
import { renderProductCard } from "./product-card.ts";
import { expandProductSlots, productSlot, productsByHandle, renderSlots, slotHandles, splitProductSlots } from "./product-slots.ts";
import type { Product } from "./types.ts";

function product(handle: string, extra: Partial<Product> = {}): Product {
  return {
    id: handle,
    handle,
    title: `Title of ${handle}`,
    description: "A thing.",
    vendor: "V",
    productType: "T",
    tags: [],
    price: "10.00",
    compareAtPrice: null,
    currency: "USD",
    image: null,
    available: true,
    firstVariantId: "1",
    ...extra,
  };
}

const ctx = { persona: "explorer" as const, baseUrl: "" };
const cards = (html: string) => [...html.matchAll(/<article class="card" data-wand-product="([^"]+)"/g)].map((m) => m[1]!);

describe("productSlot", () => {
  it("writes the canonical slot, with the badge when given", () => {
    expect(productSlot("red-shirt")).toBe('<wand-product handle="red-shirt"></wand-product>');
    expect(productSlot("red-shirt", "New")).toBe('<wand-product handle="red-shirt" data-badge="New"></wand-product>');
  });

  it("escapes attribute values, Liquid included", () => {
    expect(productSlot('a"><script>', "{{ x }}")).toBe('<wand-product handle="a&quot;&gt;&lt;script&gt;" data-badge="&#123;{ x }&#125;"></wand-product>');
  });
});

describe("expandProductSlots", () => {
  const products = [product("tee"), product("scarf", { available: false }), product("Mixed-Case")];

  it("replaces each slot by the product's card and reports what it showed", () => {
    const html = `<ul class="grid"><li>${productSlot("tee")}</li><li>${productSlot("scarf")}</li></ul><div>${productSlot("mixed-case")}</div>`;
    const r = expandProductSlots(html, { products, ...ctx });
    expect(r.html).toBe(
      `<ul class="grid"><li>${renderProductCard(products[0]!, ctx)}</li><li>${renderProductCard(products[1]!, ctx)}</li></ul><div>${renderProductCard(products[2]!, ctx)}</div>`,
    );
    expect(r.shown).toEqual(["tee", "scarf", "Mixed-Case"]);
    expect(r.available).toBe(2);
    expect(r.missing).toEqual([]);
    expect(r.html).not.toContain("<wand-product");
  });

  it("matches handles case-insensitively and accepts a map of products", () => {
    const map = productsByHandle(products);
    const r = expandProductSlots(`<div>${productSlot("TEE")}</div>`, { products: map, ...ctx });
    expect(cards(r.html)).toEqual(["tee"]);
    expect(r.shown).toEqual(["tee"]);
  });

  it("gives the badge to the card", () => {
    const r = expandProductSlots(`<li>${productSlot("tee", "New")}</li>`, { products, persona: "loyalist", baseUrl: "" });
    expect(r.html).toContain('<span class="badge">New</span>');
  });

  it("drops a missing product together with its grid cell, and keeps the rest", () => {
    const html = `<ul class="grid"><li>${productSlot("gone")}</li><li>${productSlot("tee")}</li></ul><div>${productSlot("also-gone")}</div>`;
    const r = expandProductSlots(html, { products, ...ctx });
    expect(r.html).toBe(`<ul class="grid"><li>${renderProductCard(products[0]!, ctx)}</li></ul><div></div>`);
    expect(r.missing).toEqual(["gone", "also-gone"]);
    expect(r.shown).toEqual(["tee"]);
  });

  it("shows a product at most once", () => {
    const r = expandProductSlots(`<ul class="grid"><li>${productSlot("tee")}</li><li>${productSlot("Tee")}</li></ul>`, { products, ...ctx });
    expect(cards(r.html)).toEqual(["tee"]);
    expect(r.html.match(/<li>/g)).toHaveLength(1);
  });

  it("expands a hostile handle only in its canonical, escaped form", () => {
    const evil = product('x"><script>alert(1)</script>');
    const r = expandProductSlots(`<div>${productSlot(evil.handle)}</div>`, { products: [evil], ...ctx });
    expect(r.shown).toEqual([evil.handle]);
    expect(r.html).not.toContain("<script>");
  });

  it.each([
    ["upper-case tag", '<WAND-PRODUCT handle="tee"></WAND-PRODUCT>'],
    ["single quotes", "<wand-product handle='tee'></wand-product>"],
    ["extra space", '<wand-product  handle="tee"></wand-product>'],
    ["self-closing", '<wand-product handle="tee"/>'],
    ["content inside", '<wand-product handle="tee">$1.00</wand-product>'],
    ["another attribute", '<wand-product handle="tee" price="1"></wand-product>'],
    ["attributes reordered", '<wand-product data-badge="New" handle="tee"></wand-product>'],
    ["unescaped entity-like text", '<wand-product handle="tee&x"></wand-product>'],
    ["raw Liquid", '<wand-product handle="{{tee}}"></wand-product>'],
    ["empty handle", '<wand-product handle=""></wand-product>'],
  ])("leaves a non-canonical slot alone (%s)", (_name, markup) => {
    const r = expandProductSlots(`<div>${markup}</div>`, { products: [...products, product("{{tee}}"), product("tee&x")], ...ctx });
    expect(r.html).toBe(`<div>${markup}</div>`);
    expect(r.shown).toEqual([]);
  });

  it("returns a page without slots unchanged", () => {
    const html = "<h1>Hello</h1><p>wand-product</p>";
    expect(expandProductSlots(html, { products, ...ctx })).toEqual({ html, shown: [], available: 0, missing: [] });
  });
});

describe("splitProductSlots + renderSlots", () => {
  it("split once, render with changing facts: the same as expanding each time", () => {
    const html = `<h1>x</h1><ul class="grid"><li>${productSlot("tee", "New")}</li><li>${productSlot("scarf")}</li></ul>`;
    const split = splitProductSlots(html);
    expect(split.segments).toHaveLength(split.slots.length + 1);
    expect(slotHandles(split)).toEqual(["tee", "scarf"]);
    const before = [product("tee"), product("scarf")];
    const after = [product("tee", { price: "7.00" }), product("scarf", { available: false })];
    for (const products of [before, after]) expect(renderSlots(split, { products, ...ctx })).toEqual(expandProductSlots(html, { products, ...ctx }));
    const changed = renderSlots(split, { products: after, ...ctx });
    expect(changed.html).toContain("$7.00");
    expect(changed.html).toContain('<p class="sold-out">Sold out</p>');
    expect(changed.available).toBe(1);
  });
});

describe("renderSlots per language and market", () => {
  it("one split page, expanded for two markets: each gets its own strings, amounts and links", () => {
    const split = splitProductSlots(`<ul class="grid"><li>${productSlot("tee", "Nouveau")}</li></ul>`);
    const us = renderSlots(split, { products: [product("tee")], ...ctx });
    const fr = renderSlots(split, {
      products: [product("tee", { price: "9.50", currency: "EUR", available: false })],
      persona: "explorer",
      baseUrl: "/fr",
      locale: { messages: LOCALES.fr, formatLocale: "fr-FR" },
    });
    expect(us.html).toContain("$10.00");
    expect(us.html).toContain("Add to cart");
    expect(fr.html.replace(/[\u00a0\u202f]/g, " ")).toContain(">9,50 €</data>");
    expect(fr.html).toContain('<p class="sold-out">Épuisé</p>');
    expect(fr.html).toContain('href="/fr/products/tee"');
    expect(fr.html).toContain('<span class="badge">Nouveau</span>');
    expect(fr.available).toBe(0);
  });
});
