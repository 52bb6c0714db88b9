import { z } from "zod";
import { parseSettings, parseSettingsRow } from "../../core/settings.ts";
import { catalogKey, catalogObjectKey, settingsKey } from "../../core/storage-keys.ts";
import type { CatalogSnapshot, Product, ShopSettings } from "../../core/types.ts";
import { edgeConfig } from "./config.ts";

/**
 * A store's settings and catalog as the edge and the pool read them: KV snapshot first
 * (`settings/<store>`, `catalog/<store>`), D1 as the source of truth when the snapshot is missing
 * (then the snapshot is written back). Each isolate also keeps what it read for SNAPSHOT_TTL_SECONDS,
 * so a hot page costs no KV read per request; an unknown store is remembered as unknown just as
 * briefly, so a flood of requests for it does not become a flood of D1 queries.
 */

interface Entry<T> {
  value: T;
  expires: number;
}

const settingsMemo = new Map<string, Entry<ShopSettings | null>>();
const catalogMemo = new Map<string, Entry<CatalogSnapshot>>();
// Bounds the memo against a scan of many store names.
const MEMO_LIMIT = 1000;

/**
 * Only settled values are shared between requests, never a promise in flight: workerd refuses I/O
 * objects (a KV read's stream) used on behalf of another request, so concurrent first requests each
 * read for themselves.
 */
async function memo<T>(map: Map<string, Entry<T>>, store: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
  const hit = map.get(store);
  if (hit && hit.expires > Date.now()) return hit.value;
  const value = await load();
  if (ttlMs > 0) {
    if (map.size >= MEMO_LIMIT && !map.has(store)) map.delete(map.keys().next().value as string);
    map.set(store, { value, expires: Date.now() + ttlMs });
  }
  return value;
}

/** Forgets this isolate's copies of a store's snapshots (after a refresh or a purge). */
export function forgetSnapshots(store: string): void {
  settingsMemo.delete(store);
  catalogMemo.delete(store);
}

type Waiter = Pick<ExecutionContext, "waitUntil"> | null;

/** Settings of an installed store, or null when the store is unknown or uninstalled. */
export function loadSettings(env: Env, store: string, waiter: Waiter): Promise<ShopSettings | null> {
  return memo(settingsMemo, store, edgeConfig(env).snapshotTtlMs, async () => {
    const snapshot = await env.CACHE.get(settingsKey(store), "json");
    if (snapshot !== null) {
      try {
        return parseSettings(snapshot);
      } catch (error) {
        // A bad snapshot is ignored in favour of D1 (and rewritten below).
        console.warn(`settings snapshot of ${store} is invalid, reading D1`, error);
      }
    }
    const settings = await readSettingsFromD1(env, store);
    if (settings) later(waiter, env.CACHE.put(settingsKey(store), JSON.stringify(settings)));
    return settings;
  });
}

/** The catalog snapshot; a store without a synced catalog gets an empty one (the template still renders). */
export function loadCatalog(env: Env, store: string, waiter: Waiter): Promise<CatalogSnapshot> {
  return memo(catalogMemo, store, edgeConfig(env).snapshotTtlMs, async () => {
    const snapshot = await env.CACHE.get(catalogKey(store), "json");
    const parsed = CatalogSchema.safeParse(snapshot);
    if (parsed.success && parsed.data.store === store) return parsed.data as CatalogSnapshot;
    const catalog = await readCatalogFromD1(env, store);
    if (catalog) {
      later(waiter, env.CACHE.put(catalogKey(store), JSON.stringify(catalog)));
      return catalog;
    }
    return { store, version: "none", products: [] };
  });
}

export async function readSettingsFromD1(env: Env, store: string): Promise<ShopSettings | null> {
  const row = await env.DB.prepare("SELECT * FROM ShopSettings WHERE store = ?").bind(store).first<Record<string, unknown>>();
  if (!row || !row.installed) return null;
  return parseSettingsRow(row);
}

export async function readCatalogFromD1(env: Env, store: string): Promise<CatalogSnapshot | null> {
  const row = await env.DB.prepare("SELECT store, version, products FROM Catalog WHERE store = ?")
    .bind(store)
    .first<{ store: string; version: string; products: string }>();
  if (!row) return null;
  const parsed = CatalogSchema.safeParse({ store: row.store, version: row.version, products: JSON.parse(row.products) as unknown });
  if (!parsed.success) throw new Error(`Catalog row of ${store} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data as CatalogSnapshot;
}

/**
 * Rewrites the KV snapshots (and the R2 catalog backup) from D1; an uninstalled or unknown store
 * loses its settings snapshot so the edge answers 404 for it.
 */
export async function refreshSnapshots(env: Env, store: string): Promise<{ settings: ShopSettings | null; catalog: CatalogSnapshot | null }> {
  const [settings, catalog] = await Promise.all([readSettingsFromD1(env, store), readCatalogFromD1(env, store)]);
  const writes: Promise<unknown>[] = [];
  if (settings) writes.push(env.CACHE.put(settingsKey(store), JSON.stringify(settings)));
  else writes.push(env.CACHE.delete(settingsKey(store)));
  if (catalog) {
    const text = JSON.stringify(catalog);
    writes.push(env.CACHE.put(catalogKey(store), text), env.PAGES.put(catalogObjectKey(store), text));
  }
  await Promise.all(writes);
  forgetSnapshots(store);
  return { settings, catalog };
}

function later(waiter: Waiter, work: Promise<unknown>): void {
  const guarded = work.catch((error: unknown) => console.warn("snapshot backfill failed", error));
  if (waiter) waiter.waitUntil(guarded);
}

// The facts the edge and the generator need from each product; written by our own importers,
// checked here so a corrupt row fails at the boundary rather than mid-render.
const ProductSchema: z.ZodType<Product> = z.object({
  id: z.string(),
  handle: z.string(),
  title: z.string(),
  description: z.string(),
  vendor: z.string(),
  productType: z.string(),
  tags: z.array(z.string()),
  price: z.string(),
  compareAtPrice: z.string().nullable(),
  currency: z.string(),
  image: z.object({ url: z.string(), alt: z.string() }).nullable(),
  available: z.boolean(),
  firstVariantId: z.string(),
});

const CatalogSchema = z.object({ store: z.string(), version: z.string(), products: z.array(ProductSchema) });
