import type { PrismaClient } from "@prisma/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { catalogVersion } from "../core/catalog-import.ts";
import { defaultSettings, settingsToRow } from "../core/settings.ts";
import type { Product } from "../core/types.ts";
import { createAdminGraphql } from "./admin-graphql.server";
import { syncCatalog } from "./catalog-sync.server";
import { prismaFor } from "./db.server";
import { createTestD1, type TestD1 } from "./test/d1";
import { FakeAdminApi, productNode } from "./test/fake-admin-api";
import { FakeEdge } from "./test/fake-edge";

let d1: TestD1;
let prisma: PrismaClient;
let api: FakeAdminApi;
let edge: FakeEdge;

beforeAll(async () => {
  d1 = await createTestD1();
  prisma = prismaFor(d1.db);
  edge = new FakeEdge(d1.db);
});
afterAll(async () => {
  await d1?.dispose();
});
afterEach(async () => {
  await api?.stop();
});

async function sync(store: string, o: { pageSize?: number } = {}) {
  // An installed shop: the edge refreshes only stores it knows.
  const row = settingsToRow(defaultSettings({ store, shopName: store, shopDomain: `${store}.myshopify.com` }));
  await prisma.shopSettings.upsert({ where: { store }, create: row, update: {} });
  let throttledMs = 0;
  const graphql = createAdminGraphql({
    shopDomain: `${store}.myshopify.com`,
    accessToken: "shpat_sync",
    apiVersion: "2026-10",
    origin: api.origin,
    backoffBaseMs: 10,
    onWait: (ms) => (throttledMs += ms),
  });
  return syncCatalog({ db: prisma, edge, graphql, store, trigger: "manual", pageSize: o.pageSize ?? 2, throttledMs: () => throttledMs });
}

const catalogOf = async (store: string) => {
  const row = await prisma.catalog.findUniqueOrThrow({ where: { store } });
  return { ...row, products: JSON.parse(row.products) as Product[] };
};

describe("catalog sync", () => {
  it("follows the cursor through every page into one versioned D1 catalog, then refreshes the edge", async () => {
    api = await new FakeAdminApi({ products: [1, 2, 3, 4, 5].map((i) => productNode(i)), accessToken: "shpat_sync", currency: "EUR" }).start();
    const result = await sync("sync-pages");
    expect(result).toMatchObject({ ok: true, productCount: 5, pages: 3, skipped: 0, snapshotRefreshed: true });
    // Three pages of at most two products, each asking for the page after the last cursor.
    const pages = api.requests.filter((r) => r.operation === "WandCatalogPage");
    expect(pages.map((r) => r.variables.after ?? null)).toEqual([null, expect.any(String), expect.any(String)]);
    expect(pages.every((r) => r.token === "shpat_sync" && r.variables.first === 2)).toBe(true);

    const catalog = await catalogOf("sync-pages");
    expect(catalog.products.map((p) => p.handle)).toEqual(["product-1", "product-2", "product-3", "product-4", "product-5"]);
    expect(catalog.productCount).toBe(5);
    expect(catalog.version).toBe(catalogVersion(catalog.products));
    expect(result.ok && result.version).toBe(catalog.version);
    expect(catalog.syncState).toBe("ok");
    expect(catalog.products[3]).toEqual({
      id: "gid://shopify/Product/1004",
      handle: "product-4",
      title: "Product 4",
      description: "The 4th product.",
      vendor: "Acme",
      productType: "Hats",
      tags: ["new", "summer"],
      price: "14.50",
      compareAtPrice: "24.00",
      currency: "EUR",
      image: { url: "https://cdn.shopify.com/p4.jpg", alt: "Photo 4" },
      available: true,
      firstVariantId: "5004",
    });
    expect(edge.callsOf("refreshSnapshot")).toContainEqual(["sync-pages"]);
    const run = await prisma.catalogSyncRun.findFirstOrThrow({ where: { store: "sync-pages" }, orderBy: { id: "desc" } });
    expect(run).toMatchObject({ state: "ok", trigger: "manual", productCount: 5, pages: 3, error: null });
  });

  it("keeps the version when nothing changed and changes it when a product does", async () => {
    api = await new FakeAdminApi({ products: [1, 2, 3].map((i) => productNode(i)), accessToken: "shpat_sync" }).start();
    const first = await sync("sync-version");
    const again = await sync("sync-version");
    expect(first.ok && again.ok && again.version === first.version).toBe(true);
    api.setProducts([productNode(1), productNode(2, { title: "Renamed" }), productNode(3)]);
    const changed = await sync("sync-version");
    expect(changed.ok && first.ok && changed.version !== first.version).toBe(true);
    expect((await catalogOf("sync-version")).products[1]?.title).toBe("Renamed");
  });

  it("waits out throttling in the middle of a sync and records the time waited", async () => {
    api = await new FakeAdminApi({ products: [1, 2, 3, 4].map((i) => productNode(i)), accessToken: "shpat_sync", maximumAvailable: 100, restoreRate: 200, pageCost: 40 }).start();
    // Page 1 is served; page 2 meets a THROTTLED error, then a 429; the sync still completes.
    api.faultAt(2, { kind: "throttled" }).faultAt(3, { kind: "http429", retryAfter: "0.1" });
    const result = await sync("sync-throttled");
    expect(result).toMatchObject({ ok: true, productCount: 4, pages: 2 });
    expect(api.requests.map((r) => r.variables.after ?? null)).toEqual([null, expect.any(String), expect.any(String), expect.any(String)]);
    const run = await prisma.catalogSyncRun.findFirstOrThrow({ where: { store: "sync-throttled" }, orderBy: { id: "desc" } });
    expect(run.throttledMs).toBeGreaterThanOrEqual(100);
    expect((await catalogOf("sync-throttled")).productCount).toBe(4);
  });

  it("keeps the last good catalog and records the reason when Shopify refuses", async () => {
    api = await new FakeAdminApi({ products: [1, 2].map((i) => productNode(i)), accessToken: "shpat_sync" }).start();
    const good = await sync("sync-error");
    api.faults.push({ kind: "unauthorized" });
    const failed = await sync("sync-error");
    expect(failed.ok).toBe(false);
    expect(!failed.ok && failed.error).toMatch(/refused the access token/);
    const catalog = await catalogOf("sync-error");
    expect(good.ok && catalog.version === good.version).toBe(true);
    expect(catalog.productCount).toBe(2);
    expect(catalog.syncState).toMatch(/^error: Shopify refused the access token/);
    const run = await prisma.catalogSyncRun.findFirstOrThrow({ where: { store: "sync-error" }, orderBy: { id: "desc" } });
    expect(run).toMatchObject({ state: "error" });
    expect(run.error).toMatch(/HTTP 401/);
  });

  it("fails on GraphQL errors without writing a partial catalog", async () => {
    api = await new FakeAdminApi({ products: [1, 2, 3].map((i) => productNode(i)), accessToken: "shpat_sync" }).start();
    api.faultAt(2, { kind: "graphql-error", message: "Internal error. Looks like something went wrong on our end." });
    const result = await sync("sync-gql-error");
    expect(result).toMatchObject({ ok: false });
    expect(await prisma.catalog.findUnique({ where: { store: "sync-gql-error" } })).toBeNull();
  });

  it("says so when the catalog is saved but the edge does not take it", async () => {
    api = await new FakeAdminApi({ products: [productNode(1)], accessToken: "shpat_sync" }).start();
    edge.failing = "edge unreachable";
    try {
      const result = await sync("sync-edge-down");
      expect(result).toMatchObject({ ok: true, snapshotRefreshed: false });
      const run = await prisma.catalogSyncRun.findFirstOrThrow({ where: { store: "sync-edge-down" }, orderBy: { id: "desc" } });
      expect(run.error).toMatch(/edge unreachable/);
    } finally {
      edge.failing = null;
    }
  });
});
