import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { catalogRow, d1Counts, expectedProducts, latestRun, selectionsVersusExpected, syncEnded, testShop } from "../../test/catalog-helpers.ts";
import { uniqueStore } from "../../test/helpers.ts";
import { readProduct, upsertProducts } from "./product-rows.ts";

describe("catalog sync, pages mode (small shops)", () => {
  it("reads every page through THROTTLED answers and stores the shop's products and selections", { timeout: 60_000 }, async () => {
    const store = uniqueStore("pages");
    // A tight budget: 60 points restoring at 200/s, a page costs 52, and the first answer is THROTTLED.
    const shop = await testShop(store, { products: 130, maximumAvailable: 60, restoreRate: 200, faults: [{ kind: "throttled" }] });
    // A product the shop no longer has (written before this run, e.g. by the demo seed): the run removes it.
    const [gone] = expectedProducts("gone", 1);
    await upsertProducts(env.DB, store, [{ ...gone!, id: "gid://shopify/Product/1", handle: "gone" }]);

    const started = await shop.sync.start({ shopDomain: shop.shopDomain, trigger: "install" });
    expect(started).toMatchObject({ state: "running", trigger: "install" });
    const state = await syncEnded(shop);

    expect(state).toMatchObject({ state: "ok", mode: "pages", productsSynced: 130, productsTotal: 130, liveProducts: 130, error: null, pendingEvents: 0 });
    expect(await d1Counts(store)).toEqual({ rows: 130, distinctIds: 130, live: 130 });
    expect(await readProduct(env.DB, store, "gid://shopify/Product/1")).toBeNull();
    const expected = expectedProducts(shop.token, 130);
    expect((await readProduct(env.DB, store, expected[42]!.id))?.product).toEqual(expected[42]);
    for (const s of await selectionsVersusExpected(store, expected)) {
      expect(s.expected.groups.length, s.persona).toBeGreaterThan(0);
      expect(s.stored, s.persona).toEqual(s.expected);
    }

    const stats = await shop.admin.stats();
    // The THROTTLED answer was waited out and asked again; then 3 pages of 50, each after the last cursor
    // (the markets step that follows a full sync reads the shop's markets: not a catalog request).
    expect(stats.requests.filter((r) => r.operation?.startsWith("WandCatalog")).map((r) => [r.operation, r.throttled])).toEqual([
      ["WandCatalogCount", true],
      ["WandCatalogCount", false],
      ["WandCatalogPage", false],
      ["WandCatalogPage", false],
      ["WandCatalogPage", false],
    ]);
    const pages = stats.requests.filter((r) => r.operation === "WandCatalogPage");
    expect(pages[0]?.variables.after).toBeNull();
    expect(pages.slice(1).every((r) => typeof r.variables.after === "string")).toBe(true);
    expect(stats.requests.map((r) => r.operation)).not.toContain("WandBulkCatalog");
    expect(await latestRun(store)).toMatchObject({ state: "ok", mode: "pages", trigger: "install", productsTotal: 130, productsSynced: 130, productCount: 130, pages: 3, error: null });
    expect(Number((await latestRun(store))?.throttledMs)).toBeGreaterThan(0);
    expect(await catalogRow(store)).toMatchObject({ productCount: 130, syncState: "ok" });
  });

  it("joins a running sync instead of starting a second one", { timeout: 30_000 }, async () => {
    const store = uniqueStore("join");
    const shop = await testShop(store, { products: 10 });
    const [a, b] = await Promise.all([
      shop.sync.start({ shopDomain: shop.shopDomain, trigger: "install" }),
      shop.sync.start({ shopDomain: shop.shopDomain, trigger: "manual" }),
    ]);
    expect([a.state, b.state]).toEqual(["running", "running"]);
    expect(await syncEnded(shop)).toMatchObject({ state: "ok", trigger: "install", liveProducts: 10 });
    const runs = await env.DB.prepare("SELECT COUNT(*) AS n FROM CatalogSyncRun WHERE store = ?").bind(store).first<{ n: number }>();
    expect(runs?.n).toBe(1);
  });

  it("refuses a bad start request with the reason", async () => {
    const shop = await testShop(uniqueStore("bad"), { products: 1 });
    await runInDurableObject(shop.sync, async (sync) => {
      await expect(sync.start({ shopDomain: "https://evil.example", trigger: "install" })).rejects.toThrow(
        "invalid catalog sync start: shopDomain: not a myshopify.com domain",
      );
    });
    expect(await shop.sync.state()).toMatchObject({ state: "idle" });
  });
});
