import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { importShopifyCsv } from "./catalog-import.ts";
import { LARGE_LISTED_FROM, deriveLargeCatalog } from "./demo-large.ts";
import { savingsOf, toCents } from "./money.ts";
import type { CatalogProduct } from "./types.ts";

// Tests run in Node; core's modules themselves never read files.
const sample = (file: string) => importShopifyCsv("s", readFileSync(new URL(`../scripts/demo/catalogs/${file}`, import.meta.url), "utf8")).products;
const seeds: CatalogProduct[] = [...sample("apparel.csv"), ...sample("home-and-garden.csv"), ...sample("jewelery.csv")];
const COUNT = 6000;
const large = deriveLargeCatalog(seeds, COUNT);
const share = (pred: (p: CatalogProduct) => boolean) => large.filter(pred).length / large.length;

describe("deriveLargeCatalog", () => {
  it("makes the asked number of products with unique handles and unique numeric variant ids", () => {
    expect(large).toHaveLength(COUNT);
    expect(new Set(large.map((p) => p.handle)).size).toBe(COUNT);
    expect(new Set(large.map((p) => p.firstVariantId)).size).toBe(COUNT);
    for (const p of large) {
      expect(p.handle).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(Number.isSafeInteger(Number(p.firstVariantId))).toBe(true);
      expect(p.id).toBe(p.handle);
    }
  });

  it("is deterministic: the same seeds give the same catalog, and fewer products a prefix of it", () => {
    expect(deriveLargeCatalog(structuredClone(seeds), COUNT)).toEqual(large);
    expect(deriveLargeCatalog(seeds, 500)).toEqual(large.slice(0, 500));
  });

  it("derives every product from a seed: its title, vendor, image and currency, with a varied title", () => {
    const titles = new Set(large.map((p) => p.title));
    expect(titles.size).toBe(COUNT);
    large.forEach((p, i) => {
      const seed = seeds[i % seeds.length]!;
      expect(p.title.startsWith(`${seed.title} – `)).toBe(true);
      expect(p.vendor).toBe(seed.vendor);
      expect(p.currency).toBe("USD");
      expect(p.image?.url).toBe(seed.image?.url);
      expect(p.image?.alt).toBe(p.title);
      expect(p.description.startsWith(seed.description)).toBe(true);
    });
  });

  it("varies prices, with about a quarter on sale and a few sold out", () => {
    for (const p of large) {
      expect(toCents(p.price)).toBeGreaterThan(0);
      if (p.compareAtPrice !== null) expect(savingsOf(p)!.percent).toBeGreaterThanOrEqual(10);
    }
    expect(new Set(large.map((p) => p.price)).size).toBeGreaterThan(200);
    expect(share((p) => savingsOf(p) !== null)).toBeGreaterThan(0.2);
    expect(share((p) => savingsOf(p) !== null)).toBeLessThan(0.3);
    expect(share((p) => !p.available)).toBeGreaterThan(0.05);
    expect(share((p) => !p.available)).toBeLessThan(0.11);
    const percents = new Set(large.map((p) => savingsOf(p)?.percent).filter((x) => x !== undefined));
    expect(percents.size).toBeGreaterThan(30);
  });

  it("spreads listing times over two years, each change after its listing", () => {
    const listed = large.map((p) => p.listedAt);
    expect(Math.min(...listed)).toBeGreaterThanOrEqual(LARGE_LISTED_FROM);
    expect(Math.max(...listed) - Math.min(...listed)).toBeGreaterThan(365 * 24 * 3600 * 1000);
    expect(new Set(listed).size).toBeGreaterThan(COUNT * 0.95);
    for (const p of large) expect(p.updatedAt).toBeGreaterThanOrEqual(p.listedAt);
  });

  it("keeps the samples' product types and gives the apparel ones types of their own", () => {
    const types = new Set(large.map((p) => p.productType));
    for (const t of ["Indoor", "Outdoor", "Bracelet", "Necklace", "Earrings", "Tops", "Jackets", "Bags", "Shoes"]) expect(types.has(t), t).toBe(true);
    expect(large.every((p) => p.productType !== "")).toBe(true);
  });

  it("needs seeds", () => {
    expect(() => deriveLargeCatalog([], 10)).toThrow(RangeError);
  });
});
