import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAdminApi, type FakeAdminApi } from "../edge-worker/test/fake-admin-api.ts";
import { fakeAdminShop, type FakeShopConfig } from "../edge-worker/test/fake-admin-control.ts";
import { AdminGraphqlError, createAdminGraphql, type WaitReason } from "./admin-graphql.ts";

// The client runs against the same fake Admin API the edge's catalog sync tests use (Shopify's
// protocol on 127.0.0.1): the real fetch, real HTTP, real cost extensions.
const PAGE = `#graphql
  query WandCatalogPage($first: Int!, $after: String) { shop { currencyCode } products(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } } }`;

let api: FakeAdminApi;
beforeAll(async () => {
  api = await startFakeAdminApi();
});
afterAll(() => api.close());

let counter = 0;
async function start(config: Partial<Omit<FakeShopConfig, "token">> = {}, o: { token?: string } = {}) {
  const token = `shpat_client_${++counter}`;
  const shop = fakeAdminShop(api.origin, token);
  await shop.configure({ products: 3, ...config });
  const waits: { ms: number; reason: WaitReason }[] = [];
  const client = createAdminGraphql({
    shopDomain: "shop-a.myshopify.com",
    accessToken: o.token ?? token,
    apiVersion: "2026-10",
    origin: api.origin,
    backoffBaseMs: 10,
    onWait: (ms, reason) => waits.push({ ms, reason }),
  });
  return { shop, client, waits, requests: async () => (await shop.stats()).requests };
}

describe("Admin GraphQL client", () => {
  it("posts the query with the shop's token to the versioned endpoint", async () => {
    const { client, requests } = await start();
    const data = await client.request(PAGE, { first: 2, after: null });
    expect(data).toMatchObject({ shop: { currencyCode: "EUR" }, products: { pageInfo: { hasNextPage: true } } });
    // The fake answers only the shop's own token (any other gets 401).
    expect(await requests()).toEqual([{ path: "/admin/api/2026-10/graphql.json", operation: "WandCatalogPage", variables: { first: 2, after: null }, status: 200, throttled: false }]);
  });

  it("waits for the missing cost points after a THROTTLED error, then retries", async () => {
    // 0 of 100 points, 50 restored per second: a 25-point page needs half a second.
    const { client, waits, requests } = await start({ maximumAvailable: 100, restoreRate: 50, pageCost: 25, available: 0 });
    await client.request(PAGE, { first: 1 });
    // (25 − available) / 50 per second: about 500 ms, less what trickled in before the first request.
    expect(waits).toHaveLength(1);
    expect(waits[0]?.reason).toBe("throttled");
    expect(waits[0]?.ms).toBeGreaterThan(400);
    expect(waits[0]?.ms).toBeLessThanOrEqual(500);
    expect(await requests()).toHaveLength(2);
  });

  it("keeps to the budget before asking again (no THROTTLED error needed)", async () => {
    const { client, waits, requests } = await start({ maximumAvailable: 100, restoreRate: 100, pageCost: 60 });
    await client.request(PAGE, { first: 1 });
    // 40 points left: the next 60-point request waits for about 20 points (200 ms) first.
    await client.request(PAGE, { first: 1 });
    expect(waits).toHaveLength(1);
    expect(waits[0]?.reason).toBe("budget");
    expect(waits[0]?.ms).toBeGreaterThan(100);
    expect(waits[0]?.ms).toBeLessThanOrEqual(200);
    expect((await requests()).map((r) => r.status)).toEqual([200, 200]);
  });

  it("honours Retry-After on HTTP 429", async () => {
    const { client, waits, requests } = await start({ faults: [{ kind: "http429", retryAfter: "0.3" }] });
    await client.request(PAGE, { first: 1 });
    expect(waits).toEqual([{ ms: 300, reason: "rate-limited" }]);
    expect((await requests()).map((r) => r.status)).toEqual([429, 200]);
  });

  it("backs off and retries on a 5xx", async () => {
    const { client, waits } = await start({ faults: [{ kind: "http500" }, { kind: "http500" }] });
    await client.request(PAGE, { first: 1 });
    expect(waits).toEqual([
      { ms: 10, reason: "server-error" },
      { ms: 20, reason: "server-error" },
    ]);
  });

  it("gives up after a bounded number of attempts", async () => {
    const { client, requests } = await start({ faults: Array.from({ length: 10 }, () => ({ kind: "http500" as const })) });
    await expect(client.request(PAGE, { first: 1 })).rejects.toMatchObject({ kind: "gave-up" });
    expect(await requests()).toHaveLength(6);
  });

  it("fails at once on a refused token, without retrying", async () => {
    const { client, requests } = await start({ faults: [{ kind: "unauthorized" }] });
    const error = await client.request(PAGE, { first: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminGraphqlError);
    expect(error).toMatchObject({ kind: "unauthorized", status: 401 });
    expect(await requests()).toHaveLength(1);
  });

  it("fails with Shopify's message on a GraphQL error", async () => {
    const { client } = await start({ faults: [{ kind: "graphql-error", message: "Field 'nope' doesn't exist on type 'Product'" }] });
    await expect(client.request(PAGE, { first: 1 })).rejects.toThrow("Field 'nope' doesn't exist on type 'Product'");
  });

  it("uses the fetch it is given (no platform needed)", async () => {
    const seen: string[] = [];
    const client = createAdminGraphql({
      shopDomain: "shop-b.myshopify.com",
      accessToken: "t",
      apiVersion: "2026-10",
      fetch: async (url) => {
        seen.push(url);
        return { status: 200, ok: true, headers: { get: () => null }, body: null, json: async () => ({ data: { shop: { name: "B" } } }) };
      },
    });
    expect(await client.request("query WandShop { shop { name } }")).toEqual({ shop: { name: "B" } });
    expect(seen).toEqual(["https://shop-b.myshopify.com/admin/api/2026-10/graphql.json"]);
  });
});
