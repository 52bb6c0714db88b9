import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signProxyQuery } from "../edge-worker/src/app-proxy/verify.ts";
import { startAdminServer, type AdminServer } from "./helpers/storefront-admin.ts";
import { DEMO, offlineSessionSql, startEdge, type EdgeServer } from "./helpers/storefront-edge.ts";

/*
 * Verified customers through the app proxy, end to end: the edge worker under `wrangler dev` reads
 * the cached profile from D1 and refreshes it off the request path from an Admin-GraphQL-speaking
 * server on 127.0.0.1, with the shop's offline token from the Session table. Ports 18430-18439.
 */

const SECRET = "e2e-customer-secret";
const TOKEN = "shpat_e2e_offline_token";

let admin: AdminServer;
let edge: EdgeServer;

beforeAll(async () => {
  admin = await startAdminServer({
    port: 18430,
    accessToken: TOKEN,
    customers: {
      "7001": { numberOfOrders: "5", amountSpent: { amount: "640.00", currencyCode: "USD" }, tags: ["VIP"] },
      "7003": { numberOfOrders: "1", amountSpent: { amount: "250.00", currencyCode: "USD" }, tags: [] },
    },
  });
  edge = await startEdge({
    port: 18431,
    inspectorPort: 18432,
    vars: { SHOPIFY_API_SECRET: SECRET, SHOPIFY_ADMIN_API_ORIGIN: admin.url, GENERATOR_URL: "http://127.0.0.1:18439" },
    extraSql: offlineSessionSql(DEMO.shopDomain, TOKEN),
  });
});

afterAll(async () => {
  await edge?.stop();
  await admin?.stop();
});

/** A request as Shopify's proxy forwards it for a logged-in customer (or an anonymous one). */
async function proxied(customerId: string): Promise<Response> {
  const query = new URLSearchParams({ shop: DEMO.shopDomain, logged_in_customer_id: customerId, path_prefix: "/apps/wand", timestamp: String(Math.floor(Date.now() / 1000)) });
  query.set("signature", await signProxyQuery(query, SECRET));
  return fetch(`${edge.url}/proxy?${query}`);
}

async function personaOf(customerId: string): Promise<string | null> {
  const response = await proxied(customerId);
  expect(response.status).toBe(200);
  await response.arrayBuffer();
  return response.headers.get("Wand-Persona");
}

const callsFor = (customerId: string) => admin.calls.filter((c) => c.variables.id === `gid://shopify/Customer/${customerId}`);

describe("verified customers: profile from the Admin GraphQL API, off the request path", () => {
  it("the first page comes without the profile; the refresh then makes the next page the loyalist's", async () => {
    expect(await personaOf("7001")).toBe("explorer");
    await expect.poll(() => personaOf("7001"), { timeout: 20_000, interval: 200 }).toBe("loyalist");

    const [call] = callsFor("7001");
    expect(call).toMatchObject({ path: "/admin/api/2026-10/graphql.json", token: TOKEN });
    expect(call!.query).toMatch(/customer\(id: \$id\)[\s\S]*numberOfOrders[\s\S]*amountSpent[\s\S]*tags/);
    // Fresh now: more pages, no more Admin API calls.
    await personaOf("7001");
    await personaOf("7001");
    expect(callsFor("7001")).toHaveLength(1);
  });

  it("a slow Admin API never holds a page back", async () => {
    const release = admin.hold("7003");
    try {
      // Served while Shopify's answer is held back: the page does not wait for it.
      expect(await personaOf("7003")).toBe("explorer");
      await expect.poll(() => callsFor("7003").length, { timeout: 20_000 }).toBe(1);
      expect(await personaOf("7003")).toBe("explorer");
    } finally {
      release();
    }
    // Spent 250 (≥ 200): once the answer arrives, the customer reads as a loyalist.
    await expect.poll(() => personaOf("7003"), { timeout: 20_000, interval: 200 }).toBe("loyalist");
  });

  it("a customer Shopify does not know is stored blank and not asked for again", async () => {
    expect(await personaOf("7009")).toBe("explorer");
    await expect.poll(() => callsFor("7009").length, { timeout: 20_000 }).toBe(1);
    // Give the write a moment through more pages, then check nobody asked twice.
    for (let i = 0; i < 3; i++) expect(await personaOf("7009")).toBe("explorer");
    expect(callsFor("7009")).toHaveLength(1);
  });

  it("anonymous visitors never cause an Admin API call", async () => {
    const before = admin.calls.length;
    expect(await personaOf("")).toBe("explorer");
    expect(admin.calls.length).toBe(before);
  });
});
