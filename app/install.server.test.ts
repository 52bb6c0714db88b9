import { setUpValidSession } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSettingsRow } from "../core/settings.ts";
import { withBackground } from "./background.server";
import { prismaFor } from "./db.server";
import { onInstalled } from "./install.server";
import { createTestD1, type TestD1 } from "./test/d1";
import { FakeAdminApi, productNode } from "./test/fake-admin-api";
import { createHarness } from "./test/harness";

let d1: TestD1;
let api: FakeAdminApi;

beforeAll(async () => {
  d1 = await createTestD1();
  api = await new FakeAdminApi({ products: [1, 2].map((i) => productNode(i)), shopName: "Acme Outfitters" }).start();
});
afterAll(async () => {
  await api?.stop();
  await d1?.dispose();
});

describe("after install (Shopify's afterAuth hook)", () => {
  it("creates the shop's default settings with its name and syncs the catalog in the background", async () => {
    const h = createHarness(d1, { SHOPIFY_ADMIN_API_ORIGIN: api.origin });
    const session = setUpValidSession({ shop: "acme.myshopify.com", expires: undefined });
    await withBackground(h.context.cloudflare.ctx, () => onInstalled(h.env, session, "2026-10"));
    const prisma = prismaFor(d1.db);
    const settings = parseSettingsRow(await prisma.shopSettings.findUniqueOrThrow({ where: { store: "acme" } }));
    expect(settings).toMatchObject({ store: "acme", shopName: "Acme Outfitters", shopDomain: "acme.myshopify.com", settingsVersion: 1 });
    await h.settle();
    expect((await prisma.catalog.findUniqueOrThrow({ where: { store: "acme" } })).productCount).toBe(2);
    expect(await prisma.catalogSyncRun.findFirst({ where: { store: "acme", trigger: "install", state: "ok" } })).not.toBeNull();
    expect(h.edge.callsOf("refreshSnapshot")).toContainEqual(["acme"]);
  });

  it("keeps a reinstalled shop's settings (and marks it installed again)", async () => {
    const h = createHarness(d1, { SHOPIFY_ADMIN_API_ORIGIN: api.origin });
    const prisma = prismaFor(d1.db);
    await prisma.shopSettings.update({ where: { store: "acme" }, data: { brandVoice: "Ours", installed: false, settingsVersion: 7 } });
    await withBackground(h.context.cloudflare.ctx, () => onInstalled(h.env, setUpValidSession({ shop: "acme.myshopify.com", expires: undefined }), "2026-10"));
    await h.settle();
    const row = await prisma.shopSettings.findUniqueOrThrow({ where: { store: "acme" } });
    expect(row).toMatchObject({ brandVoice: "Ours", installed: true, settingsVersion: 7 });
  });
});
