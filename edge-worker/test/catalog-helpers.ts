import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { candidatesFromProducts, selectForPersona } from "../../core/selection.ts";
import { productFromNode } from "../../core/shopify-product.ts";
import type { CatalogSyncState } from "../../core/edge-api.ts";
import { PERSONAS, type CatalogProduct, type Persona, type PersonaSelection } from "../../core/types.ts";
import { readSelection } from "../src/catalog/selection-store.ts";
import { SyncStateStore } from "../src/catalog/sync-state.ts";
import { fakeAdminShop, type FakeShopConfig } from "./fake-admin-control.ts";
import { fakeProductNode } from "./fake-catalog.ts";
import { eventually } from "./helpers.ts";

/**
 * Workerd-side helpers of the catalog sync tests: a shop with an offline session in D1 and its
 * catalog configured on the fake Admin API (keyed by the session's token), the store's CatalogSync
 * stub, and what the sync should have produced, computed from the same synthetic catalog.
 */

export interface TestShop {
  store: string;
  shopDomain: string;
  token: string;
  admin: ReturnType<typeof fakeAdminShop>;
  sync: DurableObjectStub<import("../src/catalog/catalog-sync.ts").CatalogSync>;
}

export async function testShop(store: string, config: Omit<FakeShopConfig, "token">): Promise<TestShop> {
  const shopDomain = `${store}.myshopify.com`;
  const token = `shpat_${store}`;
  await env.DB.prepare("INSERT OR REPLACE INTO Session (id, shop, state, isOnline, accessToken) VALUES (?, ?, '', 0, ?)")
    .bind(`offline_${shopDomain}`, shopDomain, token)
    .run();
  const origin = env.SHOPIFY_ADMIN_API_ORIGIN;
  if (!origin) throw new Error("SHOPIFY_ADMIN_API_ORIGIN is not bound (vitest.config.ts)");
  const admin = fakeAdminShop(origin, token);
  await admin.configure(config);
  return { store, shopDomain, token, admin, sync: env.CATALOG_SYNC.getByName(store) };
}

/** Waits until the running full sync has ended (ok or error). */
export async function syncEnded(shop: TestShop, intervalMs = 50): Promise<CatalogSyncState> {
  return eventually(async () => {
    const s = await shop.sync.state();
    return s.state !== "running" && s;
  }, intervalMs);
}

/**
 * Drives a running sync to its end without waiting out its polls and retry backoffs: each round
 * makes the next slice due now and runs the object's alarm.
 */
export async function hurryToEnd(shop: TestShop): Promise<CatalogSyncState> {
  return eventually(async () => {
    const s = await shop.sync.state();
    if (s.state !== "running") return s;
    await runInDurableObject(shop.sync, (_instance, state) => {
      const sync = new SyncStateStore(state.storage.sql);
      if ((sync.read().nextAt ?? 0) > Date.now()) sync.update({ nextAt: Date.now() });
    });
    await runDurableObjectAlarm(shop.sync);
    return false;
  });
}

/** The products the sync should store for the first `n` products of a seed. */
export function expectedProducts(seed: string, n: number, currency = "EUR"): CatalogProduct[] {
  return Array.from({ length: n }, (_, i) => {
    const outcome = productFromNode(fakeProductNode(seed, i), currency);
    if (!outcome.ok) throw new Error(outcome.reason);
    return outcome.product;
  });
}

/** Each persona's stored selection against core's selection over the expected catalog. */
export async function selectionsVersusExpected(store: string, products: readonly CatalogProduct[]) {
  const candidates = candidatesFromProducts(products);
  type Compared = { groups: PersonaSelection["groups"]; merchVersion: string };
  const out: { persona: Persona; stored: Compared; expected: Compared }[] = [];
  for (const persona of PERSONAS) {
    const stored = await readSelection(env, store, persona);
    const expected = selectForPersona({ store, persona, candidates, now: 0 });
    out.push({ persona, stored: { groups: stored.groups, merchVersion: stored.merchVersion }, expected: { groups: expected.groups, merchVersion: expected.merchVersion } });
  }
  return out;
}

export async function d1Counts(store: string): Promise<{ rows: number; distinctIds: number; live: number }> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS rows, COUNT(DISTINCT productId) AS ids, SUM(deleted = 0) AS live FROM Product WHERE store = ?")
    .bind(store)
    .first<{ rows: number; ids: number; live: number | null }>();
  return { rows: Number(row?.rows ?? 0), distinctIds: Number(row?.ids ?? 0), live: Number(row?.live ?? 0) };
}

export async function latestRun(store: string) {
  return env.DB.prepare("SELECT * FROM CatalogSyncRun WHERE store = ? ORDER BY id DESC LIMIT 1").bind(store).first<Record<string, unknown>>();
}

export async function catalogRow(store: string) {
  return env.DB.prepare("SELECT productCount, syncState, syncedAt FROM Catalog WHERE store = ?").bind(store).first<{ productCount: number; syncState: string; syncedAt: string }>();
}
