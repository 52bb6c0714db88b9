import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_STORES } from "../core/demo-stores.ts";
import { defaultSettings, settingsToRow } from "../core/settings.ts";
import { prismaFor } from "./db.server";
import { loader as dashboardLoader } from "./routes/app._index";
import { loader as layoutLoader } from "./routes/app";
import { loader as indexLoader } from "./routes/_index";
import { createTestD1, type TestD1 } from "./test/d1";
import { createHarness, thrownResponse } from "./test/harness";

let d1: TestD1;

beforeAll(async () => {
  d1 = await createTestD1();
  const prisma = prismaFor(d1.db);
  for (const demo of DEMO_STORES.slice(0, 2)) {
    await prisma.shopSettings.create({ data: settingsToRow(defaultSettings({ store: demo.store, shopName: demo.shopName, shopDomain: demo.shopDomain })) });
  }
});
afterAll(async () => {
  await d1?.dispose();
});

const browserGet = (url: string) => new Request(url, { headers: { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36" } });

describe("local mode", () => {
  it("is off by default: without WAND_LOCAL_ADMIN the admin asks Shopify to authenticate", async () => {
    const h = createHarness(d1);
    // A document request without Shopify's parameters goes to the login page…
    const document = await thrownResponse(() => layoutLoader({ request: browserGet("http://127.0.0.1:8788/app"), context: h.context, params: {} }));
    expect(document.status).toBe(302);
    expect(document.headers.get("Location")).toMatch(/\/auth\/login/);
    // …a fetch with a session token that is not Shopify's is refused…
    const fetchRequest = new Request("http://127.0.0.1:8788/app", { headers: { Authorization: "Bearer not-a-session-token" } });
    expect((await thrownResponse(() => dashboardLoader({ request: fetchRequest, context: h.context, params: {} }))).status).toBe(401);
    // …and the app's root sends a visitor to the login form, not to a demo shop.
    const root = await thrownResponse(() => indexLoader({ request: browserGet("http://127.0.0.1:8788/"), context: h.context, params: {} }));
    expect(root.headers.get("Location")).toBe("/auth/login");
  });

  it("is off for any value but \"1\"", async () => {
    for (const value of ["0", "true", "yes", ""]) {
      const h = createHarness(d1, { WAND_LOCAL_ADMIN: value });
      const response = await thrownResponse(() => layoutLoader({ request: browserGet("http://127.0.0.1:8788/app"), context: h.context, params: {} }));
      expect(response.status).toBe(302);
    }
  });

  it("when on, opens the first seeded demo shop on a loopback host without any Shopify configuration", async () => {
    const h = createHarness(d1, { WAND_LOCAL_ADMIN: "1", SHOPIFY_API_KEY: "", SHOPIFY_API_SECRET: undefined });
    const data = await layoutLoader({ request: browserGet("http://127.0.0.1:8788/app"), context: h.context, params: {} });
    expect(data).toMatchObject({ mode: "local", shopDomain: "demo-apparel.myshopify.com" });
    expect(data.shops.map((s) => s.shopDomain)).toEqual(["demo-apparel.myshopify.com", "demo-home.myshopify.com"]);
    const other = await layoutLoader({ request: browserGet("http://localhost:8788/app?shop=demo-home.myshopify.com"), context: h.context, params: {} });
    expect(other.shopDomain).toBe("demo-home.myshopify.com");
  });

  it("when on, serves only demo shops: another shop named in the URL is ignored", async () => {
    const prisma = prismaFor(d1.db);
    await prisma.shopSettings.create({ data: settingsToRow(defaultSettings({ store: "real-shop", shopName: "Real", shopDomain: "real-shop.myshopify.com" })) });
    const h = createHarness(d1, { WAND_LOCAL_ADMIN: "1" });
    const data = await layoutLoader({ request: browserGet("http://127.0.0.1:8788/app?shop=real-shop.myshopify.com"), context: h.context, params: {} });
    expect(data.shopDomain).toBe("demo-apparel.myshopify.com");
  });

  it("refuses, even when switched on, any request that is not addressed to a loopback host", async () => {
    const h = createHarness(d1, { WAND_LOCAL_ADMIN: "1" });
    for (const url of ["https://wandstore-admin.example.workers.dev/app", "http://10.0.0.5:8788/app", "http://127.0.0.1.nip.io/app"]) {
      const response = await thrownResponse(() => layoutLoader({ request: browserGet(url), context: h.context, params: {} }));
      expect(response.status).toBe(403);
    }
  });
});
