import type { PrismaClient } from "@prisma/client";
import { setUpValidSession } from "@shopify/shopify-api/test-helpers";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSettings, parseSettingsRow, settingsToRow } from "../core/settings.ts";
import { prismaFor } from "./db.server";
import { applyMigrations, createTestD1, type TestD1 } from "./test/d1";

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
    expect(d1.migrations).toEqual(["0001_init.sql", "0002_admin.sql", "0003_product_rows.sql", "0004_setup_guide.sql", "0005_orders.sql", "0006_markets.sql"]);
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
    // The setup guide is shown until dismissed; the dismissal reads back as the instant it was made.
    expect(fromSql.setupGuideDismissedAt).toBeNull();
    const dismissedAt = new Date("2026-12-01T09:00:00.000Z");
    const dismissed = await prisma.shopSettings.update({ where: { store: "sql-defaults" }, data: { setupGuideDismissedAt: dismissedAt } });
    expect(dismissed.setupGuideDismissedAt).toEqual(dismissedAt);
    expect(parseSettingsRow(dismissed)).toEqual(parseSettingsRow(fromSql));

    const settings = { ...defaultSettings({ store: "models", shopName: "Models", shopDomain: "models.myshopify.com" }), holdoutPercent: 15 };
    await prisma.shopSettings.create({ data: settingsToRow(settings) });
    const updated = await prisma.shopSettings.update({ where: { store: "models" }, data: { settingsVersion: { increment: 1 } } });
    expect(parseSettingsRow(updated)).toEqual({ ...settings, settingsVersion: 2 });
    expect((await prisma.shopSettings.findUnique({ where: { shopDomain: "models.myshopify.com" } }))?.store).toBe("models");
    await prisma.shopSettings.delete({ where: { store: "models" } });
    expect(await prisma.shopSettings.count({ where: { store: "models" } })).toBe(0);
  });

  it("Catalog: the per-store summary (no products in it), upsert and read, with the timestamp the edge reads by SQL", async () => {
    await prisma.catalog.upsert({ where: { store: "models" }, create: { store: "models", productCount: 1 }, update: {} });
    await prisma.catalog.upsert({
      where: { store: "models" },
      create: { store: "models", productCount: 1 },
      update: { productCount: 2, syncState: "ok", syncedAt: new Date("2026-11-01T10:00:00Z") },
    });
    const row = await prisma.catalog.findUniqueOrThrow({ where: { store: "models" } });
    expect(row).toMatchObject({ productCount: 2, syncState: "ok" });
    expect(row.syncedAt.toISOString()).toBe("2026-11-01T10:00:00.000Z");
    const raw = await d1.db.prepare("SELECT * FROM Catalog WHERE store = ?").bind("models").first();
    expect(Object.keys(raw ?? {}).sort()).toEqual(["productCount", "store", "syncState", "syncedAt"]);
    // The edge's catalog sync and the seed write the summary by SQL, the time as an ISO string.
    await d1.db.prepare("INSERT INTO Catalog (store, productCount, syncedAt, syncState) VALUES ('by-sql', 3, ?, 'syncing')").bind("2026-11-02T09:30:00.000Z").run();
    const bySql = await prisma.catalog.findUniqueOrThrow({ where: { store: "by-sql" } });
    expect(bySql.syncedAt.toISOString()).toBe("2026-11-02T09:30:00.000Z");
    expect(bySql).toMatchObject({ productCount: 3, syncState: "syncing" });
  });

  it("Product: composite key, SQL defaults, epoch-ms BigInts, and the rows the edge writes by SQL read back", async () => {
    const listedAt = 1_764_000_000_000n;
    await prisma.product.create({
      data: {
        store: "models",
        productId: "gid://shopify/Product/1",
        handle: "linen-shirt",
        title: "Linen shirt",
        category: "Shirts",
        price: "40.00",
        compareAtPrice: "50.00",
        currency: "EUR",
        available: 1,
        variantId: "501",
        priceCents: 4000,
        savingsPercent: 20,
        savingsCents: 1000,
        listedAt,
        updatedAt: listedAt + 5n,
      },
    });
    // The edge's raw INSERT leaves the optional columns to their SQL defaults.
    await d1.db
      .prepare("INSERT INTO Product (store, productId, handle, title, category, price, currency, available, variantId, priceCents, listedAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind("models", "straw-hat", "straw-hat", "Straw hat", "Hats", "12.00", "EUR", 0, "502", 1200, 1_764_000_000_001, 1_764_000_000_001)
      .run();
    const shirt = await prisma.product.findUniqueOrThrow({ where: { store_productId: { store: "models", productId: "gid://shopify/Product/1" } } });
    expect(shirt).toMatchObject({ handle: "linen-shirt", compareAtPrice: "50.00", savingsPercent: 20, deleted: 0, syncRun: 0, listedAt, updatedAt: listedAt + 5n });
    const hat = await prisma.product.findUniqueOrThrow({ where: { store_productId: { store: "models", productId: "straw-hat" } } });
    expect(hat).toMatchObject({ description: "", vendor: "", productType: "", tags: "[]", compareAtPrice: null, imageUrl: null, available: 0, savingsCents: 0, listedAt: 1_764_000_000_001n });
    expect((await prisma.product.findMany({ where: { store: "models", handle: "straw-hat" } })).map((p) => p.productId)).toEqual(["straw-hat"]);
    await expect(prisma.product.create({ data: { ...shirt, title: "again" } })).rejects.toThrow();
    await prisma.product.update({ where: { store_productId: { store: "models", productId: "straw-hat" } }, data: { deleted: 1 } });
    expect(await prisma.product.count({ where: { store: "models", deleted: 0 } })).toBe(1);
    expect((await prisma.product.deleteMany({ where: { store: "models" } })).count).toBe(2);
  });

  it("PersonaSelection: one row per store and persona, JSON columns and the selection time", async () => {
    const groups = JSON.stringify([{ id: "picks", title: "Our picks", handles: ["linen-shirt"] }]);
    await prisma.personaSelection.create({
      data: { store: "models", persona: "minimalist", groups, merchHashes: JSON.stringify({ "linen-shirt": "abc" }), merchVersion: "m1", selectedAt: 1_764_000_000_000n },
    });
    await d1.db
      .prepare("INSERT INTO PersonaSelection (store, persona, groups, merchHashes, merchVersion, selectedAt) VALUES (?, ?, ?, ?, ?, ?)")
      .bind("models", "explorer", "[]", "{}", "m2", 1_764_000_000_001)
      .run();
    const minimalist = await prisma.personaSelection.findUniqueOrThrow({ where: { store_persona: { store: "models", persona: "minimalist" } } });
    expect(JSON.parse(minimalist.groups)).toEqual([{ id: "picks", title: "Our picks", handles: ["linen-shirt"] }]);
    expect(minimalist).toMatchObject({ merchVersion: "m1", reasons: "[]", selectedAt: 1_764_000_000_000n });
    await prisma.personaSelection.upsert({
      where: { store_persona: { store: "models", persona: "explorer" } },
      create: { store: "models", persona: "explorer", groups: "[]", merchHashes: "{}", merchVersion: "never", selectedAt: 0n },
      update: { merchVersion: "m3" },
    });
    expect((await prisma.personaSelection.findMany({ where: { store: "models" }, orderBy: { persona: "asc" } })).map((r) => [r.persona, r.merchVersion])).toEqual([
      ["explorer", "m3"],
      ["minimalist", "m1"],
    ]);
    expect((await prisma.personaSelection.deleteMany({ where: { store: "models" } })).count).toBe(2);
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
    await prisma.catalogSyncRun.update({
      where: { id: b.id },
      data: { state: "ok", finishedAt: new Date(), productCount: 7, pages: 2, throttledMs: 30, mode: "bulk", productsTotal: 7, productsSynced: 7 },
    });
    const last = await prisma.catalogSyncRun.findFirstOrThrow({ where: { store: "models" }, orderBy: { id: "desc" } });
    expect(last).toMatchObject({ trigger: "manual", state: "ok", productCount: 7, pages: 2, throttledMs: 30, error: null, mode: "bulk", productsTotal: 7, productsSynced: 7 });
    expect(a).toMatchObject({ mode: null, productsTotal: null, productsSynced: 0 });
    expect(last.finishedAt).toBeInstanceOf(Date);
  });

  it("WebhookDelivery: one row per webhook id", async () => {
    await prisma.webhookDelivery.create({ data: { id: "wh-1", shop: "models.myshopify.com", topic: "PRODUCTS_UPDATE" } });
    await expect(prisma.webhookDelivery.create({ data: { id: "wh-1", shop: "models.myshopify.com", topic: "PRODUCTS_UPDATE" } })).rejects.toThrow();
    await prisma.webhookDelivery.upsert({ where: { id: "wh-1" }, create: { id: "wh-1", shop: "x", topic: "y" }, update: {} });
    expect(await prisma.webhookDelivery.count({ where: { shop: "models.myshopify.com" } })).toBe(1);
  });
});

describe("migration 0003 on a shop's existing catalog", () => {
  it("moves the products of the old Catalog JSON into rows, in listing order, and keeps the summary", async () => {
    const old = await createTestD1({ before: "0003" });
    try {
      expect(old.migrations).toEqual(["0001_init.sql", "0002_admin.sql"]);
      const product = (handle: string, o: Record<string, unknown>) => ({
        id: `gid://shopify/Product/${handle}`,
        handle,
        title: handle,
        description: "",
        vendor: "Acme",
        productType: "",
        tags: [],
        price: "10.00",
        compareAtPrice: null,
        currency: "EUR",
        image: null,
        available: true,
        firstVariantId: "1",
        ...o,
      });
      const products = [
        product("on-sale", { productType: "shirts", price: "40.00", compareAtPrice: "50.00", image: { url: "https://cdn.shopify.com/a.jpg", alt: "A" } }),
        product("sold-out", { productType: "Hats", available: false, tags: ["summer"] }),
        product("tagged", { tags: ["gifts"] }),
        product("plain", {}),
      ];
      await old.db
        .prepare("INSERT INTO Catalog (store, version, products, productCount) VALUES (?, ?, ?, ?)")
        .bind("migrating", "v1", JSON.stringify(products), products.length)
        .run();
      expect(await applyMigrations(old.db, { after: "0002_admin.sql" })).toEqual(["0003_product_rows.sql", "0004_setup_guide.sql", "0005_orders.sql", "0006_markets.sql"]);

      const rows = await prismaFor(old.db).product.findMany({ where: { store: "migrating" }, orderBy: { listedAt: "asc" } });
      expect(rows.map((r) => [r.handle, r.category, r.priceCents, r.savingsPercent, r.savingsCents, r.available, Number(r.listedAt)])).toEqual([
        ["on-sale", "Shirts", 4000, 20, 1000, 1, 0],
        ["sold-out", "Hats", 1000, 0, 0, 0, 1],
        ["tagged", "Gifts", 1000, 0, 0, 1, 2],
        ["plain", "More to discover", 1000, 0, 0, 1, 3],
      ]);
      expect(rows[0]).toMatchObject({ productId: "gid://shopify/Product/on-sale", imageUrl: "https://cdn.shopify.com/a.jpg", imageAlt: "A", updatedAt: 0n, deleted: 0 });
      expect(JSON.parse(rows[1]!.tags)).toEqual(["summer"]);
      expect(await prismaFor(old.db).catalog.findUniqueOrThrow({ where: { store: "migrating" } })).toMatchObject({ productCount: 4, syncState: "ok" });
    } finally {
      await old.dispose();
    }
  });
});
