import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json" with { type: "json" };
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CatalogSyncState } from "../../core/edge-api.ts";
import type { CatalogStatus } from "../catalog-status";
import { CatalogCard } from "../components/catalog-card";
import { prismaFor } from "../db.server";
import { createTestD1, type TestD1 } from "../test/d1";
import { FakeAdminApi } from "../test/fake-admin-api";
import { idleSyncState } from "../test/fake-edge";
import { createHarness, embeddedDocument, embeddedFetch, form, type Harness, installShop, thrownResponse } from "../test/harness";
import { action, loader } from "./app._index";

let d1: TestD1;
let api: FakeAdminApi;
let h: Harness;

const STORE = "dash-shop";

beforeAll(async () => {
  d1 = await createTestD1();
  api = await new FakeAdminApi().start();
  h = createHarness(d1, { SHOPIFY_ADMIN_API_ORIGIN: api.origin });
  await installShop(h, STORE);
});
afterAll(async () => {
  await api?.stop();
  await d1?.dispose();
});
beforeEach(() => {
  h.edge.syncStates.delete(STORE);
  h.edge.events.delete(STORE);
});

const dashboard = async () => loader({ request: await embeddedDocument(STORE, "/app"), context: h.context, params: {} });
const syncNow = async () => action({ request: await embeddedFetch(STORE, "/app?index", { method: "POST", body: form({ intent: "sync" }) }), context: h.context, params: {} });

function syncState(o: Partial<CatalogSyncState>): CatalogSyncState {
  return { ...idleSyncState(), ...o };
}

/** The card as the merchant's browser receives it (Polaris rendered on the server, as Remix does). */
function renderCard(status: CatalogStatus): string {
  return renderToStaticMarkup(createElement(AppProvider, { i18n: en }, createElement(CatalogCard, { status, action: null })));
}

describe("Dashboard", () => {
  it("shows per persona the edge's cache state and statistics", async () => {
    const data = await dashboard();
    expect(data.edgeError).toBeNull();
    expect(data.personas.map((p) => p.persona)).toEqual(["minimalist", "explorer", "dealhunter", "loyalist"]);
    const dealhunter = data.personas.find((p) => p.persona === "dealhunter");
    expect(dealhunter).toMatchObject({ enabled: true, cache: { state: "missing" }, stats: { jobsFailed: 1, hits: 30 } });
    expect(dealhunter?.stats?.recentLatenciesMs).toHaveLength(4);
    expect(data.personas.find((p) => p.persona === "explorer")?.isDefault).toBe(true);
    expect(h.edge.callsOf("cacheState")).toContainEqual([STORE]);
  });

  it("without a catalog says so and what to do", async () => {
    const { catalog } = await dashboard();
    expect(catalog).toMatchObject({ kind: "empty", badge: { label: "No catalog yet" }, title: "No catalog yet.", canSync: true, liveProducts: 0 });
    expect(catalog.details[0]).toMatch(/choose “Sync catalog now”/);
    expect(h.edge.callsOf("catalogSyncState")).toContainEqual([STORE]);
  });

  it("“Sync catalog now” starts the edge's durable sync and never reads the catalog itself", async () => {
    const requestsBefore = api.requests.length;
    const result = await syncNow();
    expect(result).toEqual({ ok: true, message: "Catalog sync running in the background: its progress shows on this page." });
    expect(h.edge.callsOf("startCatalogSync")).toContainEqual([STORE, `${STORE}.myshopify.com`, "manual"]);
    expect(api.requests.length).toBe(requestsBefore);
    const { catalog } = await dashboard();
    expect(catalog).toMatchObject({ kind: "running", badge: { label: "Syncing" }, canSync: false });
  });

  it("while a sync runs: products synced of the total, a progress bar, the catalog still served", async () => {
    h.edge.syncStates.set(STORE, syncState({ state: "running", trigger: "manual", mode: "bulk", productsSynced: 1200, productsTotal: 6000, startedAt: "2026-12-01T08:00:00Z", liveProducts: 5800, lastGoodAt: "2026-11-30T08:00:00Z" }));
    const { catalog } = await dashboard();
    expect(catalog).toMatchObject({ kind: "running", progress: { synced: 1200, total: 6000, percent: 20 }, liveProducts: 5800 });
    expect(catalog.title).toBe("Syncing the catalog: 1,200 of 6,000 products.");
    expect(catalog.details).toEqual([
      "Started 2026-12-01 08:00 UTC (manual, bulk operation).",
      "Until it finishes, the storefront keeps serving the last good catalog of 5,800 products.",
    ]);
    const html = renderCard(catalog);
    expect(html).toMatch(/<progress[^>]*value="20"[^>]*max="100"/);
    expect(html).toContain("Syncing");
    expect(html).not.toContain(">Synced<");
  });

  it("a first sync with the total not known yet counts what it has, without a bar", async () => {
    h.edge.syncStates.set(STORE, syncState({ state: "running", trigger: "install", mode: "pages", productsSynced: 250, productsTotal: null, startedAt: "2026-12-01T08:00:00Z" }));
    const { catalog } = await dashboard();
    expect(catalog.title).toBe("Syncing the catalog: 250 products so far.");
    expect(catalog.details).toContain("The storefront shows products once this first sync has written them.");
    expect(renderCard(catalog)).not.toContain("<progress");
  });

  it("a failed sync shows its reason, how far it got, and that the last good catalog stays live — never success", async () => {
    h.edge.syncStates.set(
      STORE,
      syncState({
        state: "error",
        trigger: "manual",
        mode: "bulk",
        productsSynced: 3000,
        productsTotal: 6000,
        startedAt: "2026-12-01T08:00:00Z",
        finishedAt: "2026-12-01T08:05:00Z",
        error: "Shopify refused the access token (HTTP 401)",
        liveProducts: 5800,
        lastGoodAt: "2026-11-30T08:00:00Z",
      }),
    );
    const { catalog } = await dashboard();
    expect(catalog).toMatchObject({ kind: "error", badge: { label: "Sync failed", tone: "critical" }, progress: null, canSync: true });
    expect(catalog.title).toBe("The last catalog sync failed: Shopify refused the access token (HTTP 401).");
    expect(catalog.details).toEqual([
      "Failed 2026-12-01 08:05 UTC (manual, bulk operation).",
      "It stopped after 3,000 of 6,000 products.",
      "The storefront keeps serving the last good catalog of 5,800 products, synced 2026-11-30 08:00 UTC.",
    ]);
    const html = renderCard(catalog);
    expect(html).toContain("Sync failed");
    expect(html).toContain("the last good catalog of 5,800 products");
    expect(html).not.toContain("<progress");
  });

  it("a failed first sync says that no products are live", async () => {
    h.edge.syncStates.set(STORE, syncState({ state: "error", error: "bulk operation FAILED: INTERNAL_SERVER_ERROR", finishedAt: "2026-12-01T08:05:00Z" }));
    const { catalog } = await dashboard();
    expect(catalog.kind).toBe("error");
    expect(catalog.details).toContain("No products are live yet: shoppers see no products until a sync succeeds.");
    expect(catalog.details.join(" ")).not.toMatch(/last good catalog/);
  });

  it("a finished sync: live products, when, and the product webhooks still pending", async () => {
    h.edge.syncStates.set(STORE, syncState({ state: "ok", trigger: "install", mode: "pages", productsSynced: 42, productsTotal: 42, finishedAt: "2026-12-01T07:00:00Z", lastGoodAt: "2026-12-01T07:00:00Z", liveProducts: 42, pendingEvents: 3 }));
    const { catalog } = await dashboard();
    expect(catalog).toMatchObject({ kind: "ok", badge: { label: "Synced", tone: "success" }, liveProducts: 42, pendingEvents: 3 });
    expect(catalog.title).toBe("42 products live on the storefront.");
    expect(catalog.details).toEqual(["Last full sync finished 2026-12-01 07:00 UTC (install, page by page).", "3 product updates received, waiting to be applied."]);
  });

  it("still renders when the edge is down, saying why the figures are missing", async () => {
    await prismaFor(d1.db).catalog.upsert({ where: { store: STORE }, create: { store: STORE, productCount: 4 }, update: { productCount: 4 } });
    h.edge.failing = "service binding EDGE: connection refused";
    try {
      const data = await dashboard();
      expect(data.edgeError).toBe("service binding EDGE: connection refused");
      expect(data.personas.every((p) => p.cache === null && p.stats === null)).toBe(true);
      expect(data.catalog).toMatchObject({ kind: "unknown", badge: { label: "State unknown" }, liveProducts: null });
      expect(data.catalog.details[1]).toMatch(/^D1 holds 4 products for this shop/);
      expect(await syncNow()).toEqual({ ok: false, message: "The catalog sync did not start: service binding EDGE: connection refused" });
    } finally {
      h.edge.failing = null;
    }
  });

  it("reports a sync the edge could not start (e.g. no offline token) as a failure", async () => {
    h.edge.syncStates.set(STORE, syncState({ state: "error", error: "no offline session for the shop" }));
    const start = h.edge.startCatalogSync.bind(h.edge);
    h.edge.startCatalogSync = async (store, shop, trigger) => {
      await start(store, shop, trigger);
      return syncState({ state: "error", error: "no offline session for the shop" });
    };
    try {
      expect(await syncNow()).toEqual({ ok: false, message: "The catalog sync did not start: no offline session for the shop" });
    } finally {
      h.edge.startCatalogSync = start;
    }
  });

  it("answers 400 to an unknown action", async () => {
    const request = await embeddedFetch(STORE, "/app?index", { method: "POST", body: form({ intent: "drop-tables" }) });
    expect((await thrownResponse(() => action({ request, context: h.context, params: {} }))).status).toBe(400);
  });

  it("in local mode shows the seeded catalog as imported, refreshes the edge from D1 and never calls Shopify", async () => {
    const prisma = prismaFor(d1.db);
    await prisma.shopSettings.create({ data: { store: "demo-apparel", shopDomain: "demo-apparel.myshopify.com", shopName: "Demo Apparel" } });
    // As scripts/seed.ts leaves a demo shop: product rows and the summary row, no sync ever run.
    for (const handle of ["linen-shirt", "straw-hat"]) {
      await prisma.product.create({
        data: { store: "demo-apparel", productId: handle, handle, title: handle, category: "Shirts", price: "10.00", currency: "USD", available: 1, variantId: "1", priceCents: 1000, listedAt: 1n, updatedAt: 1n },
      });
    }
    await prisma.catalog.create({ data: { store: "demo-apparel", productCount: 2, syncedAt: new Date("2026-12-01T06:00:00Z") } });
    const local = createHarness(d1, { WAND_LOCAL_ADMIN: "1", SHOPIFY_ADMIN_API_ORIGIN: api.origin });
    const requestsBefore = api.requests.length;
    const data = await loader({ request: new Request("http://127.0.0.1:8788/app"), context: local.context, params: {} });
    expect(data.catalog).toMatchObject({ kind: "imported", badge: { label: "Imported", tone: "info" }, liveProducts: 2, title: "2 products live on the storefront." });
    expect(data.catalog.details[0]).toBe("Seeded from the demo catalog 2026-12-01 06:00 UTC; no Shopify sync runs for a demo shop.");
    const request = new Request("http://127.0.0.1:8788/app?index", { method: "POST", body: form({ intent: "sync" }) });
    const result = await action({ request, context: local.context, params: {} });
    expect(result).toEqual({ ok: true, message: "Demo shop: the edge snapshot was refreshed from D1 (2 products)." });
    expect(local.edge.callsOf("refreshSnapshot")).toEqual([["demo-apparel"]]);
    expect(local.edge.callsOf("startCatalogSync")).toEqual([]);
    expect(api.requests.length).toBe(requestsBefore);
  });
});
