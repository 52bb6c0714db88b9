import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { candidatesFromProducts, selectForPersona } from "../../../core/selection.ts";
import { PERSONAS, type CatalogProduct } from "../../../core/types.ts";
import { countProducts, markDeleted, readCandidates, readProduct, readProductsByHandles, removeUnseen, upsertProducts } from "./product-rows.ts";
import { readSelection, refreshSelections } from "./selection-store.ts";

let n = 0;
const uniqueStore = () => `t-rows-${Date.now().toString(36)}-${++n}`;

// A seeded pseudo-random catalog with ties in every ordering (equal prices, discounts, listing times).
function catalog(count: number, seed = 7): CatalogProduct[] {
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const types = ["Shirts", "shoes", "Hats", "", "Bags", "Socks", "Belts", "Scarves"];
  return Array.from({ length: count }, (_, i) => {
    const price = 5 + Math.floor(rand() * 20);
    const sale = rand() < 0.3;
    return {
      id: `gid://shopify/Product/${i + 1}`,
      handle: `p-${Math.floor(rand() * 1e6).toString(36)}-${i}`,
      title: `Product ${i}`,
      description: `Description ${i}`,
      vendor: "V",
      productType: types[Math.floor(rand() * types.length)]!,
      tags: rand() < 0.5 ? ["Tagged"] : [],
      price: `${price}.00`,
      compareAtPrice: sale ? `${price + 1 + Math.floor(rand() * 10)}.00` : null,
      currency: "USD",
      image: rand() < 0.5 ? { url: `https://cdn.example.com/${i}.jpg`, alt: `P ${i}` } : null,
      available: rand() < 0.85,
      firstVariantId: String(100 + i),
      listedAt: 1_700_000_000_000 + Math.floor(rand() * 50) * 1000,
      updatedAt: 1_700_000_000_000,
    };
  });
}

describe("product rows in D1", () => {
  it("answer the candidate queries exactly as core computes them in memory", async () => {
    const store = uniqueStore();
    const products = catalog(600);
    await upsertProducts(env.DB, store, products);
    expect(await countProducts(env.DB, store)).toBe(600);
    const fromD1 = await readCandidates(env.DB, store);
    expect(fromD1).toEqual(candidatesFromProducts(products));
    for (const persona of PERSONAS) {
      const a = selectForPersona({ store, persona, candidates: fromD1, now: 1 });
      const b = selectForPersona({ store, persona, candidates: candidatesFromProducts(products), now: 1 });
      expect(a).toEqual(b);
    }
  });

  it("let only a newer write win, and keep a deleted product deleted", async () => {
    const store = uniqueStore();
    const [p] = catalog(1);
    await upsertProducts(env.DB, store, [{ ...p!, updatedAt: 2000, price: "20.00" }]);
    await upsertProducts(env.DB, store, [{ ...p!, updatedAt: 1000, price: "10.00" }]);
    expect((await readProduct(env.DB, store, p!.id))?.product.price).toBe("20.00");
    await upsertProducts(env.DB, store, [{ ...p!, updatedAt: 3000, price: "30.00" }]);
    expect((await readProduct(env.DB, store, p!.id))?.product.price).toBe("30.00");

    expect(await markDeleted(env.DB, store, p!.id, 4000)).toBe(true);
    await upsertProducts(env.DB, store, [{ ...p!, updatedAt: 3500, price: "35.00" }]);
    const after = await readProduct(env.DB, store, p!.id);
    expect(after?.deleted).toBe(true);
    expect(await readProductsByHandles(env.DB, store, [p!.handle])).toEqual([]);
    // A delete older than the row's last change does nothing.
    await upsertProducts(env.DB, store, [{ ...p!, id: "gid://shopify/Product/99", handle: "other", updatedAt: 5000 }]);
    expect(await markDeleted(env.DB, store, "gid://shopify/Product/99", 4500)).toBe(false);
    expect(await countProducts(env.DB, store)).toBe(1);
  });

  it("read any number of handles in bounded queries", async () => {
    const store = uniqueStore();
    const products = catalog(250);
    await upsertProducts(env.DB, store, products);
    const found = await readProductsByHandles(env.DB, store, products.map((p) => p.handle));
    expect(found.map((p) => p.handle).sort()).toEqual(products.map((p) => p.handle).sort());
    expect(found.find((p) => p.id === products[3]!.id)).toEqual(products[3]);
  });

  it("remove what a full sync did not see, but not what changed since it started", async () => {
    const store = uniqueStore();
    const products = catalog(10);
    await upsertProducts(env.DB, store, products, { syncRun: 1 });
    // Run 2 sees only the first 6; product 9 was changed by a webhook after run 2 started.
    await upsertProducts(env.DB, store, products.slice(0, 6), { syncRun: 2 });
    await upsertProducts(env.DB, store, [{ ...products[9]!, updatedAt: 1_800_000_000_000 }]);
    expect(await removeUnseen(env.DB, store, 2, 1_750_000_000_000)).toBe(3);
    expect(await countProducts(env.DB, store)).toBe(7);
  });
});

describe("selection store", () => {
  it("computes a selection on first read, stores it, and keeps its membership across price changes", async () => {
    const store = uniqueStore();
    const products = catalog(300);
    await upsertProducts(env.DB, store, products);
    const first = await readSelection(env, store, "dealhunter");
    expect(first.products.length).toBeGreaterThan(3);
    const row = await env.DB.prepare("SELECT merchVersion FROM PersonaSelection WHERE store = ? AND persona = ?").bind(store, "dealhunter").first<{ merchVersion: string }>();
    expect(row?.merchVersion).toBe(first.merchVersion);

    const target = products.find((p) => p.handle === first.products[0]!.handle)!;
    await upsertProducts(env.DB, store, [{ ...target, price: "1.00", compareAtPrice: null, updatedAt: target.updatedAt + 1 }]);
    const [refreshed] = await refreshSelections(env, store, { reselect: "if-needed", personas: ["dealhunter"] });
    expect(refreshed!.merchVersion).toBe(first.merchVersion);
    expect(refreshed!.products.find((p) => p.handle === target.handle)?.price).toBe("1.00");
    expect((await readSelection(env, store, "dealhunter")).factsVersion).toBe(refreshed!.factsVersion);
  });
});
