import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PERSONAS } from "../../../core/types.ts";
import { catalogRow, d1Counts, expectedProducts, hurryToEnd, latestRun, selectionsVersusExpected, syncEnded, testShop, type TestShop } from "../../test/catalog-helpers.ts";
import { eventually, uniqueStore } from "../../test/helpers.ts";
import { readSelection } from "./selection-store.ts";
import { rowToProduct } from "./product-rows.ts";

/** Every stored row of the store, as products, by handle. */
async function storedProducts(store: string) {
  const { results } = await env.DB.prepare("SELECT * FROM Product WHERE store = ? AND deleted = 0 ORDER BY productId").bind(store).all();
  return results.map(rowToProduct);
}

/** Byte offsets the sync resumed from (the Range requests of the JSONL downloads). */
async function resumedFrom(shop: TestShop): Promise<number[]> {
  return (await shop.admin.stats()).downloads.filter(Boolean).map((r) => Number(/^bytes=(\d+)-$/.exec(r)?.[1]));
}

describe("catalog sync, bulk mode (big shops)", () => {
  it("syncs 100,000 products through a bulk operation: 100,000 rows and the right selections", { timeout: 600_000 }, async () => {
    const store = uniqueStore("bulk100k");
    const shop = await testShop(store, { products: 100_000, bulkDelayMs: 500 });
    await shop.sync.start({ shopDomain: shop.shopDomain, trigger: "install" });
    const state = await syncEnded(shop, 500);

    expect(state).toMatchObject({ state: "ok", mode: "bulk", productsSynced: 100_000, productsTotal: 100_000, liveProducts: 100_000, error: null });
    expect(await d1Counts(store)).toEqual({ rows: 100_000, distinctIds: 100_000, live: 100_000 });
    expect(await latestRun(store)).toMatchObject({ state: "ok", mode: "bulk", productsSynced: 100_000, productCount: 100_000, error: null });
    expect(await catalogRow(store)).toMatchObject({ productCount: 100_000, syncState: "ok" });
    const stats = await shop.admin.stats();
    expect(stats.bulkOperations).toHaveLength(1);
    expect(stats.bulkOperations[0]?.query).toMatch(/products\(query: "status:active"\)[\s\S]*variants/);
    // Read in bounded slices, each resuming where the last one stopped.
    const offsets = await resumedFrom(shop);
    expect(offsets.length).toBeGreaterThanOrEqual(49);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);

    const expected = expectedProducts(shop.token, 100_000);
    for (const s of await selectionsVersusExpected(store, expected)) {
      expect(s.expected.groups.length, s.persona).toBeGreaterThan(0);
      expect(s.stored, s.persona).toEqual(s.expected);
    }
  });

  it("resumes a download cut mid-file from its checkpoint, with no product lost or written twice", { timeout: 120_000 }, async () => {
    const store = uniqueStore("bulkcut");
    const n = 5_000;
    const shop = await testShop(store, { products: n, bulkDelayMs: 0 });
    const { fileBytes } = await shop.admin.stats();
    // Cut inside the first slice's 2,000 products (the sync cancels a download at its slice's end,
    // so a cut further on could fall in bytes it never reads).
    const cut = Math.floor(fileBytes * 0.25);
    await shop.admin.update({ failJsonlAt: { bytes: cut, times: 1 } });
    await shop.sync.start({ shopDomain: shop.shopDomain, trigger: "install" });
    const state = await hurryToEnd(shop);

    expect((await shop.admin.stats()).cuts).toBe(1);
    expect(state).toMatchObject({ state: "ok", mode: "bulk", productsSynced: n, liveProducts: n, error: null });
    expect(await d1Counts(store)).toEqual({ rows: n, distinctIds: n, live: n });
    // The retry resumed from the last checkpoint before the cut (a product boundary), then went on.
    const offsets = await resumedFrom(shop);
    expect(offsets).toHaveLength(2);
    expect(offsets[0]!).toBeGreaterThan(0);
    expect(offsets[0]!).toBeLessThan(cut);
    expect(await storedProducts(store)).toEqual(expectedProducts(shop.token, n).sort((a, b) => (a.id < b.id ? -1 : 1)));
  });

  it("resumes correctly from a server that ignores Range (reads from the start, skips what is written)", { timeout: 60_000 }, async () => {
    const store = uniqueStore("norange");
    const n = 3_000;
    const shop = await testShop(store, { products: n, bulkDelayMs: 0, ignoreRange: true });
    await shop.sync.start({ shopDomain: shop.shopDomain, trigger: "install" });
    expect(await hurryToEnd(shop)).toMatchObject({ state: "ok", productsSynced: n, liveProducts: n });
    expect(await d1Counts(store)).toEqual({ rows: n, distinctIds: n, live: n });
    expect((await resumedFrom(shop)).length).toBeGreaterThan(0);
  });

  it("retries a slice that throws (the download fails) with backoff, then finishes", { timeout: 60_000 }, async () => {
    const store = uniqueStore("bulkretry");
    const shop = await testShop(store, { products: 1_500, bulkDelayMs: 0, failJsonlStatus: { times: 2 } });
    await shop.sync.start({ shopDomain: shop.shopDomain, trigger: "install" });
    const state = await syncEnded(shop);
    expect(state).toMatchObject({ state: "ok", productsSynced: 1_500, liveProducts: 1_500 });
    expect((await shop.admin.stats()).downloads).toEqual(["", "", ""]);
  });

  it("reads the result as soon as bulk_operations/finish arrives, ignoring a notice for another operation", { timeout: 60_000 }, async () => {
    const store = uniqueStore("bulkhook");
    const shop = await testShop(store, { products: 1_200, bulkDelayMs: 0 });
    await shop.sync.start({ shopDomain: shop.shopDomain, trigger: "install" });
    const op = await eventually(async () => (await shop.admin.stats()).bulkOperations[0]);
    const alarm = () => runInDurableObject(shop.sync, (_instance, state) => state.storage.getAlarm());
    // The sync now waits for the next poll, a few seconds away.
    await eventually(async () => ((await alarm()) ?? 0) > Date.now() + 1_000);
    await shop.sync.bulkFinished({ bulkOperationId: "gid://shopify/BulkOperation/0", status: "completed" });
    expect(await alarm()).toBeGreaterThan(Date.now() + 1_000);
    await shop.sync.bulkFinished({ bulkOperationId: op.id, status: "completed" });
    expect(await alarm()).toBeLessThanOrEqual(Date.now());
    expect(await syncEnded(shop)).toMatchObject({ state: "ok", liveProducts: 1_200 });
  });

  it("a failed sync keeps the last good catalog, and Catalog, CatalogSyncRun and the state say why", { timeout: 120_000 }, async () => {
    const store = uniqueStore("bulkfail");
    const shop = await testShop(store, { products: 30 });
    await shop.sync.start({ shopDomain: shop.shopDomain, trigger: "install" });
    const good = await syncEnded(shop);
    expect(good).toMatchObject({ state: "ok", mode: "pages", liveProducts: 30 });
    const selectionBefore = await readSelection(env, store, "dealhunter");

    // The shop grows past pages mode and Shopify's bulk operation fails.
    await shop.admin.configure({ products: 3_000, bulkOutcome: "FAILED" });
    await shop.sync.start({ shopDomain: shop.shopDomain, trigger: "manual" });
    const failed = await hurryToEnd(shop);
    const reason = "bulk operation failed (INTERNAL_SERVER_ERROR)";
    expect(failed).toMatchObject({ state: "error", trigger: "manual", mode: "bulk", error: reason, liveProducts: 30, lastGoodAt: good.finishedAt });
    expect(await d1Counts(store)).toMatchObject({ live: 30 });
    expect(await catalogRow(store)).toMatchObject({ productCount: 30, syncState: `error: ${reason}` });
    expect(await latestRun(store)).toMatchObject({ state: "error", trigger: "manual", mode: "bulk", productsTotal: 3_000, error: reason });
    expect((await readSelection(env, store, "dealhunter")).groups).toEqual(selectionBefore.groups);

    // A download that keeps failing: bounded attempts (their backoff skipped here), then "error";
    // what the run wrote so far stays, nothing is removed.
    const { fileBytes } = await shop.admin.stats();
    await shop.admin.configure({ products: 3_000, bulkDelayMs: 0, failJsonlAt: { bytes: Math.floor(fileBytes * 0.4), times: 100 } });
    await shop.sync.start({ shopDomain: shop.shopDomain, trigger: "manual" });
    const stuck = await hurryToEnd(shop);
    expect(stuck.state).toBe("error");
    expect(stuck.error).toMatch(/after 5 attempts\)$/);
    expect(stuck.liveProducts).toBeGreaterThan(30);
    expect(stuck.liveProducts).toBe(stuck.productsSynced);
    for (const persona of PERSONAS) expect((await readSelection(env, store, persona)).products.length).toBeGreaterThan(0);
    expect(await catalogRow(store)).toMatchObject({ syncState: `error: ${stuck.error}` });
  });
});
