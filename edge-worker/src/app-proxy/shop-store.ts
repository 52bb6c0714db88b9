import { isStoreId } from "../../../core/cache-key.ts";
import { edgeConfig } from "../config.ts";
import { loadSettings } from "../store-data.ts";

/**
 * The store id of a verified shop domain, or null when the shop has not installed WandStore.
 *
 * Store ids are the shops' myshopify subdomains, so the fast path reads that store's settings
 * snapshot (isolate memory → KV) and confirms its shopDomain: no D1 query on a hot page. A shop whose
 * row says otherwise is looked up by `shopDomain` in D1 (its unique index), remembered as briefly as
 * the settings snapshots, unknown shops included, so a flood of them is not a flood of queries.
 */

interface Entry {
  store: Promise<string | null>;
  expires: number;
}
const byDomain = new Map<string, Entry>();
const MEMO_LIMIT = 1000;

export async function storeForShop(env: Env, ctx: ExecutionContext, shop: string): Promise<string | null> {
  const candidate = shop.replace(/\.myshopify\.com$/, "");
  if (isStoreId(candidate)) {
    const settings = await loadSettings(env, candidate, ctx);
    if (settings && settings.shopDomain === shop) return candidate;
  }
  const now = Date.now();
  const hit = byDomain.get(shop);
  if (hit && hit.expires > now) return hit.store;
  const store = env.DB.prepare("SELECT store FROM ShopSettings WHERE shopDomain = ? AND installed = 1")
    .bind(shop)
    .first<{ store: string }>()
    .then((row) => (row ? row.store : null));
  const ttl = edgeConfig(env).snapshotTtlMs;
  if (ttl > 0) {
    if (byDomain.size >= MEMO_LIMIT) byDomain.delete(byDomain.keys().next().value as string);
    byDomain.set(shop, { store, expires: now + ttl });
    store.catch(() => byDomain.delete(shop));
  }
  return store;
}
