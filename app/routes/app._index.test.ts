import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismaFor } from "../db.server";
import { createTestD1, type TestD1 } from "../test/d1";
import { FakeAdminApi, productNode } from "../test/fake-admin-api";
import { createHarness, embeddedDocument, embeddedFetch, form, type Harness, installShop, thrownResponse } from "../test/harness";
import { action, loader } from "./app._index";

let d1: TestD1;
let api: FakeAdminApi;
let h: Harness;

beforeAll(async () => {
  d1 = await createTestD1();
  api = await new FakeAdminApi({ products: [1, 2, 3, 4].map((i) => productNode(i)) }).start();
  h = createHarness(d1, { SHOPIFY_ADMIN_API_ORIGIN: api.origin });
  await installShop(h, "dash-shop");
});
afterAll(async () => {
  await api?.stop();
  await d1?.dispose();
});

describe("Dashboard", () => {
  it("shows per persona the edge's cache state and statistics, and the catalog sync state", async () => {
    const data = await loader({ request: await embeddedDocument("dash-shop", "/app"), context: h.context, params: {} });
    expect(data.edgeError).toBeNull();
    expect(data.personas.map((p) => p.persona)).toEqual(["minimalist", "explorer", "dealhunter", "loyalist"]);
    const dealhunter = data.personas.find((p) => p.persona === "dealhunter");
    expect(dealhunter).toMatchObject({ enabled: true, cache: { state: "missing" }, stats: { jobsFailed: 1, hits: 30 } });
    expect(dealhunter?.stats?.recentLatenciesMs).toHaveLength(4);
    expect(data.personas.find((p) => p.persona === "explorer")?.isDefault).toBe(true);
    expect(data.catalog).toBeNull();
    expect(h.edge.callsOf("cacheState")).toContainEqual(["dash-shop"]);
  });

  it("syncs the catalog on demand from the Admin API and shows the result", async () => {
    const request = await embeddedFetch("dash-shop", "/app?index", { method: "POST", body: form({ intent: "sync" }) });
    const result = await action({ request, context: h.context, params: {} });
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/^Synced 4 products \(1 pages\), catalog [0-9a-f]{16}\.$/);
    const data = await loader({ request: await embeddedDocument("dash-shop", "/app"), context: h.context, params: {} });
    expect(data.catalog).toMatchObject({ productCount: 4, syncState: "ok" });
    expect(data.lastRun).toMatchObject({ trigger: "manual", state: "ok", productCount: 4, pages: 1 });
  });

  it("shows a failed sync's reason", async () => {
    api.faults.push({ kind: "unauthorized" });
    const request = await embeddedFetch("dash-shop", "/app?index", { method: "POST", body: form({ intent: "sync" }) });
    const result = await action({ request, context: h.context, params: {} });
    expect(result).toEqual({ ok: false, message: "Catalog sync failed: Shopify refused the access token (HTTP 401)" });
    const data = await loader({ request: await embeddedDocument("dash-shop", "/app"), context: h.context, params: {} });
    expect(data.catalog?.syncState).toMatch(/^error: /);
    expect(data.catalog?.productCount).toBe(4);
  });

  it("still renders when the edge is down, saying why the figures are missing", async () => {
    h.edge.failing = "service binding EDGE: connection refused";
    try {
      const data = await loader({ request: await embeddedDocument("dash-shop", "/app"), context: h.context, params: {} });
      expect(data.edgeError).toBe("service binding EDGE: connection refused");
      expect(data.personas.every((p) => p.cache === null && p.stats === null)).toBe(true);
      expect(data.catalog?.productCount).toBe(4);
    } finally {
      h.edge.failing = null;
    }
  });

  it("answers 400 to an unknown action", async () => {
    const request = await embeddedFetch("dash-shop", "/app?index", { method: "POST", body: form({ intent: "drop-tables" }) });
    expect((await thrownResponse(() => action({ request, context: h.context, params: {} }))).status).toBe(400);
  });

  it("in local mode refreshes the edge from D1 and never calls Shopify", async () => {
    await prismaFor(d1.db).shopSettings.create({
      data: { store: "demo-apparel", shopDomain: "demo-apparel.myshopify.com", shopName: "Demo Apparel" },
    });
    const local = createHarness(d1, { WAND_LOCAL_ADMIN: "1", SHOPIFY_ADMIN_API_ORIGIN: api.origin });
    const requestsBefore = api.requests.length;
    const request = new Request("http://127.0.0.1:8788/app?index", { method: "POST", body: form({ intent: "sync" }) });
    const result = await action({ request, context: local.context, params: {} });
    expect(result).toMatchObject({ ok: true, message: expect.stringMatching(/^Demo shop: the edge snapshot was refreshed/) });
    expect(local.edge.callsOf("refreshSnapshot")).toEqual([["demo-apparel"]]);
    expect(api.requests.length).toBe(requestsBefore);
  });
});
