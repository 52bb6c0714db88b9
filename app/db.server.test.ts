import type { PrismaClient } from "@prisma/client";
import { setUpValidSession } from "@shopify/shopify-api/test-helpers";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSettings, parseSettingsRow, settingsToRow } from "../core/settings.ts";
import { prismaFor } from "./db.server";
import { createTestD1, type TestD1 } from "./test/d1";

// Every Prisma model against D1 migrated by prisma/migrations/*.sql: the schema and the SQL agree.
let d1: TestD1;
let prisma: PrismaClient;

beforeAll(async () => {
  d1 = await createTestD1();
  prisma = prismaFor(d1.db);
});
afterAll(async () => {
  await d1?.dispose();
});

describe("Prisma on the migrated D1", () => {
  it("applies every migration in order", () => {
    expect(d1.migrations).toEqual(["0001_init.sql", "0002_admin.sql"]);
  });

  it("Session: the official session storage stores, finds, loads and deletes offline and online sessions", async () => {
    const storage = new PrismaSessionStorage(prisma, { connectionRetries: 1, connectionRetryIntervalMs: 0 });
    expect(await storage.isReady()).toBe(true);
    const offline = setUpValidSession({ shop: "models-shop.myshopify.com", expires: undefined });
    const online = setUpValidSession({ shop: "models-shop.myshopify.com", expires: new Date(Date.now() + 3_600_000), isOnline: true });
    await storage.storeSession(offline);
    await storage.storeSession(online);
    const loaded = await storage.loadSession(offline.id);
    expect(loaded?.shop).toBe("models-shop.myshopify.com");
    expect(loaded?.accessToken).toBe(offline.accessToken);
    expect(loaded?.isOnline).toBe(false);
    const loadedOnline = await storage.loadSession(online.id);
    expect(loadedOnline?.onlineAccessInfo?.associated_user.id).toBe(12345);
    expect(loadedOnline?.expires?.getTime()).toBe(online.expires?.getTime());
    expect((await storage.findSessionsByShop("models-shop.myshopify.com")).map((s) => s.id).sort()).toEqual([offline.id, online.id].sort());
    await storage.deleteSessions([offline.id, online.id]);
    expect(await storage.loadSession(offline.id)).toBeUndefined();
  });

  it("ShopSettings: the SQL defaults are valid settings, and a saved row reads back as the same settings", async () => {
    await d1.db
      .prepare("INSERT INTO ShopSettings (store, shopDomain, shopName) VALUES (?, ?, ?)")
      .bind("sql-defaults", "sql-defaults.myshopify.com", "SQL Defaults")
      .run();
    const fromSql = await prisma.shopSettings.findUniqueOrThrow({ where: { store: "sql-defaults" } });
    expect(parseSettingsRow(fromSql)).toEqual(defaultSettings({ store: "sql-defaults", shopName: "SQL Defaults", shopDomain: "sql-defaults.myshopify.com" }));
    expect(fromSql.updatedAt).toBeInstanceOf(Date);
    expect(fromSql.installed).toBe(true);

    const settings = { ...defaultSettings({ store: "models", shopName: "Models", shopDomain: "models.myshopify.com" }), holdoutPercent: 15 };
    await prisma.shopSettings.create({ data: settingsToRow(settings) });
    const updated = await prisma.shopSettings.update({ where: { store: "models" }, data: { settingsVersion: { increment: 1 } } });
    expect(parseSettingsRow(updated)).toEqual({ ...settings, settingsVersion: 2 });
    expect((await prisma.shopSettings.findUnique({ where: { shopDomain: "models.myshopify.com" } }))?.store).toBe("models");
    await prisma.shopSettings.delete({ where: { store: "models" } });
    expect(await prisma.shopSettings.count({ where: { store: "models" } })).toBe(0);
  });

  it("Catalog: upsert and read, with the timestamp the edge reads by SQL", async () => {
    const products = JSON.stringify([{ handle: "a" }]);
    await prisma.catalog.upsert({
      where: { store: "models" },
      create: { store: "models", version: "v1", products, productCount: 1 },
      update: {},
    });
    await prisma.catalog.upsert({
      where: { store: "models" },
      create: { store: "models", version: "never", products, productCount: 1 },
      update: { version: "v2", syncState: "ok", syncedAt: new Date("2026-11-01T10:00:00Z") },
    });
    const row = await prisma.catalog.findUniqueOrThrow({ where: { store: "models" } });
    expect(row).toMatchObject({ version: "v2", productCount: 1, syncState: "ok" });
    expect(row.syncedAt.toISOString()).toBe("2026-11-01T10:00:00.000Z");
    // The edge reads the same row with raw SQL.
    const raw = await d1.db.prepare("SELECT version, products, productCount FROM Catalog WHERE store = ?").bind("models").first();
    expect(raw).toEqual({ version: "v2", products, productCount: 1 });
  });

  it("CustomerProfile: composite key, defaults, delete", async () => {
    await prisma.customerProfile.create({ data: { store: "models", customerId: "42", ordersCount: 3, totalSpent: 120.5, tags: JSON.stringify(["vip"]) } });
    await d1.db.prepare("INSERT INTO CustomerProfile (store, customerId) VALUES ('models', '43')").run();
    const p = await prisma.customerProfile.findUniqueOrThrow({ where: { store_customerId: { store: "models", customerId: "42" } } });
    expect(p).toMatchObject({ ordersCount: 3, totalSpent: 120.5, tags: '["vip"]' });
    const fromSql = await prisma.customerProfile.findUniqueOrThrow({ where: { store_customerId: { store: "models", customerId: "43" } } });
    expect(fromSql).toMatchObject({ ordersCount: 0, totalSpent: 0, tags: "[]" });
    expect(fromSql.fetchedAt).toBeInstanceOf(Date);
    expect((await prisma.customerProfile.deleteMany({ where: { store: "models" } })).count).toBe(2);
  });

  it("CatalogSyncRun: autoincrement ids, newest first by id", async () => {
    const a = await prisma.catalogSyncRun.create({ data: { store: "models", trigger: "install", state: "running" } });
    const b = await prisma.catalogSyncRun.create({ data: { store: "models", trigger: "manual", state: "running" } });
    expect(b.id).toBeGreaterThan(a.id);
    await prisma.catalogSyncRun.update({ where: { id: b.id }, data: { state: "ok", finishedAt: new Date(), productCount: 7, pages: 2, throttledMs: 30 } });
    const last = await prisma.catalogSyncRun.findFirstOrThrow({ where: { store: "models" }, orderBy: { id: "desc" } });
    expect(last).toMatchObject({ trigger: "manual", state: "ok", productCount: 7, pages: 2, throttledMs: 30, error: null });
    expect(last.finishedAt).toBeInstanceOf(Date);
  });

  it("WebhookDelivery: one row per webhook id", async () => {
    await prisma.webhookDelivery.create({ data: { id: "wh-1", shop: "models.myshopify.com", topic: "PRODUCTS_UPDATE" } });
    await expect(prisma.webhookDelivery.create({ data: { id: "wh-1", shop: "models.myshopify.com", topic: "PRODUCTS_UPDATE" } })).rejects.toThrow();
    await prisma.webhookDelivery.upsert({ where: { id: "wh-1" }, create: { id: "wh-1", shop: "x", topic: "y" }, update: {} });
    expect(await prisma.webhookDelivery.count({ where: { shop: "models.myshopify.com" } })).toBe(1);
  });
});
