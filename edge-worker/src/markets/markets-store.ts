import { z } from "zod";
import { MARKETS_TTL_MS } from "../../../core/markets-query.ts";
import { parseShopMarkets, shopMarketsSchema, singleMarketShop, type ShopMarkets } from "../../../core/locale.ts";
import { marketsKey } from "../../../core/storage-keys.ts";
import { DEFAULT_JOB_LANGUAGE } from "../../../core/types.ts";
import { edgeConfig } from "../config.ts";
import { SnapshotMemo } from "../store-data.ts";
import { ValidatedSnapshots, jsonOrNull } from "../validated-snapshots.ts";
import { askMarketsRefresh } from "./markets-refresh.ts";

/**
 * Where a shop's markets live: D1 `ShopMarkets` (the truth, written by the catalog sync's markets
 * step or the demo seed) and its KV snapshot `markets/<store>` (what the edge reads, like the
 * settings snapshot). A shop never synced has one market: its primary country, the currency of its
 * products, English — exactly what every page showed before markets, so nothing changes for it.
 */
type Waiter = Pick<ExecutionContext, "waitUntil"> | null;
type MarketsEnv = Pick<Env, "DB" | "CACHE">;

export type MarketsSource = "shopify" | "seed";

export interface StoredShopMarkets {
  markets: ShopMarkets;
  /** "default": nothing synced or seeded yet — the shop's primary market only (KV only, never D1). */
  source: MarketsSource | "default";
  /** Epoch ms of the read (0 for the never-synced default). */
  syncedAt: number;
}

const snapshotSchema = z.object({ markets: shopMarketsSchema, source: z.enum(["shopify", "seed", "default"]), syncedAt: z.number().int().min(0) });

/** KV lifetime of a never-synced shop's default snapshot (then D1 is read again, once). */
const DEFAULT_SNAPSHOT_TTL_SECONDS = 3600;

/** The primary market of a shop whose markets were never synced. */
export const DEFAULT_PRIMARY = { country: "US", language: DEFAULT_JOB_LANGUAGE } as const;

/** Writes a shop's markets to D1 and its KV snapshot (validated first: bad data is never stored). */
export async function writeShopMarkets(env: MarketsEnv, store: string, markets: ShopMarkets, source: MarketsSource, syncedAt: number): Promise<StoredShopMarkets> {
  const stored: StoredShopMarkets = { markets: parseShopMarkets(markets), source, syncedAt };
  await env.DB.prepare(
    `INSERT INTO ShopMarkets (store, markets, source, syncedAt) VALUES (?, ?, ?, ?)
     ON CONFLICT (store) DO UPDATE SET markets = excluded.markets, source = excluded.source, syncedAt = excluded.syncedAt`,
  )
    .bind(store, JSON.stringify(stored.markets), source, syncedAt)
    .run();
  await env.CACHE.put(marketsKey(store), JSON.stringify(stored));
  forgetMarketsMemo(store);
  return stored;
}

/**
 * The shop's stored markets: the KV snapshot, else D1, else the default — and the snapshot is
 * written back either way, so the next read is one KV get (a request never reads D1 for markets
 * twice, even for a shop that has none).
 */
export async function readShopMarkets(env: MarketsEnv, store: string, waiter: Waiter = null): Promise<StoredShopMarkets> {
  const raw = await env.CACHE.get(marketsKey(store), "text");
  if (raw !== null) {
    const valid = validated.parse(store, raw, (text) => {
      const parsed = snapshotSchema.safeParse(jsonOrNull(text));
      return parsed.success ? parsed.data : null;
    });
    if (valid) return valid;
    console.warn(`markets snapshot of ${store} is invalid, reading D1`);
  }
  const row = await env.DB.prepare("SELECT markets, source, syncedAt FROM ShopMarkets WHERE store = ?").bind(store).first<{ markets: string; source: string; syncedAt: number }>();
  let stored: StoredShopMarkets | null = null;
  if (row) {
    try {
      stored = snapshotSchema.parse({ markets: JSON.parse(row.markets) as unknown, source: row.source, syncedAt: Number(row.syncedAt) });
    } catch (error) {
      console.warn(`ShopMarkets row of ${store} is invalid; serving the shop's primary market only`, error);
    }
  }
  stored ??= { markets: await defaultShopMarkets(env, store), source: "default", syncedAt: 0 };
  // A default expires: should it land after a sync's own snapshot (a race at install), it is gone within the hour.
  const options = stored.source === "default" ? { expirationTtl: DEFAULT_SNAPSHOT_TTL_SECONDS } : {};
  const put = env.CACHE.put(marketsKey(store), JSON.stringify(stored), options).catch((error: unknown) => console.warn(`markets snapshot of ${store} not stored`, error));
  if (waiter) waiter.waitUntil(put);
  else await put;
  return stored;
}

/** One market: the shop's currency as its products carry it (every product of a shop has the same). */
async function defaultShopMarkets(env: MarketsEnv, store: string): Promise<ShopMarkets> {
  const row = await env.DB.prepare("SELECT currency FROM Product WHERE store = ? AND deleted = 0 AND currency <> '' LIMIT 1").bind(store).first<{ currency: string }>();
  const currency = row && /^[A-Z]{3}$/.test(row.currency) ? row.currency : "USD";
  return singleMarketShop({ ...DEFAULT_PRIMARY, currency });
}

// ~2 KB per shop with a few markets; one per store.
const memo = new SnapshotMemo<StoredShopMarkets>(1000);
// The snapshots' bytes and what they parsed to: an unchanged refresh keeps the object.
const validated = new ValidatedSnapshots<StoredShopMarkets>(1000);

export function forgetMarketsMemo(store: string): void {
  memo.delete(store);
  validated.delete(store);
}

/**
 * The shop's markets for a request: this isolate's copy (SNAPSHOT_TTL_SECONDS, refreshed ahead like
 * the settings: store-data.ts SnapshotMemo), else the stored ones. A copy read from Shopify longer than MARKETS_TTL_MS ago is served while the store's
 * CatalogSync object reads them again (asked in waitUntil, never awaited by the request).
 */
export async function loadShopMarkets(env: Env, store: string, waiter: Waiter): Promise<ShopMarkets> {
  return checked(env, store, await memo.get(store, edgeConfig(env).snapshotTtlMs, waiter, () => readShopMarkets(env, store, waiter)), waiter);
}

/** loadShopMarkets without a promise: this isolate's fresh copy, or null (then loadShopMarkets). */
export function peekShopMarkets(env: Env, store: string, waiter: Waiter): ShopMarkets | null {
  const hit = memo.peek(store, edgeConfig(env).snapshotTtlMs);
  return hit ? checked(env, store, hit, waiter) : null;
}

function checked(env: Env, store: string, stored: StoredShopMarkets, waiter: Waiter): ShopMarkets {
  if (stored.source === "shopify" && stored.syncedAt > 0 && Date.now() - stored.syncedAt > MARKETS_TTL_MS) askMarketsRefresh(env, store, ["markets"], waiter);
  return stored.markets;
}
