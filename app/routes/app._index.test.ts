import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json" with { type: "json" };
import { setUpValidSession } from "@shopify/shopify-api/test-helpers";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { CatalogSyncState, LlmStatus } from "../../core/edge-api.ts";
import type { SetupChecklist } from "../../core/setup-checklist.ts";
import type { CatalogStatus } from "../catalog-status";
import { CatalogCard } from "../components/catalog-card";
import { SetupGuide } from "../components/setup-guide";
import { LOCAL_ADMIN_API_TOKEN } from "../local-mode.server";
import { shopifyFor } from "../shopify.server";
import { prismaFor } from "../db.server";
import { createTestD1, type TestD1 } from "../test/d1";
import { FakeAdminApi } from "../test/fake-admin-api";
import { FakeThemeApi } from "../test/fake-theme-api";
import { closedLlmStatus, idleSyncState } from "../test/fake-edge";
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
    // Only the setup guide's theme queries go to the loopback Admin API (npm start's fake); no catalog read.
    expect(api.requests.slice(requestsBefore).filter((r) => r.operation !== "WandMainTheme" && r.operation !== "WandThemeFiles")).toEqual([]);
  });
});

// ── The setup guide above the cards: ticked from the live theme (a fake Admin API on 127.0.0.1
// answering Shopify's theme queries), the edge's proxy count, the LLM breaker and the catalog sync. ──

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../core/fixtures/theme/${name}`, import.meta.url)), "utf8");
const GUIDE_STORE = "guide-shop";
const THEME_ID = "gid://shopify/OnlineStoreTheme/180000000001";
const closedBreaker = (o: Partial<LlmStatus> = {}): LlmStatus => closedLlmStatus({ since: "2026-12-01T08:00:00.000Z", ...o });

function renderGuide(checklist: SetupChecklist): string {
  return renderToStaticMarkup(createElement(AppProvider, { i18n: en }, createElement(SetupGuide, { checklist, onDismiss: () => {}, onRecheck: () => {} })));
}

describe("Setup guide on the dashboard", () => {
  let theme: FakeThemeApi;
  let g: Harness;
  const home = async () => loader({ request: await embeddedDocument(GUIDE_STORE, "/app"), context: g.context, params: {} });
  const dismiss = async () => action({ request: await embeddedFetch(GUIDE_STORE, "/app?index", { method: "POST", body: form({ intent: "dismiss-setup-guide" }) }), context: g.context, params: {} });
  const stepOf = (c: SetupChecklist, id: string) => c.steps.find((s) => s.id === id)!;

  beforeAll(async () => {
    // The token the install stored is the one the theme reader must present.
    const probe = createHarness(d1);
    await installShop(probe, GUIDE_STORE);
    const session = await shopifyFor(probe.env).sessionStorage?.loadSession(`offline_${GUIDE_STORE}.myshopify.com`);
    theme = await new FakeThemeApi({
      accessToken: session?.accessToken ?? "missing",
      theme: { id: THEME_ID, name: "Dawn", files: { "config/settings_data.json": fixture("settings_data.embed-never.json"), "templates/index.json": fixture("index.without-block.json") } },
    }).start();
    g = createHarness(d1, { SHOPIFY_ADMIN_API_ORIGIN: theme.origin });
  });
  afterAll(async () => {
    await theme?.stop();
  });
  beforeEach(() => {
    theme.setFile("config/settings_data.json", fixture("settings_data.embed-never.json"));
    theme.setFile("templates/index.json", fixture("index.without-block.json"));
    theme.o.scopes = undefined;
    g.edge.proxyRequests.delete(GUIDE_STORE);
    g.edge.syncStates.delete(GUIDE_STORE);
    g.edge.failing = null;
    vi.restoreAllMocks();
  });

  it("a fresh shop: 0 of 5, each step says what to do, the theme editor links name the app's key", async () => {
    const { setupGuide } = await home();
    const c = setupGuide.checklist;
    expect(setupGuide.dismissed).toBe(false);
    expect(c.steps.map((s) => [s.id, s.done])).toEqual([
      ["embed", false],
      ["block", false],
      ["proxy", false],
      ["llm", false],
      ["catalog", false],
    ]);
    expect(c.doneCount).toBe(0);
    expect(stepOf(c, "embed").explanation).toMatch(/^Shopper signals is not on in your live theme “Dawn” yet/);
    expect(stepOf(c, "embed").action?.url).toBe(`https://${GUIDE_STORE}.myshopify.com/admin/themes/current/editor?context=apps&activateAppId=${g.env.SHOPIFY_API_KEY}/wand-signals`);
    expect(stepOf(c, "block").action?.url).toContain(`addAppBlockId=${g.env.SHOPIFY_API_KEY}/persona-storefront`);
    expect(stepOf(c, "proxy").explanation).toMatch(/^No shopper has been served/);
    expect(stepOf(c, "llm").explanation).toMatch(/^No LLM page yet/);
    expect(stepOf(c, "catalog").explanation).toBe("No products have arrived from Shopify yet: start a sync from the Catalog card below.");
    expect(theme.requests.map((r) => [r.operation, r.status])).toContainEqual(["WandMainTheme", 200]);
    expect(g.edge.callsOf("setupState")).toContainEqual([GUIDE_STORE]);
    const html = renderGuide(c);
    expect(html).toContain("0 of 5 steps done");
    expect(html).not.toContain("Dismiss");
  });

  it("ticks each step from real state up to 5 of 5, then can be dismissed for good", async () => {
    theme.setFile("config/settings_data.json", fixture("settings_data.embed-on.json"));
    let c = (await home()).setupGuide.checklist;
    expect(c.steps.filter((s) => s.done).map((s) => s.id)).toEqual(["embed"]);

    theme.setFile("templates/index.json", fixture("index.with-block.json"));
    g.edge.proxyRequests.set(GUIDE_STORE, 3);
    await g.edge.regenerate(GUIDE_STORE, "explorer");
    await g.edge.cacheState(GUIDE_STORE); // the fake generator finishes the job
    g.edge.syncStates.set(GUIDE_STORE, syncState({ state: "ok", trigger: "install", mode: "pages", productsSynced: 12, productsTotal: 12, liveProducts: 12, lastGoodAt: "2026-12-01T08:10:00.000Z", finishedAt: "2026-12-01T08:10:00.000Z" }));
    c = (await home()).setupGuide.checklist;
    expect(c.steps.filter((s) => !s.done).map((s) => [s.id, s.explanation])).toEqual([]);
    expect(c).toMatchObject({ doneCount: 5, complete: true });
    expect(stepOf(c, "proxy").explanation).toBe("3 persona pages have been served through your store's /apps/wand proxy.");
    expect(stepOf(c, "llm").explanation).toBe("The LLM has written 1 persona page that shoppers are served now.");
    expect(stepOf(c, "catalog").explanation).toBe("12 products synced from Shopify, last at 2026-12-01 08:10 UTC.");
    const html = renderGuide(c);
    expect(html).toContain("5 of 5 steps done");
    expect(html).toContain("Dismiss");

    expect(await dismiss()).toEqual({ ok: true, message: "Setup guide dismissed." });
    expect((await home()).setupGuide.dismissed).toBe(true);
    // A step that breaks later brings the guide back.
    theme.setFile("config/settings_data.json", fixture("settings_data.embed-off.json"));
    const back = (await home()).setupGuide;
    expect(back.dismissed).toBe(false);
    expect(stepOf(back.checklist, "embed").explanation).toMatch(/switched off/);
    await prismaFor(d1.db).shopSettings.update({ where: { store: GUIDE_STORE }, data: { setupGuideDismissedAt: null } });
  });

  it("refuses to dismiss an unfinished guide", async () => {
    const refused = await dismiss();
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/^The setup guide stays until every step is done \([0-4] of 5\)\.$/);
    expect((await prismaFor(d1.db).shopSettings.findUniqueOrThrow({ where: { store: GUIDE_STORE } })).setupGuideDismissedAt).toBeNull();
  });

  it("an LLM without a key, or with its breaker open, is never shown as done and says why", async () => {
    await g.edge.regenerate(GUIDE_STORE, "minimalist");
    await g.edge.cacheState(GUIDE_STORE);
    vi.spyOn(g.edge, "llmStatus").mockResolvedValue(closedBreaker({ templateMode: true, lastReason: "template_mode" }));
    let llm = stepOf((await home()).setupGuide.checklist, "llm");
    expect(llm.done).toBe(false);
    expect(llm.explanation).toMatch(/^No LLM key is configured, so shoppers get template pages: set LLM_API_KEY/);

    vi.spyOn(g.edge, "llmStatus").mockResolvedValue(closedBreaker({ state: "open", lastReason: "llm_timeout", retryAt: "2026-12-01T09:30:00.000Z", consecutiveFailures: 5 }));
    llm = stepOf((await home()).setupGuide.checklist, "llm");
    expect(llm.done).toBe(false);
    expect(llm.explanation).toBe("The LLM failed repeatedly (the LLM took too long to answer), so WandStore stopped calling it until 2026-12-01 09:30 UTC and shoppers get template pages meanwhile.");
  });

  it("a sync in progress shows its progress; a demo-style import without a sync is not counted as synced", async () => {
    g.edge.syncStates.set(GUIDE_STORE, syncState({ state: "running", trigger: "install", mode: "bulk", productsSynced: 300, productsTotal: 1200, startedAt: "2026-12-01T08:00:00Z" }));
    let catalog = stepOf((await home()).setupGuide.checklist, "catalog");
    expect(catalog).toMatchObject({ done: false, progress: { done: 300, total: 1200, percent: 25 } });
    g.edge.syncStates.set(GUIDE_STORE, syncState({ state: "idle", liveProducts: 40 }));
    catalog = stepOf((await home()).setupGuide.checklist, "catalog");
    expect(catalog.done).toBe(false);
    expect(catalog.explanation).toMatch(/^40 products were imported without a sync from Shopify/);
  });

  it("without read_themes, or with the edge down, steps say “Not checked” and stay open", async () => {
    theme.o.scopes = ["read_products", "read_customers"];
    let c = (await home()).setupGuide.checklist;
    expect(stepOf(c, "embed")).toMatchObject({ done: false });
    expect(stepOf(c, "embed").explanation).toMatch(/^Not checked: WandStore has not been granted access to read themes \(read_themes\)/);

    theme.o.scopes = undefined;
    theme.setFile("config/settings_data.json", fixture("settings_data.embed-on.json"));
    g.edge.failing = "service binding EDGE: connection refused";
    const data = await home();
    c = data.setupGuide.checklist;
    expect(data.edgeError).toBe("service binding EDGE: connection refused");
    expect(c.steps.map((s) => [s.id, s.done])).toEqual([
      ["embed", true],
      ["block", false],
      ["proxy", false],
      ["llm", false],
      ["catalog", false],
    ]);
    for (const id of ["proxy", "llm", "catalog"]) expect(stepOf(c, id).explanation).toBe("Not checked: the storefront edge did not answer (service binding EDGE: connection refused).");
  });

  it("in local mode reads the theme only from a loopback fake Admin API, with the local token", async () => {
    const prisma = prismaFor(d1.db);
    await prisma.shopSettings.upsert({ where: { store: "demo-apparel" }, create: { store: "demo-apparel", shopDomain: "demo-apparel.myshopify.com", shopName: "Demo Apparel" }, update: {} });
    const request = () => new Request("http://127.0.0.1:8788/app?shop=demo-apparel.myshopify.com");
    // As app/wrangler.jsonc leaves a local admin: no client id (the links use the toml's placeholder).
    const offline = createHarness(d1, { WAND_LOCAL_ADMIN: "1", SHOPIFY_API_KEY: "" });
    const before = theme.requests.length;
    const none = (await loader({ request: request(), context: offline.context, params: {} })).setupGuide.checklist;
    expect(stepOf(none, "embed").explanation).toMatch(/^Not checked: WandStore could not read your live theme \(a demo shop has no Admin API/);
    expect(theme.requests.length).toBe(before);
    expect(stepOf(none, "embed").action?.url).toBe("https://demo-apparel.myshopify.com/admin/themes/current/editor?context=apps&activateAppId=00000000000000000000000000000000/wand-signals");

    const localTheme = await new FakeThemeApi({ accessToken: LOCAL_ADMIN_API_TOKEN, theme: { id: THEME_ID, name: "Demo theme", files: { "config/settings_data.json": fixture("settings_data.embed-on.json") } } }).start();
    try {
      const local = createHarness(d1, { WAND_LOCAL_ADMIN: "1", SHOPIFY_ADMIN_API_ORIGIN: localTheme.origin });
      const c = (await loader({ request: request(), context: local.context, params: {} })).setupGuide.checklist;
      expect(stepOf(c, "embed")).toMatchObject({ done: true });
      expect(stepOf(c, "embed").explanation).toContain("“Demo theme”");
      expect(localTheme.requests.every((r) => r.status === 200)).toBe(true);
    } finally {
      await localTheme.stop();
    }
  });

  it("a demo shop with an offline session in D1 (a test's fake Shopify) syncs like a real shop", async () => {
    const local = createHarness(d1, { WAND_LOCAL_ADMIN: "1" });
    const storage = shopifyFor(h.env).sessionStorage!;
    const session = setUpValidSession({ shop: "demo-apparel.myshopify.com", expires: undefined });
    await storage.storeSession(session);
    try {
      const request = new Request("http://127.0.0.1:8788/app?index&shop=demo-apparel.myshopify.com", { method: "POST", body: form({ intent: "sync" }) });
      expect(await action({ request, context: local.context, params: {} })).toEqual({ ok: true, message: "Catalog sync running in the background: its progress shows on this page." });
      expect(local.edge.callsOf("startCatalogSync")).toEqual([["demo-apparel", "demo-apparel.myshopify.com", "manual"]]);
      expect(local.edge.callsOf("refreshSnapshot")).toEqual([]);
      const data = await loader({ request: new Request("http://127.0.0.1:8788/app?shop=demo-apparel.myshopify.com"), context: local.context, params: {} });
      expect(data.localSync).toBe(true);
      expect(data.catalog.kind).toBe("running");
    } finally {
      await storage.deleteSession(session.id);
    }
  });
});

describe("Dashboard: pages per language", () => {
  const STORE_FR = "dash-markets";
  beforeAll(async () => {
    await installShop(h, STORE_FR);
    h.edge.markets.set(STORE_FR, {
      primary: { country: "US", language: "en", currency: "USD" },
      markets: [
        { handle: "us", countries: ["US"], currency: "USD", languages: ["en"] },
        { handle: "france", countries: ["FR"], currency: "EUR", languages: ["fr"] },
      ],
      languages: ["en", "fr"],
    });
  });
  const open = async () => loader({ request: await embeddedDocument(STORE_FR, "/app"), context: h.context, params: {} });

  it("lists each persona's page in every generated language, a template where no AI page exists", async () => {
    h.edge.languagePages.set(`${STORE_FR}/explorer/fr`, { state: "fresh", generatedAt: "2026-12-01T09:00:00.000Z" });
    h.edge.languagePages.set(`${STORE_FR}/loyalist/fr`, { state: "stale", generatedAt: "2026-11-30T09:00:00.000Z" });
    const data = await open();
    const explorer = data.personas.find((p) => p.persona === "explorer");
    expect(explorer?.cache?.languages).toEqual([
      { language: "en", state: "missing", generatedAt: null },
      { language: "fr", state: "fresh", generatedAt: "2026-12-01T09:00:00.000Z" },
    ]);
    expect(data.languages.map((l) => l.text)).toEqual(["en: 0 of 4 AI pages; 4 template", "fr: 2 of 4 AI pages (1 older, regenerating); 2 template"]);
  });

  it("drops a language the merchant no longer generates", async () => {
    await prismaFor(h.env.DB).shopSettings.update({ where: { store: STORE_FR }, data: { generatedLanguages: '["en"]' } });
    try {
      const data = await open();
      expect(data.languages.map((l) => l.language)).toEqual(["en"]);
    } finally {
      await prismaFor(h.env.DB).shopSettings.update({ where: { store: STORE_FR }, data: { generatedLanguages: "[]" } });
    }
  });
});
