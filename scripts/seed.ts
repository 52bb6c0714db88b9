import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseSettingsRow, settingsToRow } from "../core/settings.ts";
import { demoMarketFacts, demoTranslations } from "../core/demo-markets.ts";
import type { DemoMarkets } from "../core/demo-stores.ts";
import { marketFactsKey, marketsKey, selectionPrefix, settingsKey, translationsKey } from "../core/storage-keys.ts";
import type { CatalogProduct, ShopSettings } from "../core/types.ts";
import { countProducts, type RowsDb, upsertProducts } from "../edge-worker/src/catalog/product-rows.ts";
import { loadDemoCatalogs } from "./demo/load-catalogs.ts";
import { storageOnlyConfig } from "./cache/storage-config.ts";
import { runToEnd } from "./process-group.ts";

/**
 * Seeds the local wrangler state that `npm start` (and the admin, and the cache CLI) share:
 * 1. `wrangler d1 migrations apply DB --local` (numbered SQL migrations, idempotent);
 * 2. per demo store: the ShopSettings row (inserted once — a merchant's later edits in the admin
 *    survive a restart), the catalog as D1 `Product` rows (written in batches by the edge's own
 *    product-rows module; products the CSV no longer has are removed), the `Catalog` summary row
 *    (product count, sync state ok), and the KV settings snapshot the edge reads;
 * 3. the persona selections of each store are dropped (KV `selection/<store>/*` and the D1
 *    `PersonaSelection` rows), so the edge computes them afresh from the rows on its first request.
 *    A selection is a deterministic function of the catalog, so an unchanged catalog gets the same
 *    selection back (same merchandising version: cached pages stay current);
 * 4. a demo store with markets (Demo Apparel: US/USD/English and France/EUR/French) gets them as
 *    the catalog sync would have read them from Shopify: D1 `ShopMarkets` and its KV snapshot
 *    (source "seed": the sync leaves them as seeded), the French prices of every product (fixed
 *    price-list prices for some, converted ones for the rest) and the French translations.
 * There is no catalog snapshot in KV or R2 any more: nothing loads a whole catalog.
 * Data goes in through wrangler's getPlatformProxy on the same persist directory (parameters are
 * bound, so no SQL is assembled from catalog text).
 *
 *   tsx scripts/seed.ts [--persist-to .wrangler/state]
 */
export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const EDGE_CONFIG = resolve(REPO_ROOT, "edge-worker/wrangler.jsonc");
export const DEFAULT_PERSIST_DIR = resolve(REPO_ROOT, ".wrangler/state");

const wranglerBin = resolve(REPO_ROOT, "node_modules/.bin/wrangler");

// The few binding methods used, typed structurally (scripts run on Node, without workerd types).
export interface SeedBindings {
  DB: RowsDb;
  CACHE: {
    put(key: string, value: string): Promise<void>;
    delete(key: string): Promise<void>;
    list(o: { prefix: string; cursor?: string }): Promise<{ keys: { name: string }[]; list_complete: boolean; cursor?: string }>;
  };
}

export function quietWranglerEnv(): NodeJS.ProcessEnv {
  return { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CHECKPOINT_DISABLE: "1" };
}

function run(command: string, args: string[]): Promise<void> {
  return runToEnd(command, args, { cwd: REPO_ROOT, env: quietWranglerEnv(), log: [], failure: (code, output) => `${command} ${args.join(" ")} exited with ${code}:\n${output.slice(-3000)}` });
}

export async function applyMigrations(persistDir: string): Promise<void> {
  await run(wranglerBin, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir, "-c", EDGE_CONFIG]);
}

export interface SeededStore {
  settings: ShopSettings;
  /** Live product rows of the store after seeding. */
  productCount: number;
  /** Rows of products the catalog no longer has, deleted. */
  removed: number;
}

/** Rows a D1 statement changed (its result's meta.changes). */
function changesOf(result: unknown): number {
  const meta = typeof result === "object" && result !== null ? (result as { meta?: unknown }).meta : undefined;
  const changes = typeof meta === "object" && meta !== null ? (meta as { changes?: unknown }).changes : undefined;
  return typeof changes === "number" ? changes : 0;
}

/** Deletes every KV key under a prefix (a few per store: one selection per persona). */
async function deletePrefix(cache: SeedBindings["CACHE"], prefix: string): Promise<void> {
  let cursor: string | undefined;
  for (;;) {
    const page = await cache.list(cursor ? { prefix, cursor } : { prefix });
    for (const key of page.keys) await cache.delete(key.name);
    if (page.list_complete || !page.cursor) return;
    cursor = page.cursor;
  }
}

/** Writes one store into D1 (settings once, product rows, summary) and its settings snapshot into KV. */
export async function seedStore(env: SeedBindings, settings: ShopSettings, products: readonly CatalogProduct[]): Promise<SeededStore> {
  const { store } = settings;
  const row = settingsToRow(settings);
  await env.DB.prepare(
    `INSERT INTO ShopSettings (store, shopName, shopDomain, installed, enabledPersonas, defaultPersona, brandVoice, colours, scope, holdoutPercent, settingsVersion)
     VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (store) DO NOTHING`,
  )
    .bind(row.store, row.shopName, row.shopDomain, row.enabledPersonas, row.defaultPersona, row.brandVoice, row.colours, row.scope, row.holdoutPercent, row.settingsVersion)
    .run();

  await upsertProducts(env.DB, store, products);
  // The catalog is the CSV: rows of products it no longer has (and tombstones) go. One JSON parameter
  // carries every id, so the statement stays small whatever the catalog's size.
  const deleted = await env.DB.prepare("DELETE FROM Product WHERE store = ? AND productId NOT IN (SELECT value FROM json_each(?))")
    .bind(store, JSON.stringify(products.map((p) => p.id)))
    .run();
  const removed = changesOf(deleted);
  const productCount = await countProducts(env.DB, store);
  // syncedAt as an ISO string, as the edge's catalog sync writes it (and Prisma reads it).
  await env.DB.prepare(
    `INSERT INTO Catalog (store, productCount, syncedAt, syncState) VALUES (?, ?, ?, 'ok')
     ON CONFLICT (store) DO UPDATE SET productCount = excluded.productCount, syncedAt = excluded.syncedAt, syncState = 'ok'`,
  )
    .bind(store, productCount, new Date().toISOString())
    .run();

  // Selections are recomputed by the edge from the rows (see the header).
  await env.DB.prepare("DELETE FROM PersonaSelection WHERE store = ?").bind(store).run();
  await deletePrefix(env.CACHE, selectionPrefix(store));

  // The settings snapshot from what D1 now holds (the merchant's settings if they changed them).
  const stored = await env.DB.prepare("SELECT * FROM ShopSettings WHERE store = ?").bind(store).first<Record<string, unknown>>();
  const current = stored ? parseSettingsRow(stored) : settings;
  const installed = Boolean(stored?.installed ?? true);
  if (installed) await env.CACHE.put(settingsKey(current.store), JSON.stringify(current));
  return { settings: current, productCount, removed };
}

/** A demo store's markets, market prices and translations (step 4 of the header). */
export async function seedMarkets(env: SeedBindings, store: string, demo: DemoMarkets, products: readonly CatalogProduct[], now = Date.now()): Promise<void> {
  const stored = { markets: demo.markets, source: "seed", syncedAt: now };
  await env.DB.prepare(
    `INSERT INTO ShopMarkets (store, markets, source, syncedAt) VALUES (?, ?, 'seed', ?)
     ON CONFLICT (store) DO UPDATE SET markets = excluded.markets, source = excluded.source, syncedAt = excluded.syncedAt`,
  )
    .bind(store, JSON.stringify(demo.markets), now)
    .run();
  await env.CACHE.put(marketsKey(store), JSON.stringify(stored));
  for (const facts of demoMarketFacts(store, demo, products, now)) await env.CACHE.put(marketFactsKey(store, facts.country), JSON.stringify(facts));
  for (const t of demoTranslations(store, demo, now)) await env.CACHE.put(translationsKey(store, t.language), JSON.stringify(t));
}

export async function seedDemoStores(persistDir = DEFAULT_PERSIST_DIR, log: (line: string) => void = console.log): Promise<ShopSettings[]> {
  await applyMigrations(persistDir);
  process.env.WRANGLER_LOG ??= "error";
  const { getPlatformProxy } = await import("wrangler");
  // Storage bindings only: the full edge config would make workerd warn about DO classes it cannot see.
  const config = await storageOnlyConfig(EDGE_CONFIG);
  try {
    const proxy = await getPlatformProxy<SeedBindings>({ configPath: config.path, persist: { path: join(persistDir, "v3") }, remoteBindings: false });
    try {
      const seeded: ShopSettings[] = [];
      for (const demo of loadDemoCatalogs()) {
        const started = performance.now();
        const result = await seedStore(proxy.env, demo.settings, demo.products);
        const markets = demo.demo.markets;
        if (markets) await seedMarkets(proxy.env, demo.demo.store, markets, demo.products);
        const ms = Math.round(performance.now() - started);
        const removed = result.removed > 0 ? `, ${result.removed} removed` : "";
        const marketsNote = markets ? `, markets ${markets.markets.markets.map((m) => `${m.countries.join("/")} ${m.currency}`).join(" + ")}` : "";
        log(`seeded ${demo.demo.store}: ${result.productCount} products${removed}${marketsNote}, settings v${result.settings.settingsVersion} (${ms} ms)`);
        seeded.push(result.settings);
      }
      return seeded;
    } finally {
      await proxy.dispose();
    }
  } finally {
    config.remove();
  }
}

function persistArg(argv: string[]): string {
  const i = argv.indexOf("--persist-to");
  if (i === -1) return DEFAULT_PERSIST_DIR;
  const value = argv[i + 1];
  if (!value) throw new Error("--persist-to needs a directory");
  return resolve(value);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  seedDemoStores(persistArg(process.argv.slice(2))).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
