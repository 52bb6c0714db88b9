import { afterEach, describe, expect, it } from "vitest";
import { AdminGraphqlError, createAdminGraphql, type WaitReason } from "./admin-graphql.server";
import { FakeAdminApi, productNode } from "./test/fake-admin-api";

const PAGE = `#graphql
  query WandCatalogPage($first: Int!, $after: String) { shop { currencyCode } products(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } } }`;

let api: FakeAdminApi | null = null;
afterEach(async () => {
  await api?.stop();
  api = null;
});

async function start(o: Partial<ConstructorParameters<typeof FakeAdminApi>[0]> = {}) {
  api = await new FakeAdminApi({ products: [productNode(1), productNode(2), productNode(3)], accessToken: "shpat_test", ...o }).start();
  const waits: { ms: number; reason: WaitReason }[] = [];
  const client = createAdminGraphql({
    shopDomain: "shop-a.myshopify.com",
    accessToken: "shpat_test",
    apiVersion: "2026-10",
    origin: api.origin,
    backoffBaseMs: 10,
    onWait: (ms, reason) => waits.push({ ms, reason }),
  });
  return { api, client, waits };
}

describe("Admin GraphQL client", () => {
  it("posts the query with the shop's token to the versioned endpoint", async () => {
    const { api, client } = await start();
    const data = await client.request(PAGE, { first: 2, after: null });
    expect(data).toMatchObject({ shop: { currencyCode: "EUR" }, products: { pageInfo: { hasNextPage: true } } });
    expect(api.requests[0]).toMatchObject({ path: "/admin/api/2026-10/graphql.json", token: "shpat_test", operation: "WandCatalogPage", variables: { first: 2 } });
  });

  it("waits for the missing cost points after a THROTTLED error, then retries", async () => {
    // 0 of 100 points, 50 restored per second: a 25-point page needs half a second.
    const { api, client, waits } = await start({ maximumAvailable: 100, restoreRate: 50, pageCost: 25 });
    api.setAvailable(0);
    await client.request(PAGE, { first: 1 });
    // (25 − available) / 50 per second: about 500 ms, less what trickled in before the first request.
    expect(waits).toHaveLength(1);
    expect(waits[0]?.reason).toBe("throttled");
    expect(waits[0]?.ms).toBeGreaterThan(400);
    expect(waits[0]?.ms).toBeLessThanOrEqual(500);
    expect(api.requests).toHaveLength(2);
  });

  it("keeps to the budget before asking again (no THROTTLED error needed)", async () => {
    const { api, client, waits } = await start({ maximumAvailable: 100, restoreRate: 100, pageCost: 60 });
    await client.request(PAGE, { first: 1 });
    // 40 points left: the next 60-point request waits for about 20 points (200 ms) first.
    await client.request(PAGE, { first: 1 });
    expect(waits).toHaveLength(1);
    expect(waits[0]?.reason).toBe("budget");
    expect(waits[0]?.ms).toBeGreaterThan(100);
    expect(waits[0]?.ms).toBeLessThanOrEqual(200);
    expect(api.requests).toHaveLength(2);
  });

  it("honours Retry-After on HTTP 429", async () => {
    const { api, client, waits } = await start();
    api.faults.push({ kind: "http429", retryAfter: "0.3" });
    await client.request(PAGE, { first: 1 });
    expect(waits).toEqual([{ ms: 300, reason: "rate-limited" }]);
    expect(api.requests).toHaveLength(2);
  });

  it("backs off and retries on a 5xx", async () => {
    const { api, client, waits } = await start();
    api.faults.push({ kind: "http500" }, { kind: "http500" });
    await client.request(PAGE, { first: 1 });
    expect(waits).toEqual([
      { ms: 10, reason: "server-error" },
      { ms: 20, reason: "server-error" },
    ]);
  });

  it("gives up after a bounded number of attempts", async () => {
    const { api, client } = await start();
    for (let i = 0; i < 10; i++) api.faults.push({ kind: "http500" });
    await expect(client.request(PAGE, { first: 1 })).rejects.toMatchObject({ kind: "gave-up" });
    expect(api.requests).toHaveLength(6);
  });

  it("fails at once on a refused token, without retrying", async () => {
    const { api, client } = await start({ accessToken: "another-token" });
    const error = await client.request(PAGE, { first: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminGraphqlError);
    expect(error).toMatchObject({ kind: "unauthorized", status: 401 });
    expect(api.requests).toHaveLength(1);
  });

  it("fails with Shopify's message on a GraphQL error", async () => {
    const { api, client } = await start();
    api.faults.push({ kind: "graphql-error", message: "Field 'nope' doesn't exist on type 'Product'" });
    await expect(client.request(PAGE, { first: 1 })).rejects.toThrow("Field 'nope' doesn't exist on type 'Product'");
  });
});
