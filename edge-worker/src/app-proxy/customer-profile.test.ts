import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import {
  PROFILE_MAX_AGE_MS,
  adminGraphqlUrl,
  customerSignalForRequest,
  readCustomerProfile,
  resetCustomerProfileState,
  writeCustomerProfile,
} from "./customer-profile.ts";

// The Admin GraphQL round trip itself is tested against a real HTTP server in
// e2e/storefront-customer.test.ts (workerd tests cannot start one); here: the D1 cache and the
// promise that the request never waits for, nor fails because of, a refresh.

const store = "profile-test";
const shop = "profile-test.myshopify.com";
// Nothing listens on port 9 of the loopback: a refresh attempt fails fast, as an outage would.
const unreachable = { DB: env.DB, SHOPIFY_ADMIN_API_ORIGIN: "http://127.0.0.1:9" };

beforeEach(async () => {
  resetCustomerProfileState();
  await env.DB.prepare("DELETE FROM CustomerProfile WHERE store = ?").bind(store).run();
  await env.DB.prepare("DELETE FROM Session WHERE shop = ?").bind(shop).run();
});

describe("cached customer profile", () => {
  it("round-trips through D1", async () => {
    await writeCustomerProfile(env.DB, store, "7", { ordersCount: 3, totalSpent: 412.5, tags: ["VIP", "newsletter"] }, Date.UTC(2026, 0, 2));
    expect(await readCustomerProfile(env.DB, store, "7")).toEqual({
      profile: { ordersCount: 3, totalSpent: 412.5, tags: ["VIP", "newsletter"] },
      fetchedAt: Date.UTC(2026, 0, 2),
    });
    expect(await readCustomerProfile(env.DB, store, "8")).toBeNull();
  });

  it("reads rows written by SQLite's default timestamp and survives a corrupt tags column", async () => {
    await env.DB.prepare("INSERT INTO CustomerProfile (store, customerId, ordersCount, totalSpent, tags, fetchedAt) VALUES (?, '9', 1, 20, 'not json', '2026-03-04 05:06:07')")
      .bind(store)
      .run();
    expect(await readCustomerProfile(env.DB, store, "9")).toEqual({
      profile: { ordersCount: 1, totalSpent: 20, tags: [] },
      fetchedAt: Date.UTC(2026, 2, 4, 5, 6, 7),
    });
  });

  it("a fresh profile is returned and no refresh is scheduled", async () => {
    const now = Date.now();
    await writeCustomerProfile(env.DB, store, "7", { ordersCount: 4, totalSpent: 900, tags: [] }, now - 1000);
    const scheduled: Promise<unknown>[] = [];
    const signal = await customerSignalForRequest(unreachable, { waitUntil: (p) => scheduled.push(p) }, { store, shop, customerId: "7" }, now);
    expect(signal).toEqual({ ordersCount: 4, totalSpent: 900, tags: [] });
    expect(scheduled).toHaveLength(0);
  });

  it("a missing profile answers null at once and refreshes in waitUntil; no session → nothing stored", async () => {
    const ctx = createExecutionContext();
    const scheduled: Promise<unknown>[] = [];
    const signal = await customerSignalForRequest(unreachable, { waitUntil: (p) => (scheduled.push(p), ctx.waitUntil(p)) }, { store, shop, customerId: "7" });
    expect(signal).toBeNull();
    expect(scheduled).toHaveLength(1);
    await waitOnExecutionContext(ctx);
    expect(await readCustomerProfile(env.DB, store, "7")).toBeNull();
  });

  it("an old profile is still used while the refresh runs, and an Admin API outage keeps it and backs off", async () => {
    const now = Date.now();
    await env.DB.prepare("INSERT INTO Session (id, shop, state, isOnline, accessToken) VALUES (?, ?, 'x', false, 'shpat_test')").bind(`offline_${shop}`, shop).run();
    await writeCustomerProfile(env.DB, store, "7", { ordersCount: 2, totalSpent: 50, tags: ["vip"] }, now - PROFILE_MAX_AGE_MS - 1);
    const ctx = createExecutionContext();
    const scheduled: Promise<unknown>[] = [];
    const waiter = { waitUntil: (p: Promise<unknown>) => (scheduled.push(p), ctx.waitUntil(p)) };
    const signal = await customerSignalForRequest(unreachable, waiter, { store, shop, customerId: "7" }, now);
    expect(signal).toEqual({ ordersCount: 2, totalSpent: 50, tags: ["vip"] });
    await waitOnExecutionContext(ctx);
    expect(scheduled).toHaveLength(1);
    // The failed refresh left the old profile in place, and the next request does not retry at once.
    expect((await readCustomerProfile(env.DB, store, "7"))?.profile.ordersCount).toBe(2);
    await customerSignalForRequest(unreachable, waiter, { store, shop, customerId: "7" }, now + 1000);
    expect(scheduled).toHaveLength(1);
  });

  it("calls the shop's own Admin API unless a loopback stand-in is configured", () => {
    expect(adminGraphqlUrl({}, shop)).toBe("https://profile-test.myshopify.com/admin/api/2026-10/graphql.json");
    expect(adminGraphqlUrl({ SHOPIFY_ADMIN_API_ORIGIN: "http://127.0.0.1:18471/" }, shop)).toBe("http://127.0.0.1:18471/admin/api/2026-10/graphql.json");
    // Anything but a loopback stand-in is ignored: the offline token only ever goes to the shop.
    for (const stray of ["https://evil.example", "http://10.0.0.5:80", "http://127.0.0.1.evil.example:80"]) {
      expect(adminGraphqlUrl({ SHOPIFY_ADMIN_API_ORIGIN: stray }, shop)).toBe("https://profile-test.myshopify.com/admin/api/2026-10/graphql.json");
    }
  });
});
