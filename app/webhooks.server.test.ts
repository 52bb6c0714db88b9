import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import type { PrismaClient } from "@prisma/client";
import { API_SECRET_KEY, getHmac } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismaFor } from "./db.server";
import { action as uninstalled } from "./routes/webhooks.app.uninstalled";
import { action as dataRequest } from "./routes/webhooks.customers.data_request";
import { action as customersRedact } from "./routes/webhooks.customers.redact";
import { action as bulkFinish } from "./routes/webhooks.bulk_operations.finish";
import { action as products } from "./routes/webhooks.products";
import { action as ordersCreate } from "./routes/webhooks.orders.create";
import { shopperHash } from "../core/experiment.ts";
import { action as shopRedact } from "./routes/webhooks.shop.redact";
import { createTestD1, type TestD1 } from "./test/d1";
import { APP_URL, createHarness, type Harness, installShop, thrownResponse } from "./test/harness";

type Action = (args: ActionFunctionArgs) => Promise<Response>;

let d1: TestD1;
let prisma: PrismaClient;
let h: Harness;
let webhookSeq = 0;

beforeAll(async () => {
  d1 = await createTestD1();
  prisma = prismaFor(d1.db);
  h = createHarness(d1);
});
afterAll(async () => {
  await d1?.dispose();
});

/** A webhook as Shopify sends it: JSON body, HMAC of the raw body with the app's secret, headers. */
function webhook(o: {
  topic: string;
  shop: string;
  payload: unknown;
  secret?: string;
  id?: string;
  path: string;
  /** X-Shopify-Event-Id (null: left out); X-Shopify-Triggered-At likewise. */
  eventId?: string | null;
  triggeredAt?: string | null;
}): Request {
  const body = JSON.stringify(o.payload);
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Shopify-Hmac-Sha256": getHmac(body, o.secret ?? API_SECRET_KEY),
    "X-Shopify-Topic": o.topic,
    "X-Shopify-Shop-Domain": o.shop,
    "X-Shopify-API-Version": "2026-10",
    "X-Shopify-Webhook-Id": o.id ?? `wh-${++webhookSeq}`,
  };
  if (o.eventId !== null) headers["X-Shopify-Event-Id"] = o.eventId ?? `ev-${webhookSeq}`;
  if (o.triggeredAt !== null) headers["X-Shopify-Triggered-At"] = o.triggeredAt ?? "2026-12-01T08:00:00.123456789Z";
  return new Request(`${APP_URL}${o.path}`, { method: "POST", body, headers });
}

const deliver = (action: Action, request: Request) => action({ request, context: h.context, params: {} });

/**
 * An orders/create payload as Shopify sends it (REST order resource, trimmed): the customer's name,
 * e-mail and addresses are in it, and must never reach storage.
 */
function orderPayload(o: { id?: number; attributes?: { name: string; value: string }[] | null; test?: boolean; subtotal?: string; currency?: string; createdAt?: string } = {}) {
  const id = o.id ?? 820982911946154500;
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: "#9999",
    email: "jon@example.com",
    contact_email: "jon@example.com",
    phone: "+15555550100",
    test: o.test ?? false,
    created_at: o.createdAt ?? "2026-12-01T08:15:47-05:00",
    currency: o.currency ?? "EUR",
    presentment_currency: "USD",
    current_subtotal_price: o.subtotal ?? "199.00",
    total_price: "209.00",
    note_attributes: o.attributes === undefined ? [] : o.attributes,
    customer: { id: 115310627314723950, email: "jon@example.com", first_name: "Jon", last_name: "Doe" },
    billing_address: { first_name: "Jon", last_name: "Doe", address1: "123 Billing Street", city: "Billtown", zip: "K2P0B0", country: "Canada" },
    shipping_address: { first_name: "Jon", last_name: "Doe", address1: "123 Shipping Street", city: "Shippington", zip: "40003", country: "United States" },
    line_items: [{ id: 866550311766439020, title: "IPod Nano - 8GB", quantity: 1, price: "199.00", properties: [{ name: "_wand_persona", value: "explorer" }] }],
  };
}

const wandAttributes = (store: string, shopperId: string, arm = "holdout", persona = "dealhunter") => [
  { name: "_wand_shopper", value: shopperHash(store, shopperId) },
  { name: "_wand_arm", value: arm },
  { name: "_wand_persona", value: persona },
];

async function seedShopData(store: string) {
  const shop = await installShop(h, store);
  await prisma.catalog.upsert({ where: { store }, create: { store, productCount: 1 }, update: {} });
  await prisma.product.deleteMany({ where: { store } });
  await prisma.product.create({
    data: { store, productId: "p1", handle: "p1", title: "P1", category: "Shirts", price: "1.00", currency: "EUR", available: 1, variantId: "1", priceCents: 100, listedAt: 1n, updatedAt: 1n },
  });
  await prisma.personaSelection.upsert({
    where: { store_persona: { store, persona: "explorer" } },
    create: { store, persona: "explorer", groups: "[]", merchHashes: "{}", merchVersion: "m", selectedAt: 1n },
    update: {},
  });
  await prisma.customerProfile.deleteMany({ where: { store } });
  await prisma.customerProfile.createMany({ data: [{ store, customerId: "1" }, { store, customerId: "2" }] });
  await prisma.catalogSyncRun.create({ data: { store, trigger: "install", state: "ok" } });
  return shop;
}

const counts = async (store: string, shop: string) => ({
  sessions: await prisma.session.count({ where: { shop } }),
  settings: await prisma.shopSettings.count({ where: { store } }),
  catalog: await prisma.catalog.count({ where: { store } }),
  products: await prisma.product.count({ where: { store } }),
  selections: await prisma.personaSelection.count({ where: { store } }),
  profiles: await prisma.customerProfile.count({ where: { store } }),
  syncRuns: await prisma.catalogSyncRun.count({ where: { store } }),
  deliveries: await prisma.webhookDelivery.count({ where: { shop } }),
  orders: await prisma.experimentOrder.count({ where: { shop } }),
});

describe("webhook verification", () => {
  const routes: [string, Action, string, string][] = [
    ["app/uninstalled", uninstalled, "/webhooks/app/uninstalled", "app/uninstalled"],
    ["products", products, "/webhooks/products", "products/update"],
    ["bulk_operations/finish", bulkFinish, "/webhooks/bulk_operations/finish", "bulk_operations/finish"],
    ["orders/create", ordersCreate, "/webhooks/orders/create", "orders/create"],
    ["customers/data_request", dataRequest, "/webhooks/customers/data_request", "customers/data_request"],
    ["customers/redact", customersRedact, "/webhooks/customers/redact", "customers/redact"],
    ["shop/redact", shopRedact, "/webhooks/shop/redact", "shop/redact"],
  ];

  beforeAll(async () => {
    await seedShopData("hmac-shop");
  });

  it.each(routes)("%s: a wrong HMAC gets 401 and changes nothing", async (_name, action, path, topic) => {
    const before = await counts("hmac-shop", "hmac-shop.myshopify.com");
    const payload = { ...orderPayload({ id: 9001 }), shop_domain: "hmac-shop.myshopify.com", customer: { id: 1 } };
    const response = await thrownResponse(() => deliver(action, webhook({ topic, path, shop: "hmac-shop.myshopify.com", payload, secret: "someone-elses-secret" })));
    expect(response.status).toBe(401);
    await h.settle();
    expect(await counts("hmac-shop", "hmac-shop.myshopify.com")).toEqual(before);
    expect(h.edge.calls.filter((c) => c.method === "catalogEvent" || c.method === "bulkOperationFinished")).toEqual([]);
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
    expect(await counts("leaving", shop)).toEqual({ sessions: 0, settings: 0, catalog: 0, products: 0, selections: 0, profiles: 0, syncRuns: 0, deliveries: 1, orders: 0 });
    expect(h.edge.callsOf("forgetStore")).toContainEqual(["leaving"]);
    // The same delivery again, and a new delivery of the same event: both answered 200, nothing breaks.
    expect((await deliver(uninstalled, request())).status).toBe(200);
    expect((await deliver(uninstalled, webhook({ topic: "app/uninstalled", path: "/webhooks/app/uninstalled", shop, payload: {} }))).status).toBe(200);
    expect(await counts("leaving", shop)).toMatchObject({ sessions: 0, settings: 0, catalog: 0 });
    // Another shop is untouched.
    expect(await counts("staying", "staying.myshopify.com")).toMatchObject({ sessions: 1, settings: 1, catalog: 1, products: 1, selections: 1, profiles: 2 });
  });
});

describe("products/*", () => {
  const events = (store: string) => h.edge.callsOf("catalogEvent").filter(([s]) => s === store);

  it("hands the verified payload to the store's catalog sync in one call, with the header's event id and time", async () => {
    const shop = await installShop(h, "products-shop");
    const payload = { id: 632910392, title: "IPod Nano - 8GB", updated_at: "2026-12-01T08:00:00-05:00", variants: [{ id: 808950810, price: "199.00" }] };
    const response = await deliver(products, webhook({ topic: "products/update", path: "/webhooks/products", shop, payload, id: "wh-a", eventId: "ev-update-1", triggeredAt: "2026-12-01T13:00:00.5Z" }));
    expect(response.status).toBe(200);
    expect(events("products-shop")).toEqual([["products-shop", { eventId: "ev-update-1", topic: "products/update", triggeredAt: "2026-12-01T13:00:00.5Z", payload }]]);
    // Nothing else: no resync of the catalog, no background work left behind.
    expect(h.edge.callsOf("startCatalogSync")).toEqual([]);
    expect(h.edge.callsOf("refreshSnapshot")).toEqual([]);
    await h.settle();
    expect(await prisma.catalogSyncRun.count({ where: { store: "products-shop" } })).toBe(0);
  });

  it("create, update and delete each reach the edge under their topic; a redelivery is acknowledged as a duplicate", async () => {
    const shop = await installShop(h, "products-topics");
    for (const topic of ["products/create", "products/update", "products/delete"] as const) {
      const deliverOnce = (id: string) => deliver(products, webhook({ topic, path: "/webhooks/products", shop, payload: { id: 7 }, id, eventId: `ev-${topic}` }));
      expect((await deliverOnce(`first-${topic}`)).status).toBe(200);
      // Shopify retries with the same event id (the webhook id may differ): 200 again, applied once.
      expect((await deliverOnce(`retry-${topic}`)).status).toBe(200);
    }
    expect(events("products-topics").map(([, e]) => (e as { topic: string; eventId: string }).topic)).toEqual([
      "products/create",
      "products/create",
      "products/update",
      "products/update",
      "products/delete",
      "products/delete",
    ]);
    expect(h.edge.events.get("products-topics")?.map((e) => e.eventId)).toEqual(["ev-products/create", "ev-products/update", "ev-products/delete"]);
  });

  it("without the event id or time headers: the webhook id and the time of receipt stand in", async () => {
    const shop = await installShop(h, "products-headers");
    const before = Date.now();
    await deliver(products, webhook({ topic: "products/delete", path: "/webhooks/products", shop, payload: { id: 9 }, id: "wh-no-event", eventId: null, triggeredAt: null }));
    await deliver(products, webhook({ topic: "products/delete", path: "/webhooks/products", shop, payload: { id: 10 }, id: "wh-bad-time", triggeredAt: "yesterday" }));
    const [first, second] = events("products-headers").map(([, e]) => e as { eventId: string; triggeredAt: string });
    expect(first?.eventId).toBe("wh-no-event");
    expect(Date.parse(first!.triggeredAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(second!.triggeredAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  it("refuses a payload without a product id (400) and hands nothing on", async () => {
    const shop = await installShop(h, "products-bad");
    const response = await thrownResponse(() => deliver(products, webhook({ topic: "products/update", path: "/webhooks/products", shop, payload: { title: "no id" } })));
    expect(response.status).toBe(400);
    expect(events("products-bad")).toEqual([]);
  });

  it("answers 500 when the edge does not take the event, so Shopify delivers it again", async () => {
    const shop = await installShop(h, "products-edge-down");
    h.edge.failing = "service binding EDGE: connection refused";
    try {
      await expect(deliver(products, webhook({ topic: "products/update", path: "/webhooks/products", shop, payload: { id: 1 } }))).rejects.toThrow("connection refused");
    } finally {
      h.edge.failing = null;
    }
  });

  it("does nothing for a shop without an offline session (not installed)", async () => {
    const response = await deliver(products, webhook({ topic: "products/create", path: "/webhooks/products", shop: "gone.myshopify.com", payload: { id: 1 } }));
    expect(response.status).toBe(200);
    expect(events("gone")).toEqual([]);
  });
});

describe("bulk_operations/finish", () => {
  it("tells the store's catalog sync that its bulk operation ended, once per delivery", async () => {
    const shop = await installShop(h, "bulk-shop");
    const payload = { admin_graphql_api_id: "gid://shopify/BulkOperation/147595010", completed_at: "2026-12-01T08:10:00-05:00", created_at: "2026-12-01T08:00:00-05:00", error_code: null, status: "completed", type: "query" };
    const request = () => webhook({ topic: "bulk_operations/finish", path: "/webhooks/bulk_operations/finish", shop, payload, id: "bulk-1" });
    expect((await deliver(bulkFinish, request())).status).toBe(200);
    expect((await deliver(bulkFinish, request())).status).toBe(200);
    expect(h.edge.callsOf("bulkOperationFinished")).toEqual([["bulk-shop", { bulkOperationId: "gid://shopify/BulkOperation/147595010", status: "completed" }]]);
  });

  it("refuses a payload without the operation id (400)", async () => {
    const shop = await installShop(h, "bulk-bad");
    const response = await thrownResponse(() => deliver(bulkFinish, webhook({ topic: "bulk_operations/finish", path: "/webhooks/bulk_operations/finish", shop, payload: { status: "completed" } })));
    expect(response.status).toBe(400);
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
    expect(await counts("redact-shop", shop)).toEqual({ sessions: 0, settings: 0, catalog: 0, products: 0, selections: 0, profiles: 0, syncRuns: 0, deliveries: 0, orders: 0 });
    expect(h.edge.callsOf("forgetStore")).toContainEqual(["redact-shop"]);
  });
});

describe("orders/create", () => {
  const path = "/webhooks/orders/create";
  const orderHook = (shop: string, payload: unknown, o: { id?: string; eventId?: string } = {}) =>
    webhook({ topic: "orders/create", path, shop, payload, ...o });
  const rows = (shop: string) => prisma.experimentOrder.findMany({ where: { shop }, orderBy: { orderId: "asc" } });

  it("stores the order's arm, persona, shopper hash, subtotal, currency and time, and nothing about the customer", async () => {
    const shop = await installShop(h, "orders-shop");
    const payload = orderPayload({ attributes: [{ name: "gift_note", value: "Happy birthday" }, ...wandAttributes("orders-shop", "customer-115310627314723950")] });
    expect((await deliver(ordersCreate, orderHook(shop, payload))).status).toBe(200);
    const [row, ...more] = await rows(shop);
    expect(more).toEqual([]);
    expect(row).toEqual({
      shop,
      orderId: "820982911946154500",
      arm: "holdout",
      persona: "dealhunter",
      shopper: shopperHash("orders-shop", "customer-115310627314723950"),
      subtotal: "199.00",
      currency: "EUR",
      orderedAt: new Date("2026-12-01T13:15:47.000Z"),
      receivedAt: expect.any(Date),
    });
    // No column holds any of the customer's data (the raw row, as D1 has it).
    const raw = JSON.stringify(await d1.db.prepare("SELECT * FROM ExperimentOrder WHERE shop = ?").bind(shop).all());
    for (const pii of ["jon@example.com", "Jon", "Doe", "Street", "+1555", "115310627314723950", "Happy birthday"]) expect(raw).not.toContain(pii);
  });

  it("stores an order without WandStore attributes (or with broken ones) as not in the experiment", async () => {
    const shop = await installShop(h, "orders-plain");
    await deliver(ordersCreate, orderHook(shop, orderPayload({ id: 1001, attributes: null })));
    await deliver(ordersCreate, orderHook(shop, orderPayload({ id: 1002, attributes: [{ name: "_wand_arm", value: "wand" }, { name: "_wand_persona", value: "explorer" }, { name: "_wand_shopper", value: "customer-7" }] })));
    expect((await rows(shop)).map((r) => [r.orderId, r.arm, r.persona, r.shopper, r.subtotal])).toEqual([
      ["1001", null, null, null, "199.00"],
      ["1002", null, null, null, "199.00"],
    ]);
  });

  it("a redelivery (same event id, new webhook id) and a new event for a stored order change nothing", async () => {
    const shop = await installShop(h, "orders-redeliver");
    const first = orderPayload({ id: 2001, attributes: wandAttributes("orders-redeliver", "s1", "wand", "explorer") });
    expect((await deliver(ordersCreate, orderHook(shop, first, { id: "wh-o1", eventId: "ev-o1" }))).status).toBe(200);
    expect((await deliver(ordersCreate, orderHook(shop, first, { id: "wh-o1-retry", eventId: "ev-o1" }))).status).toBe(200);
    expect((await deliver(ordersCreate, orderHook(shop, first, { id: "wh-o1", eventId: "ev-o1" }))).status).toBe(200);
    // Another event about the same order, with other figures: the first record stands.
    const changed = orderPayload({ id: 2001, subtotal: "5.00", attributes: wandAttributes("orders-redeliver", "s2", "holdout", "minimalist") });
    expect((await deliver(ordersCreate, orderHook(shop, changed, { eventId: "ev-o1-other" }))).status).toBe(200);
    expect((await rows(shop)).map((r) => [r.orderId, r.arm, r.persona, r.shopper, r.subtotal])).toEqual([["2001", "wand", "explorer", shopperHash("orders-redeliver", "s1"), "199.00"]]);
    // The event log holds one entry per event, not per delivery.
    expect(await prisma.webhookDelivery.count({ where: { shop } })).toBe(2);
  });

  it("two events for one order delivered at the same moment store it once, both answered 200", async () => {
    const shop = await installShop(h, "orders-race");
    const payload = orderPayload({ id: 2101, attributes: wandAttributes("orders-race", "s1", "wand", "explorer") });
    const responses = await Promise.all(["ev-race-a", "ev-race-b", "ev-race-c"].map((eventId) => deliver(ordersCreate, orderHook(shop, payload, { eventId }))));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await rows(shop)).map((r) => r.orderId)).toEqual(["2101"]);
  });

  it("skips test orders (200, nothing stored)", async () => {
    const shop = await installShop(h, "orders-test");
    const response = await deliver(ordersCreate, orderHook(shop, orderPayload({ id: 3001, test: true, attributes: wandAttributes("orders-test", "s1") })));
    expect(response.status).toBe(200);
    expect(await rows(shop)).toEqual([]);
  });

  it("refuses a malformed order with 400 and the reason, stores nothing and logs no delivery", async () => {
    const shop = await installShop(h, "orders-bad");
    const cases: [unknown, RegExp][] = [
      [{ ...orderPayload({ id: 4001 }), current_subtotal_price: "lots" }, /current_subtotal_price/],
      [{ ...orderPayload({ id: 4002 }), created_at: "yesterday" }, /created_at/],
      [{ ...orderPayload({ id: 4003 }), currency: "euro" }, /currency/],
      [{ ...orderPayload(), id: "not-a-number", admin_graphql_api_id: undefined }, /numeric order id/],
      [{ note_attributes: [] }, /id/],
    ];
    for (const [payload, reason] of cases) {
      const response = await thrownResponse(() => deliver(ordersCreate, orderHook(shop, payload)));
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(reason);
    }
    expect(await rows(shop)).toEqual([]);
    expect(await prisma.webhookDelivery.count({ where: { shop } })).toBe(0);
  });

  it("keeps order ids exact past 2^53 (from admin_graphql_api_id)", async () => {
    const shop = await installShop(h, "orders-bigid");
    const body = JSON.stringify(orderPayload({ id: 1 })).replace('"id":1,', '"id":9007199254740993123,').replace("gid://shopify/Order/1", "gid://shopify/Order/9007199254740993123");
    const request = new Request(`${APP_URL}${path}`, {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json", "X-Shopify-Hmac-Sha256": getHmac(body, API_SECRET_KEY), "X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": shop, "X-Shopify-API-Version": "2026-10", "X-Shopify-Webhook-Id": "wh-big", "X-Shopify-Event-Id": "ev-big" },
    });
    expect((await deliver(ordersCreate, request)).status).toBe(200);
    expect((await rows(shop)).map((r) => r.orderId)).toEqual(["9007199254740993123"]);
  });
});

describe("experiment data in the compliance webhooks", () => {
  async function seedOrders(store: string, shop: string) {
    await prisma.experimentOrder.deleteMany({ where: { shop } });
    await prisma.experimentOrder.createMany({
      data: [
        // Named in orders_to_redact.
        { shop, orderId: "11", arm: null, persona: null, shopper: null, subtotal: "1.00", currency: "EUR", orderedAt: new Date("2026-12-01T00:00:00Z") },
        // Carrying the signed-in customer's shopper hash, not named.
        { shop, orderId: "12", arm: "wand", persona: "loyalist", shopper: shopperHash(store, "customer-2"), subtotal: "2.00", currency: "EUR", orderedAt: new Date("2026-12-01T00:00:00Z") },
        // Another customer's.
        { shop, orderId: "13", arm: "wand", persona: "loyalist", shopper: shopperHash(store, "customer-3"), subtotal: "3.00", currency: "EUR", orderedAt: new Date("2026-12-01T00:00:00Z") },
      ],
    });
  }

  it("customers/redact deletes the customer's orders (named, and by their shopper hash) and their exposures at the edge", async () => {
    const shop = await seedShopData("redact-orders");
    await seedShopData("redact-orders-other");
    await seedOrders("redact-orders", shop);
    await seedOrders("redact-orders-other", "redact-orders-other.myshopify.com");
    const payload = { shop_id: 1, shop_domain: shop, customer: { id: 2, email: "b@example.com" }, orders_to_redact: [11, 9999] };
    for (let i = 0; i < 2; i++) {
      expect((await deliver(customersRedact, webhook({ topic: "customers/redact", path: "/webhooks/customers/redact", shop, payload }))).status).toBe(200);
    }
    expect((await prisma.experimentOrder.findMany({ where: { shop } })).map((r) => r.orderId)).toEqual(["13"]);
    expect(await prisma.experimentOrder.count({ where: { shop: "redact-orders-other.myshopify.com" } })).toBe(3);
    // The edge forgets the shopper's pages, profile and exposures (as "customer-2": edge-api.ts).
    expect(h.edge.callsOf("forgetShopper")).toContainEqual(["redact-orders", "2"]);
  });

  it("shop/redact deletes every order of the shop and its pixel record, and forgets the store at the edge", async () => {
    const shop = await seedShopData("redact-shop-orders");
    await seedOrders("redact-shop-orders", shop);
    await seedOrders("redact-orders-kept", "redact-orders-kept.myshopify.com");
    await prisma.webPixelActivation.create({ data: { shop, pixelId: "gid://shopify/WebPixel/1", settings: "{}", state: "active" } });
    expect((await deliver(shopRedact, webhook({ topic: "shop/redact", path: "/webhooks/shop/redact", shop, payload: { shop_id: 1, shop_domain: shop } }))).status).toBe(200);
    expect(await counts("redact-shop-orders", shop)).toMatchObject({ orders: 0, sessions: 0, settings: 0 });
    expect(await prisma.webPixelActivation.count({ where: { shop } })).toBe(0);
    expect(await prisma.experimentOrder.count({ where: { shop: "redact-orders-kept.myshopify.com" } })).toBe(3);
    expect(h.edge.callsOf("forgetStore")).toContainEqual(["redact-shop-orders"]);
  });
});
