import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_STORES } from "../core/demo-stores.ts";
import { storageOnlyConfig } from "./cache/storage-config.ts";
import { loadDemoStore } from "./demo/load-catalogs.ts";
import { EDGE_CONFIG, seedDemoStores } from "./seed.ts";

interface Statement {
  bind(...v: unknown[]): Statement;
  run(): Promise<unknown>;
  first<T>(): Promise<T | null>;
  all<T>(): Promise<{ results: T[] }>;
}
interface Bindings {
  DB: { prepare(sql: string): Statement };
  CACHE: { get(key: string, type: "json"): Promise<unknown>; put(key: string, value: string): Promise<void>; list(o: { prefix: string }): Promise<{ keys: { name: string }[] }> };
  PAGES: { list(o: { prefix: string }): Promise<{ objects: unknown[] }> };
}

const dir = mkdtempSync(join(tmpdir(), "wand-seed-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The same local state the seed wrote (storage bindings of the edge's config, as the seed opens it). */
async function open() {
  process.env.WRANGLER_LOG ??= "error";
  const { getPlatformProxy } = await import("wrangler");
  const config = await storageOnlyConfig(EDGE_CONFIG);
  try {
    return await getPlatformProxy<Bindings>({ configPath: config.path, persist: { path: join(dir, "v3") }, remoteBindings: false });
  } finally {
    config.remove();
  }
}

const large = loadDemoStore(DEMO_STORES.find((d) => d.store === "demo-large")!);

describe("scripts/seed.ts", () => {
  it("puts every demo store into D1 as product rows with its summary and settings snapshot, and keeps a merchant's edits when run again", async () => {
    const lines: string[] = [];
    await seedDemoStores(dir, (l) => lines.push(l));
    expect(lines).toHaveLength(DEMO_STORES.length);
    expect(lines.find((l) => l.startsWith("seeded demo-large:"))).toMatch(/^seeded demo-large: 6000 products, settings v1 \(\d+ ms\)$/);

    let proxy = await open();
    try {
      for (const demo of DEMO_STORES) {
        const expected = loadDemoStore(demo).products;
        const row = await proxy.env.DB.prepare("SELECT s.shopDomain, s.installed, c.productCount, c.syncState FROM ShopSettings s JOIN Catalog c USING (store) WHERE store = ?")
          .bind(demo.store)
          .first<{ shopDomain: string; installed: number; productCount: number; syncState: string }>();
        expect(row).toEqual({ shopDomain: demo.shopDomain, installed: 1, productCount: expected.length, syncState: "ok" });
        const rows = await proxy.env.DB.prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT handle) AS handles FROM Product WHERE store = ? AND deleted = 0").bind(demo.store).first<{ n: number; handles: number }>();
        expect(rows).toEqual({ n: expected.length, handles: expected.length });
        expect(await proxy.env.CACHE.get(`settings/${demo.store}`, "json")).toMatchObject({ store: demo.store, settingsVersion: 1 });
        // No whole-catalog snapshot anywhere.
        expect(await proxy.env.CACHE.get(`catalog/${demo.store}`, "json")).toBeNull();
        expect((await proxy.env.PAGES.list({ prefix: `catalog/${demo.store}` })).objects).toEqual([]);
      }
      // Demo Apparel sells in the US and in France: its markets as the catalog sync would store them,
      // a euro price for every product (the price list's where fixed, else converted) and French titles.
      const apparel = DEMO_STORES.find((d) => d.store === "demo-apparel")!;
      const markets = await proxy.env.DB.prepare("SELECT markets, source FROM ShopMarkets WHERE store = 'demo-apparel'").first<{ markets: string; source: string }>();
      expect(markets && { markets: JSON.parse(markets.markets) as unknown, source: markets.source }).toEqual({ markets: apparel.markets!.markets, source: "seed" });
      expect(await proxy.env.CACHE.get("markets/demo-apparel", "json")).toMatchObject({ markets: apparel.markets!.markets, source: "seed" });
      const facts = (await proxy.env.CACHE.get("market-facts/demo-apparel/FR", "json")) as { currency: string; prices: Record<string, { price: string; variantId: string }> };
      const products = loadDemoStore(apparel).products;
      expect(facts.currency).toBe("EUR");
      expect(Object.keys(facts.prices).sort()).toEqual(products.map((p) => p.handle).sort());
      expect(facts.prices["ocean-blue-shirt"]?.price).toBe(apparel.markets!.fixedPrices.france!["ocean-blue-shirt"]!.price);
      expect(await proxy.env.CACHE.get("translations/demo-apparel/fr", "json")).toMatchObject({ language: "fr", products: { "ocean-blue-shirt": { title: "Chemise bleu océan" } } });
      expect(await proxy.env.DB.prepare("SELECT COUNT(*) AS n FROM ShopMarkets WHERE store = 'demo-home'").first()).toEqual({ n: 0 });

      // A row carries the product's facts as the CSV (or the derivation) has them.
      const sample = large.products[4321]!;
      const stored = await proxy.env.DB.prepare("SELECT handle, title, price, compareAtPrice, available, variantId, listedAt FROM Product WHERE store = 'demo-large' AND productId = ?")
        .bind(sample.id)
        .first();
      expect(stored).toEqual({
        handle: sample.handle,
        title: sample.title,
        price: sample.price,
        compareAtPrice: sample.compareAtPrice,
        available: sample.available ? 1 : 0,
        variantId: sample.firstVariantId,
        listedAt: sample.listedAt,
      });

      // The merchant changes their settings in the admin; the edge cached a selection; a product
      // that the catalog does not have (any more) is in D1.
      await proxy.env.DB.prepare("UPDATE ShopSettings SET brandVoice = 'Bold and warm', settingsVersion = 2 WHERE store = ?").bind("demo-home").run();
      await proxy.env.CACHE.put("selection/demo-large/explorer", JSON.stringify({ store: "demo-large", persona: "explorer" }));
      await proxy.env.DB.prepare("INSERT INTO PersonaSelection (store, persona, groups, merchHashes, merchVersion, selectedAt) VALUES ('demo-large', 'explorer', '[]', '{}', 'old', 1)").run();
      await proxy.env.DB.prepare(
        "INSERT INTO Product (store, productId, handle, title, category, price, currency, available, variantId, priceCents, listedAt, updatedAt) VALUES ('demo-large', 'retired', 'retired', 'Retired', 'Old', '1.00', 'USD', 1, '1', 100, 1, 1)",
      ).run();
      await proxy.env.DB.prepare("UPDATE Product SET price = '0.01' WHERE store = 'demo-large' AND productId = ?").bind(sample.id).run();
    } finally {
      await proxy.dispose();
    }

    // …and the next `npm start` seeds again.
    const again: string[] = [];
    await seedDemoStores(dir, (l) => again.push(l));
    expect(again.find((l) => l.startsWith("seeded demo-large:"))).toMatch(/^seeded demo-large: 6000 products, 1 removed, settings v1 \(\d+ ms\)$/);
    proxy = await open();
    try {
      const row = await proxy.env.DB.prepare("SELECT brandVoice, settingsVersion FROM ShopSettings WHERE store = ?").bind("demo-home").first();
      expect(row).toEqual({ brandVoice: "Bold and warm", settingsVersion: 2 });
      expect(await proxy.env.CACHE.get("settings/demo-home", "json")).toMatchObject({ brandVoice: "Bold and warm", settingsVersion: 2 });
      // The product the catalog lacks is gone, the edited one is the catalog's again.
      expect(await proxy.env.DB.prepare("SELECT COUNT(*) AS n FROM Product WHERE store = 'demo-large' AND productId = 'retired'").first()).toEqual({ n: 0 });
      expect(await proxy.env.DB.prepare("SELECT price FROM Product WHERE store = 'demo-large' AND productId = ?").bind(large.products[4321]!.id).first()).toEqual({
        price: large.products[4321]!.price,
      });
      expect(await proxy.env.DB.prepare("SELECT productCount FROM Catalog WHERE store = 'demo-large'").first()).toEqual({ productCount: 6000 });
      // Selections are left for the edge to compute again from the rows.
      expect((await proxy.env.CACHE.list({ prefix: "selection/demo-large/" })).keys).toEqual([]);
      expect(await proxy.env.DB.prepare("SELECT COUNT(*) AS n FROM PersonaSelection WHERE store = 'demo-large'").first()).toEqual({ n: 0 });
    } finally {
      await proxy.dispose();
    }
    // wrangler's CLI and two local runtimes on a shared 2-core machine.
  }, 180_000);
});
