import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import type { PrismaClient } from "@prisma/client";
import { API_SECRET_KEY, getHmac } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismaFor } from "./db.server";
import { action as uninstalled } from "./routes/webhooks.app.uninstalled";
import { action as dataRequest } from "./routes/webhooks.customers.data_request";
import { action as customersRedact } from "./routes/webhooks.customers.redact";
import { action as products } from "./routes/webhooks.products";
import { action as shopRedact } from "./routes/webhooks.shop.redact";
import { createTestD1, type TestD1 } from "./test/d1";
import { FakeAdminApi, productNode } from "./test/fake-admin-api";
import { APP_URL, createHarness, type Harness, installShop, thrownResponse } from "./test/harness";

type Action = (args: ActionFunctionArgs) => Promise<Response>;

let d1: TestD1;
let prisma: PrismaClient;
let api: FakeAdminApi;
let h: Harness;
let webhookSeq = 0;

beforeAll(async () => {
  d1 = await createTestD1();
  prisma = prismaFor(d1.db);
  api = await new FakeAdminApi({ products: [1, 2, 3].map((i) => productNode(i)) }).start();
  h = createHarness(d1, { SHOPIFY_ADMIN_API_ORIGIN: api.origin });
});
afterAll(async () => {
  await api?.stop();
  await d1?.dispose();
});

/** A webhook as Shopify sends it: JSON body, HMAC of the raw body with the app's secret, headers. */
function webhook(o: { topic: string; shop: string; payload: unknown; secret?: string; id?: string; path: string }): Request {
  const body = JSON.stringify(o.payload);
  return new Request(`${APP_URL}${o.path}`, {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Hmac-Sha256": getHmac(body, o.secret ?? API_SECRET_KEY),
      "X-Shopify-Topic": o.topic,
      "X-Shopify-Shop-Domain": o.shop,
      "X-Shopify-API-Version": "2026-10",
      "X-Shopify-Webhook-Id": o.id ?? `wh-${++webhookSeq}`,
    },
  });
}

const deliver = (action: Action, request: Request) => action({ request, context: h.context, params: {} });

async function seedShopData(store: string) {
  const shop = await installShop(h, store);
  await prisma.catalog.upsert({ where: { store }, create: { store, version: "v1", products: "[]", productCount: 0 }, update: {} });
  await prisma.customerProfile.deleteMany({ where: { store } });
  await prisma.customerProfile.createMany({ data: [{ store, customerId: "1" }, { store, customerId: "2" }] });
  await prisma.catalogSyncRun.create({ data: { store, trigger: "install", state: "ok" } });
  return shop;
}

const counts = async (store: string, shop: string) => ({
  sessions: await prisma.session.count({ where: { shop } }),
  settings: await prisma.shopSettings.count({ where: { store } }),
  catalog: await prisma.catalog.count({ where: { store } }),
  profiles: await prisma.customerProfile.count({ where: { store } }),
  syncRuns: await prisma.catalogSyncRun.count({ where: { store } }),
  deliveries: await prisma.webhookDelivery.count({ where: { shop } }),
});

describe("webhook verification", () => {
  const routes: [string, Action, string, string][] = [
    ["app/uninstalled", uninstalled, "/webhooks/app/uninstalled", "app/uninstalled"],
    ["products", products, "/webhooks/products", "products/update"],
    ["customers/data_request", dataRequest, "/webhooks/customers/data_request", "customers/data_request"],
    ["customers/redact", customersRedact, "/webhooks/customers/redact", "customers/redact"],
    ["shop/redact", shopRedact, "/webhooks/shop/redact", "shop/redact"],
  ];

  beforeAll(async () => {
    await seedShopData("hmac-shop");
  });

  it.each(routes)("%s: a wrong HMAC gets 401 and changes nothing", async (_name, action, path, topic) => {
    const before = await counts("hmac-shop", "hmac-shop.myshopify.com");
    const payload = { shop_domain: "hmac-shop.myshopify.com", customer: { id: 1 } };
    const response = await thrownResponse(() => deliver(action, webhook({ topic, path, shop: "hmac-shop.myshopify.com", payload, secret: "someone-elses-secret" })));
    expect(response.status).toBe(401);
    await h.settle();
    expect(await counts("hmac-shop", "hmac-shop.myshopify.com")).toEqual(before);
  });

  it("refuses a webhook without Shopify's headers (400) and a GET (405)", async () => {
    const bare = new Request(`${APP_URL}/webhooks/app/uninstalled`, { method: "POST", body: "{}", headers: { "X-Shopify-Hmac-Sha256": getHmac("{}", API_SECRET_KEY) } });
    expect((await thrownResponse(() => deliver(uninstalled, bare))).status).toBe(400);
    const get = new Request(`${APP_URL}/webhooks/app/uninstalled`);
    expect((await thrownResponse(() => deliver(uninstalled, get))).status).toBe(405);
  });

  it("answers 400 to a topic the route does not handle", async () => {
    const response = await deliver(uninstalled, webhook({ topic: "products/update", path: "/webhooks/app/uninstalled", shop: "hmac-shop.myshopify.com", payload: {} }));
    expect(response.status).toBe(400);
    expect(await prisma.shopSettings.count({ where: { store: "hmac-shop" } })).toBe(1);
  });
});

describe("app/uninstalled", () => {
  it("removes the shop's sessions, settings, catalog and caches, and is safe to deliver twice", async () => {
    const shop = await seedShopData("leaving");
    await seedShopData("staying");
    const request = () => webhook({ topic: "app/uninstalled", path: "/webhooks/app/uninstalled", shop, payload: { id: 1, domain: shop }, id: "uninstall-1" });
    expect((await deliver(uninstalled, request())).status).toBe(200);
    expect(await counts("leaving", shop)).toEqual({ sessions: 0, settings: 0, catalog: 0, profiles: 0, syncRuns: 0, deliveries: 1 });
    expect(h.edge.callsOf("forgetStore")).toContainEqual(["leaving"]);
    // The same delivery again, and a new delivery of the same event: both answered 200, nothing breaks.
    expect((await deliver(uninstalled, request())).status).toBe(200);
    expect((await deliver(uninstalled, webhook({ topic: "app/uninstalled", path: "/webhooks/app/uninstalled", shop, payload: {} }))).status).toBe(200);
    expect(await counts("leaving", shop)).toMatchObject({ sessions: 0, settings: 0, catalog: 0 });
    // Another shop is untouched.
    expect(await counts("staying", "staying.myshopify.com")).toMatchObject({ sessions: 1, settings: 1, catalog: 1, profiles: 2 });
  });
});

describe("products/*", () => {
  it("resyncs the catalog with the shop's offline session, in the background", async () => {
    const shop = await installShop(h, "products-shop");
    const response = await deliver(products, webhook({ topic: "products/update", path: "/webhooks/products", shop, payload: { id: 1 } }));
    expect(response.status).toBe(200);
    await h.settle();
    const catalog = await prisma.catalog.findUniqueOrThrow({ where: { store: "products-shop" } });
    expect(catalog.productCount).toBe(3);
    const run = await prisma.catalogSyncRun.findFirstOrThrow({ where: { store: "products-shop" }, orderBy: { id: "desc" } });
    expect(run).toMatchObject({ trigger: "webhook", state: "ok" });
    expect(api.requests.at(-1)?.token).toBe("totally_real_token");
  });

  it("handles create, update and delete, and does not sync twice for one delivery", async () => {
    const shop = await installShop(h, "products-topics");
    for (const topic of ["products/create", "products/update", "products/delete"]) {
      expect((await deliver(products, webhook({ topic, path: "/webhooks/products", shop, payload: { id: 1 }, id: `same-${topic}` }))).status).toBe(200);
      expect((await deliver(products, webhook({ topic, path: "/webhooks/products", shop, payload: { id: 1 }, id: `same-${topic}` }))).status).toBe(200);
    }
    await h.settle();
    expect(await prisma.catalogSyncRun.count({ where: { store: "products-topics", trigger: "webhook" } })).toBe(3);
  });

  it("does nothing for a shop without an offline session (not installed)", async () => {
    const response = await deliver(products, webhook({ topic: "products/create", path: "/webhooks/products", shop: "gone.myshopify.com", payload: { id: 1 } }));
    expect(response.status).toBe(200);
    await h.settle();
    expect(await prisma.catalogSyncRun.count({ where: { store: "gone" } })).toBe(0);
  });
});

describe("compliance webhooks", () => {
  it("customers/data_request answers 200 and deletes nothing", async () => {
    const shop = await seedShopData("data-request");
    const before = await counts("data-request", shop);
    const payload = { shop_id: 1, shop_domain: shop, customer: { id: 1, email: "a@example.com" }, orders_requested: [], data_request: { id: 9 } };
    expect((await deliver(dataRequest, webhook({ topic: "customers/data_request", path: "/webhooks/customers/data_request", shop, payload }))).status).toBe(200);
    expect(await counts("data-request", shop)).toMatchObject({ ...before, deliveries: before.deliveries + 1 });
  });

  it("customers/redact deletes that customer's profile and per-shopper pages only, twice safely", async () => {
    const shop = await seedShopData("redact-customer");
    const payload = { shop_id: 1, shop_domain: shop, customer: { id: 2, email: "b@example.com" }, orders_to_redact: [] };
    for (let i = 0; i < 2; i++) {
      const response = await deliver(customersRedact, webhook({ topic: "customers/redact", path: "/webhooks/customers/redact", shop, payload }));
      expect(response.status).toBe(200);
    }
    const left = await prisma.customerProfile.findMany({ where: { store: "redact-customer" } });
    expect(left.map((p) => p.customerId)).toEqual(["1"]);
    expect(h.edge.callsOf("forgetShopper")).toContainEqual(["redact-customer", "2"]);
  });

  it("customers/redact without a customer id is a bad request", async () => {
    const shop = await seedShopData("redact-bad");
    const response = await thrownResponse(() => deliver(customersRedact, webhook({ topic: "customers/redact", path: "/webhooks/customers/redact", shop, payload: { shop_domain: shop } })));
    expect(response.status).toBe(400);
  });

  it("shop/redact deletes everything of the shop, its webhook log included, twice safely", async () => {
    const shop = await seedShopData("redact-shop");
    await deliver(dataRequest, webhook({ topic: "customers/data_request", path: "/webhooks/customers/data_request", shop, payload: { customer: { id: 1 } } }));
    expect(await prisma.webhookDelivery.count({ where: { shop } })).toBe(1);
    for (let i = 0; i < 2; i++) {
      const response = await deliver(shopRedact, webhook({ topic: "shop/redact", path: "/webhooks/shop/redact", shop, payload: { shop_id: 1, shop_domain: shop } }));
      expect(response.status).toBe(200);
    }
    expect(await counts("redact-shop", shop)).toEqual({ sessions: 0, settings: 0, catalog: 0, profiles: 0, syncRuns: 0, deliveries: 0 });
    expect(h.edge.callsOf("forgetStore")).toContainEqual(["redact-shop"]);
  });
});
