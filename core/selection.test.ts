import { describe, expect, it } from "vitest";
import {
  CANDIDATE_LIMITS,
  MIN_PAGE_PRODUCTS,
  candidatesFromProducts,
  categoryOf,
  emptySelection,
  needsReselection,
  refreshSelection,
  selectForPersona,
  selectionHandles,
} from "./selection.ts";
import { PERSONAS, type CatalogProduct, type Persona } from "./types.ts";

const TYPES = ["Shirts", "Shoes", "Hats", "Bags", "Socks", "Belts", "Scarves", "Gloves"];

function catalog(n: number): CatalogProduct[] {
  return Array.from({ length: n }, (_, i) => {
    const onSale = i % 4 === 0;
    const price = 10 + (i % 37);
    return {
      id: `gid://shopify/Product/${i + 1}`,
      handle: `item-${String(i).padStart(6, "0")}`,
      title: `Item ${i}`,
      description: `A fine item number ${i}. `.repeat(60),
      vendor: "Wand",
      productType: TYPES[(i * 7) % TYPES.length]!,
      tags: [],
      price: `${price}.00`,
      compareAtPrice: onSale ? `${price + 1 + (i % 23)}.00` : null,
      currency: "USD",
      image: null,
      available: i % 13 !== 5,
      firstVariantId: String(1000 + i),
      listedAt: 1_700_000_000_000 + i * 1000,
      updatedAt: 1_700_000_000_000,
    };
  });
}

const select = (products: CatalogProduct[], persona: Persona) =>
  selectForPersona({ store: "s", persona, candidates: candidatesFromProducts(products), now: 1 });

describe("persona selections", () => {
  it("are bounded in products and bytes whatever the catalog size", () => {
    const small = catalog(20);
    const large = catalog(20_000);
    for (const persona of PERSONAS) {
      for (const products of [small, large]) {
        const s = select(products, persona);
        expect(s.products.length).toBeGreaterThan(0);
        expect(s.products.length).toBeLessThanOrEqual(24);
        expect(new TextEncoder().encode(JSON.stringify(s)).length).toBeLessThan(40_000);
      }
    }
  });

  it("choose what each persona values", () => {
    const products = catalog(2000);
    const deals = select(products, "dealhunter");
    const percents = deals.products.slice(0, deals.groups[0]!.handles.length).map((p) => Math.floor(((Number(p.compareAtPrice) - Number(p.price)) * 100) / Number(p.compareAtPrice)));
    expect([...percents].sort((a, b) => b - a)).toEqual(percents);
    expect(deals.products.every((p) => p.available)).toBe(true);

    const loyal = select(products, "loyalist");
    const newest = [...products].filter((p) => p.available).sort((a, b) => b.listedAt - a.listedAt).slice(0, 6).map((p) => p.handle);
    expect(loyal.groups[0]!.handles).toEqual(newest);
    expect(loyal.groups[0]!.badge).toBe("New");

    const explorer = select(products, "explorer");
    expect(explorer.groups.length).toBe(CANDIDATE_LIMITS.categories);
    expect(new Set(explorer.groups.map((g) => g.title)).size).toBe(explorer.groups.length);

    const minimalist = select(products, "minimalist");
    expect(new Set(minimalist.products.map(categoryOf)).size).toBe(minimalist.products.length);
  });

  it("are deterministic and explain themselves", () => {
    const a = select(catalog(500), "dealhunter");
    const b = select(catalog(500).reverse(), "dealhunter");
    expect(b.groups).toEqual(a.groups);
    expect(b.merchVersion).toBe(a.merchVersion);
    expect(a.reasons.length).toBe(a.groups.length);
  });

  it("keep the merch version on a price, stock or deletion change and change it on a title change", () => {
    const products = catalog(100);
    const s = select(products, "loyalist");
    const current = products.filter((p) => selectionHandles(s).includes(p.handle));
    const [first, second, ...rest] = current;
    const priced = refreshSelection(s, [{ ...first!, price: "1.00", available: false }, second!, ...rest]);
    expect(priced.merchVersion).toBe(s.merchVersion);
    expect(priced.factsVersion).not.toBe(s.factsVersion);
    expect(priced.products.find((p) => p.handle === first!.handle)?.price).toBe("1.00");

    const deleted = refreshSelection(s, [second!, ...rest]);
    expect(deleted.merchVersion).toBe(s.merchVersion);
    expect(deleted.products.map((p) => p.handle)).not.toContain(first!.handle);

    const renamed = refreshSelection(s, [{ ...first!, title: "A new name" }, second!, ...rest]);
    expect(renamed.merchVersion).not.toBe(s.merchVersion);
  });

  it("asks for a reselection when too few available products are left", () => {
    const products = catalog(100);
    const s = select(products, "minimalist");
    const current = products.filter((p) => selectionHandles(s).includes(p.handle));
    expect(needsReselection(refreshSelection(s, current))).toBe(false);
    const mostlyGone = refreshSelection(s, current.slice(0, MIN_PAGE_PRODUCTS - 1));
    expect(needsReselection(mostlyGone)).toBe(true);
    // A store that only has two products is not reselected over and over.
    expect(needsReselection(select(catalog(2), "minimalist"))).toBe(false);
  });

  it("of an empty store have no groups", () => {
    const s = emptySelection("s", "explorer", 1);
    expect(s.groups).toEqual([]);
    expect(s.products).toEqual([]);
  });
});
