import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { testShop } from "../../test/catalog-helpers.ts";
import { eventually, uniqueStore } from "../../test/helpers.ts";
import { SyncError, adminClient, bulkOperationStatus, offlineToken, shopCatalogCount, startBulkOperation } from "./admin-api.ts";

describe("catalog sync: Admin API calls", () => {
  it("reads the shop's offline token from D1, and says so when there is none", async () => {
    const shop = await testShop(uniqueStore("token"), { products: 1 });
    expect(await offlineToken(env.DB, shop.shopDomain)).toBe(shop.token);
    const missing = await offlineToken(env.DB, "nobody.myshopify.com").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SyncError);
    expect(missing).toMatchObject({ permanent: true, message: "no offline session for nobody.myshopify.com: reinstall the app" });
  });

  it("talks to the loopback Admin API named by SHOPIFY_ADMIN_API_ORIGIN with the shop's token", async () => {
    const shop = await testShop(uniqueStore("count"), { products: 321, currency: "CHF" });
    const client = adminClient(env, shop.shopDomain, shop.token, () => undefined);
    expect(await shopCatalogCount(client)).toEqual({ count: 321, exact: true, currency: "CHF" });
    expect((await shop.admin.stats()).requests.map((r) => r.operation)).toEqual(["WandCatalogCount"]);
  });

  it("starts one bulk operation, adopts it when asked again while it runs, and follows its status", { timeout: 20_000 }, async () => {
    const shop = await testShop(uniqueStore("bulkop"), { products: 10, bulkDelayMs: 1_500 });
    const client = adminClient(env, shop.shopDomain, shop.token, () => undefined);
    const id = await startBulkOperation(client);
    // A retried start (the first answer was lost) meets "already in progress" and adopts the operation.
    expect(await startBulkOperation(client)).toBe(id);
    expect((await shop.admin.stats()).bulkOperations).toHaveLength(1);
    expect((await bulkOperationStatus(client, id))?.status).toMatch(/^(CREATED|RUNNING)$/);
    const done = await eventually(async () => {
      const op = await bulkOperationStatus(client, id);
      return op?.status === "COMPLETED" && op;
    }, 100);
    expect(done).toMatchObject({ id, status: "COMPLETED", objectCount: expect.any(Number) as number });
    expect(done?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/__bulk\//);
    expect(await bulkOperationStatus(client, "gid://shopify/BulkOperation/999999")).toBeNull();
  });
});
