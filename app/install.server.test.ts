import { setUpValidSession } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSettingsRow } from "../core/settings.ts";
import { prismaFor } from "./db.server";
import { onInstalled } from "./install.server";
import { createTestD1, type TestD1 } from "./test/d1";
import { FakeAdminApi } from "./test/fake-admin-api";
import { createHarness } from "./test/harness";

let d1: TestD1;
let api: FakeAdminApi;

beforeAll(async () => {
  d1 = await createTestD1();
  api = await new FakeAdminApi({ shopName: "Acme Outfitters" }).start();
});
afterAll(async () => {
  await api?.stop();
  await d1?.dispose();
});

describe("after install (Shopify's afterAuth hook)", () => {
  it("creates the shop's default settings with its name and starts the edge's durable catalog sync", async () => {
    const h = createHarness(d1, { SHOPIFY_ADMIN_API_ORIGIN: api.origin });
    const session = setUpValidSession({ shop: "acme.myshopify.com", expires: undefined });
    await onInstalled(h.env, session, "2026-10");
    const prisma = prismaFor(d1.db);
    const settings = parseSettingsRow(await prisma.shopSettings.findUniqueOrThrow({ where: { store: "acme" } }));
    expect(settings).toMatchObject({ store: "acme", shopName: "Acme Outfitters", shopDomain: "acme.myshopify.com", settingsVersion: 1 });
    expect(h.edge.callsOf("startCatalogSync")).toEqual([["acme", "acme.myshopify.com", "install"]]);
    // The admin reads only the shop's name; the products are the edge's to fetch.
    expect(api.requests.map((r) => r.operation)).toEqual(["WandShop"]);
    expect((await h.edge.catalogSyncState("acme")).state).toBe("running");
  });

  it("keeps a reinstalled shop's settings (and marks it installed again)", async () => {
    const h = createHarness(d1, { SHOPIFY_ADMIN_API_ORIGIN: api.origin });
    const prisma = prismaFor(d1.db);
    await prisma.shopSettings.update({ where: { store: "acme" }, data: { brandVoice: "Ours", installed: false, settingsVersion: 7 } });
    await onInstalled(h.env, setUpValidSession({ shop: "acme.myshopify.com", expires: undefined }), "2026-10");
    const row = await prisma.shopSettings.findUniqueOrThrow({ where: { store: "acme" } });
    expect(row).toMatchObject({ brandVoice: "Ours", installed: true, settingsVersion: 7 });
    expect(h.edge.callsOf("startCatalogSync")).toEqual([["acme", "acme.myshopify.com", "install"]]);
  });

  it("completes the install when the edge does not answer (the dashboard then offers the sync)", async () => {
    const h = createHarness(d1, { SHOPIFY_ADMIN_API_ORIGIN: api.origin });
    h.edge.failing = "service binding EDGE: connection refused";
    await expect(onInstalled(h.env, setUpValidSession({ shop: "edge-down.myshopify.com", expires: undefined }), "2026-10")).resolves.toBeUndefined();
    expect(await prismaFor(d1.db).shopSettings.count({ where: { store: "edge-down", installed: true } })).toBe(1);
  });
});
