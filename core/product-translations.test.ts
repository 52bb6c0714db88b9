import { describe, expect, it } from "vitest";
import { cacheVariant } from "./cache-key.ts";
import { SELECTION_DESCRIPTION_CHARS, candidatesFromProducts, selectForPersona } from "./selection.ts";
import { TRANSLATIONS_QUERY, parseProductTranslations, translateSelection, translationsFromResponse, translationsVariables } from "./product-translations.ts";
import type { CatalogProduct } from "./types.ts";

function catalog(n: number): CatalogProduct[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i === 0 ? "csv-handle" : `gid://shopify/Product/${100 + i}`,
    handle: `Item-${i}`,
    title: `Item ${i}`,
    description: `Base text ${i}.`,
    vendor: "Wand",
    productType: ["Shirts", "Hats"][i % 2]!,
    tags: [],
    price: `${10 + i}.00`,
    compareAtPrice: null,
    currency: "USD",
    image: null,
    available: true,
    firstVariantId: String(1000 + i),
    listedAt: 1_700_000_000_000 + i,
    updatedAt: 1_700_000_000_000,
  }));
}

const products = catalog(6);
const selection = selectForPersona({ store: "shop", persona: "loyalist", candidates: candidatesFromProducts(products), now: 0 });
const handles = new Map(products.map((p) => [p.id, p.handle] as const));

/** A translatableResourcesByIds answer as the Admin API gives it. */
function answer(nodes: { id: string; t: Record<string, string> }[]) {
  return { translatableResourcesByIds: { nodes: nodes.map((n) => ({ resourceId: n.id, translations: Object.entries(n.t).map(([key, value]) => ({ key, value })) })) } };
}

describe("product translations", () => {
  it("asks for the selected products by GID only (CSV products have none), in the language", () => {
    expect(TRANSLATIONS_QUERY).toContain("translations(locale: $locale)");
    const v = translationsVariables(products, "FR");
    expect(v).toEqual({ ids: products.slice(1).map((p) => p.id), first: 5, locale: "fr" });
    expect(() => translationsVariables(products, "not a language")).toThrow(RangeError);
  });

  it("reads titles and body_html (as plain text, clipped); empty values are no translation", () => {
    const t = translationsFromResponse(
      answer([
        { id: products[1]!.id, t: { title: "Article 1", body_html: "<p>Texte <b>français</b> &amp; plus</p>" } },
        { id: products[2]!.id, t: { title: "", body_html: `<p>${"é".repeat(SELECTION_DESCRIPTION_CHARS + 50)}</p>` } },
        { id: products[3]!.id, t: { handle: "article-3" } },
        { id: "gid://shopify/Product/999", t: { title: "Not asked for" } },
      ]),
      { store: "shop", language: "fr", handles, fetchedAt: 5 },
    );
    expect(t.products["item-1"]).toEqual({ title: "Article 1", description: "Texte français & plus" });
    expect(t.products["item-2"]?.title).toBeUndefined();
    expect([...t.products["item-2"]!.description!]).toHaveLength(SELECTION_DESCRIPTION_CHARS);
    expect(t.products["item-3"]).toBeUndefined();
    expect(Object.keys(t.products)).toEqual(["item-1", "item-2"]);
    expect(parseProductTranslations(JSON.parse(JSON.stringify(t)))).toEqual(t);
    expect(() => translationsFromResponse({ nodes: [] }, { store: "shop", language: "fr", handles, fetchedAt: 5 })).toThrow(TypeError);
  });

  it("lays translations over a selection, base text where there is none, and versions the merchandising", () => {
    const t = translationsFromResponse(answer([{ id: products[1]!.id, t: { title: "Article 1" } }]), { store: "shop", language: "fr", handles, fetchedAt: 5 });
    const fr = translateSelection(selection, t);
    const one = fr.products.find((p) => p.handle === "Item-1")!;
    expect(one.title).toBe("Article 1");
    expect(one.description).toBe("Base text 1.");
    for (const p of fr.products.filter((p) => p.handle !== "Item-1")) expect(p).toEqual(selection.products.find((b) => b.handle === p.handle));
    // Prices and variants are the selection's own: translations are text only.
    expect(fr.products.map((p) => [p.price, p.firstVariantId])).toEqual(selection.products.map((p) => [p.price, p.firstVariantId]));
    // A translated page is its own variant; another translation is another one; none is the base.
    expect(fr.merchVersion).not.toBe(selection.merchVersion);
    const v = (s: typeof selection) => cacheVariant({ merchVersion: s.merchVersion, settingsVersion: 1, promptVersion: "p" });
    const changed = translateSelection(selection, { ...t, products: { "item-1": { title: "Article un" } } });
    expect(v(changed)).not.toBe(v(fr));
    expect(translateSelection(selection, { ...t, products: {} })).toBe(selection);
    expect(translateSelection(selection, null)).toBe(selection);
    expect(translateSelection(selection, t).merchVersion).toBe(fr.merchVersion);
  });

  it("refuses stored translations that break the bounds", () => {
    expect(() => parseProductTranslations({ store: "shop", language: "FR", products: {}, fetchedAt: 1 })).toThrow();
    expect(() => parseProductTranslations({ store: "shop", language: "fr", products: { Upper: { title: "x" } }, fetchedAt: 1 })).toThrow();
  });
});
