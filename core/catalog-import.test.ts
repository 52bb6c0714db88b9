import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CSV_LISTED_FROM, CSV_LISTED_STEP_MS, CatalogImportError, importShopifyCsv } from "./catalog-import.ts";

// Tests run in Node; core's modules themselves never read files (see purity.test.ts).
const sample = (file: string) => readFileSync(new URL(`../scripts/demo/catalogs/${file}`, import.meta.url), "utf8");

const HEADER =
  "Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,Variant SKU,Variant Inventory Qty,Variant Inventory Policy,Variant Price,Variant Compare At Price,Image Src,Image Alt Text";
const csv = (...rows: string[]) => [HEADER, ...rows].join("\n") + "\n";

describe("importShopifyCsv on Shopify's sample catalogs", () => {
  const home = importShopifyCsv("demo-home", sample("home-and-garden.csv"));
  const jewelry = importShopifyCsv("demo-jewelry", sample("jewelery.csv"));
  const apparel = importShopifyCsv("demo-apparel", sample("apparel.csv"));
  const byHandle = (c: typeof home, h: string) => {
    const p = c.products.find((x) => x.handle === h);
    if (!p) throw new Error(`no product ${h}`);
    return p;
  };

  it("makes one product per handle, in the CSV's order", () => {
    expect(home.products).toHaveLength(20);
    expect(jewelry.products).toHaveLength(20);
    expect(apparel.products).toHaveLength(20);
    expect(home.products[0]!.handle).toBe("clay-plant-pot");
    expect(home.products.at(-1)!.handle).toBe("bedside-table");
    expect(new Set(jewelry.products.map((p) => p.handle)).size).toBe(20);
  });

  it("takes the product fields from the first row and price, compare-at and image from the first variant", () => {
    // clay-plant-pot: Regular 9.99 (first row), Large 15.99 with a second image.
    expect(byHandle(home, "clay-plant-pot")).toEqual({
      id: "clay-plant-pot",
      handle: "clay-plant-pot",
      title: "Clay Plant Pot",
      description: "Classic blown clay pot for plants",
      vendor: "Company 123",
      productType: "Outdoor",
      tags: ["Pot", "Plants"],
      price: "9.99",
      compareAtPrice: null,
      currency: "USD",
      image: { url: "https://burst.shopifycdn.com/photos/single-sprout-in-a-pot_925x.jpg", alt: "Clay Plant Pot" },
      available: true,
      firstVariantId: expect.stringMatching(/^[1-9]\d*$/),
      listedAt: CSV_LISTED_FROM,
      updatedAt: CSV_LISTED_FROM,
    });
    // leather-anchor: Gold 69.99/85, Silver 55/85, and an image-only row.
    const anchor = byHandle(jewelry, "leather-anchor");
    expect([anchor.price, anchor.compareAtPrice, anchor.title]).toEqual(["69.99", "85.00", "Anchor Bracelet Mens"]);
    expect(anchor.tags).toEqual(["Anchor", "Gold", "Leather", "Silver"]);
  });

  it("normalises prices to two decimals and keeps real compare-at prices", () => {
    expect(byHandle(apparel, "ocean-blue-shirt").price).toBe("50.00");
    expect(byHandle(home, "copper-light")).toMatchObject({ price: "59.99", compareAtPrice: "75.00" });
    expect(byHandle(home, "cream-sofa")).toMatchObject({ price: "500.00", compareAtPrice: "750.00" });
    expect(apparel.products.every((p) => p.compareAtPrice === null)).toBe(true);
  });

  it("reduces HTML bodies to plain text", () => {
    expect(byHandle(jewelry, "gemstone").description).not.toMatch(/<|>/);
    expect(byHandle(jewelry, "gemstone").description).toMatch(/^Gemstone pendant, housed in sterling silver/);
    expect(home.products.every((p) => !/[<>]/.test(p.description))).toBe(true);
  });

  it("marks products with no stock on any variant as unavailable", () => {
    expect(byHandle(home, "pink-armchair").available).toBe(false);
    expect(byHandle(home, "wooden-outdoor-slats").available).toBe(false);
    // chain-bracelet: Blue has 1, Black has 0 → available.
    expect(byHandle(jewelry, "chain-bracelet").available).toBe(true);
  });

  it("gives every product a distinct numeric variant id that is stable across imports", () => {
    for (const c of [home, jewelry, apparel]) {
      const ids = c.products.map((p) => p.firstVariantId);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(Number.isSafeInteger(Number(id))).toBe(true);
    }
    expect(importShopifyCsv("demo-home", sample("home-and-garden.csv")).products.map((p) => p.firstVariantId)).toEqual(
      home.products.map((p) => p.firstVariantId),
    );
  });

  it("reports no warnings for the bundled catalogs", () => {
    for (const f of ["apparel.csv", "home-and-garden.csv", "jewelery.csv"]) {
      expect(importShopifyCsv("s", sample(f)).warnings).toEqual([]);
    }
  });
});

describe("importShopifyCsv edge cases", () => {
  it("refuses a file that is not a product CSV", () => {
    expect(() => importShopifyCsv("s", "name,price\nx,1\n")).toThrow(CatalogImportError);
    expect(() => importShopifyCsv("s", "")).toThrow(CatalogImportError);
  });

  it("reads a BOM-prefixed file", () => {
    expect(importShopifyCsv("s", "\uFEFF" + csv("a,A,,V,T,,true,Title,Default Title,,1,deny,5,,,")).products).toHaveLength(1);
  });

  it("handles quoted commas, quotes and newlines in fields", () => {
    const c = importShopifyCsv("s", csv('a,"Chair, ""Big""","<p>Line one</p>\n<p>Line &amp; two</p>",V,T,"x, y",true,Title,Default Title,,1,deny,5,,,'));
    expect(c.products[0]).toMatchObject({ title: 'Chair, "Big"', description: "Line one\nLine & two", tags: ["x", "y"] });
  });

  it("drops a compare-at price that is not above the price", () => {
    const c = importShopifyCsv("s", csv("a,A,,V,T,,true,Title,Default Title,,1,deny,10,10,,", "b,B,,V,T,,true,Title,Default Title,,1,deny,10,9,,"));
    expect(c.products.map((p) => p.compareAtPrice)).toEqual([null, null]);
  });

  it("makes unpublished, draft and sold-out products unavailable; 'continue' policy sells without stock", () => {
    const c = importShopifyCsv("s", csv("a,A,,V,T,,false,Title,Default Title,,5,deny,1,,,", "b,B,,V,T,,true,Title,Default Title,,0,deny,1,,,", "c,C,,V,T,,true,Title,Default Title,,0,continue,1,,,"));
    expect(c.products.map((p) => p.available)).toEqual([false, false, true]);
    const withStatus = importShopifyCsv("s", "Handle,Title,Variant Price,Variant Inventory Qty,Status\na,A,1,5,draft\nb,B,1,5,active\n");
    expect(withStatus.products.map((p) => p.available)).toEqual([false, true]);
  });

  it("skips products without a title or a price and says so", () => {
    const r = importShopifyCsv("s", csv(",Orphan,,V,T,,true,Title,x,,1,deny,1,,,", "b,,,V,T,,true,Title,x,,1,deny,1,,,", "c,C,,V,T,,true,Title,x,,1,deny,abc,,,", "d,D,,V,T,,true,Title,x,,1,deny,2,,,"));
    expect(r.products.map((p) => p.handle)).toEqual(["d"]);
    expect(r.warnings).toHaveLength(3);
    expect(r.warnings.join("\n")).toMatch(/no Handle[\s\S]*product b: no Title[\s\S]*product c: no valid Variant Price/);
  });

  it("uses a Variant ID column when the export has one", () => {
    const c = importShopifyCsv("s", "Handle,Title,Variant Price,Variant ID\na,A,1,44012345678901\n");
    expect(c.products[0]!.firstVariantId).toBe("44012345678901");
  });

  it("derives a different variant id when the first variant differs", () => {
    const a = importShopifyCsv("s", csv("a,A,,V,T,,true,Size,Small,,1,deny,1,,,")).products[0]!;
    const b = importShopifyCsv("s", csv("a,A,,V,T,,true,Size,Large,,1,deny,1,,,")).products[0]!;
    expect(a.firstVariantId).not.toBe(b.firstVariantId);
  });

  it("keeps Liquid and HTML in product text as data (escaping is the renderer's job)", () => {
    const c = importShopifyCsv("s", csv('a,{{ customer.email }},"<script>x()</script><p>Hi</p>",V,T,,true,Title,x,,1,deny,1,,javascript:alert(1),'));
    expect(c.products[0]!.title).toBe("{{ customer.email }}");
    expect(c.products[0]!.description).toBe("Hi");
    // Only http(s) image URLs are kept.
    expect(c.products[0]!.image).toBeNull();
  });

  it("uses the currency option", () => {
    expect(importShopifyCsv("s", csv("a,A,,V,T,,true,Title,x,,1,deny,1,,,"), { currency: "EUR" }).products[0]!.currency).toBe("EUR");
  });
});

describe("listing times and descriptions", () => {
  const home = importShopifyCsv("demo-home", sample("home-and-garden.csv"));

  it("names the store and lists later rows as newer, from a fixed base", () => {
    expect(home.store).toBe("demo-home");
    home.products.forEach((p, i) => {
      expect(p.listedAt).toBe(CSV_LISTED_FROM + i * CSV_LISTED_STEP_MS);
      expect(p.updatedAt).toBe(p.listedAt);
    });
    const shifted = importShopifyCsv("demo-home", sample("home-and-garden.csv"), { listedFrom: 1000 });
    expect(shifted.products.map((p) => p.listedAt)).toEqual(home.products.map((_p, i) => 1000 + i * CSV_LISTED_STEP_MS));
  });

  it("is deterministic: the same file gives the same products", () => {
    expect(importShopifyCsv("demo-home", sample("home-and-garden.csv"))).toEqual(home);
  });

  it("counts listing order over imported products only, skipping nothing in between", () => {
    const r = importShopifyCsv("s", csv("a,A,,V,T,,true,Title,x,,1,deny,1,,,", "b,,,V,T,,true,Title,x,,1,deny,1,,,", "c,C,,V,T,,true,Title,x,,1,deny,2,,,"));
    expect(r.products.map((p) => [p.handle, p.listedAt - CSV_LISTED_FROM])).toEqual([["a", 0], ["c", CSV_LISTED_STEP_MS]]);
  });

  it("keeps a long description whole", () => {
    const long = "Soft cotton. ".repeat(200).trim();
    const r = importShopifyCsv("s", csv(`a,A,"<p>${long}</p>",V,T,,true,Title,x,,1,deny,1,,,`));
    expect(r.products[0]!.description).toBe(long);
  });
});
