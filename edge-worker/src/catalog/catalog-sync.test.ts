import { createExecutionContext, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { EdgeApi } from "../edge-api.ts";
import { testShop } from "../../test/catalog-helpers.ts";
import { fakeRestPayload } from "../../test/fake-catalog.ts";
import { eventually, uniqueStore } from "../../test/helpers.ts";

// The CatalogSync object through the edge's RPC surface (core/edge-api.ts), as the admin calls it.
const api = () => new EdgeApi(createExecutionContext(), env);

describe("CatalogSync through EdgeApi", () => {
  it("starts a sync, reports its progress and outcome, and takes product events", { timeout: 30_000 }, async () => {
    const shop = await testShop(uniqueStore("api"), { products: 25 });
    expect(await api().catalogSyncState(shop.store)).toEqual({
      state: "idle", trigger: null, mode: null, productsSynced: 0, productsTotal: null, startedAt: null, finishedAt: null,
      error: null, liveProducts: 0, lastGoodAt: null, pendingEvents: 0,
    });
    const started = await api().startCatalogSync(shop.store, shop.shopDomain, "manual");
    expect(started).toMatchObject({ state: "running", trigger: "manual", liveProducts: 0 });
    const done = await eventually(async () => {
      const s = await api().catalogSyncState(shop.store);
      return s.state === "ok" && s;
    });
    expect(done).toMatchObject({ mode: "pages", productsSynced: 25, productsTotal: 25, liveProducts: 25, error: null });
    expect(Date.parse(done.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(done.startedAt!));
    expect(done.lastGoodAt).toBe(done.finishedAt);

    const event = { eventId: "api-1", topic: "products/update" as const, triggeredAt: "2026-11-30T12:00:00Z", payload: fakeRestPayload(shop.token, 1, { updatedAt: "2026-11-30T12:00:00Z", title: "Via RPC" }) };
    expect(await api().catalogEvent(shop.store, event)).toEqual({ status: "queued" });
    expect(await api().catalogEvent(shop.store, event)).toEqual({ status: "duplicate" });
    expect((await api().catalogSyncState(shop.store)).pendingEvents).toBe(1);
    await eventually(async () => (await api().catalogSyncState(shop.store)).pendingEvents === 0);
    // An unknown bulk operation is ignored.
    await api().bulkOperationFinished(shop.store, { bulkOperationId: "gid://shopify/BulkOperation/404", status: "completed" });
    expect((await api().catalogSyncState(shop.store)).state).toBe("ok");
  });

  it("a shop without an offline session fails at once with the reason", { timeout: 30_000 }, async () => {
    const store = uniqueStore("nosession");
    await api().startCatalogSync(store, `${store}.myshopify.com`, "install");
    const s = await eventually(async () => {
      const state = await api().catalogSyncState(store);
      return state.state !== "running" && state;
    });
    expect(s).toMatchObject({ state: "error", error: `no offline session for ${store}.myshopify.com: reinstall the app` });
  });

  it("a token Shopify refuses ends the run without retries", { timeout: 30_000 }, async () => {
    const shop = await testShop(uniqueStore("refused"), { products: 5, faults: [{ kind: "unauthorized" }] });
    await shop.sync.start({ shopDomain: shop.shopDomain, trigger: "install" });
    const s = await eventually(async () => {
      const state = await shop.sync.state();
      return state.state !== "running" && state;
    });
    expect(s).toMatchObject({ state: "error", error: "Shopify refused the access token (HTTP 401)" });
    expect((await shop.admin.stats()).requests).toHaveLength(1);
  });

  it("forget() drops the object's state and alarm", { timeout: 30_000 }, async () => {
    const shop = await testShop(uniqueStore("forget"), { products: 5, bulkDelayMs: 0 });
    await shop.sync.productEvent({ eventId: "f-1", topic: "products/delete", triggeredAt: "2026-11-30T12:00:00Z", payload: { id: 1 } });
    await shop.sync.forget();
    expect(await shop.sync.state()).toMatchObject({ state: "idle", pendingEvents: 0 });
    expect(await runInDurableObject(shop.sync, (_i, state) => state.storage.getAlarm())).toBeNull();
    // The event id is forgotten too: a redelivery is queued again.
    expect(await shop.sync.productEvent({ eventId: "f-1", topic: "products/delete", triggeredAt: "2026-11-30T12:00:00Z", payload: { id: 1 } })).toEqual({ status: "queued" });
  });

  it("refuses an invalid store id", async () => {
    await expect(api().catalogSyncState("Not A Store")).rejects.toThrow(/invalid store id/);
  });
});
