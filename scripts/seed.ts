import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseSettingsRow, settingsToRow } from "../core/settings.ts";
import { catalogKey, catalogObjectKey, settingsKey } from "../core/storage-keys.ts";
import type { CatalogSnapshot, ShopSettings } from "../core/types.ts";
import { loadDemoCatalogs } from "./demo/load-catalogs.ts";
import { storageOnlyConfig } from "./cache/storage-config.ts";
import { runToEnd } from "./process-group.ts";

/**
 * Seeds the local wrangler state that `npm start` (and the admin, and the cache CLI) share:
 * 1. `wrangler d1 migrations apply DB --local` (numbered SQL migrations, idempotent);
 * 2. per demo store: the ShopSettings row (inserted once — a merchant's later edits in the admin
 *    survive a restart), the Catalog row (rewritten when the sample CSV changed), and the snapshots
 *    the edge reads: KV `settings/<store>` and `catalog/<store>`, R2 `catalog/<store>.json`.
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
interface Bindings {
  DB: {
    prepare(sql: string): { bind(...values: unknown[]): { run(): Promise<unknown>; first<T>(): Promise<T | null> } };
  };
  CACHE: { put(key: string, value: string): Promise<void> };
  PAGES: { put(key: string, value: string, o?: { httpMetadata?: { contentType: string } }): Promise<unknown> };
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

/** Writes one store into D1 and its snapshots into KV and R2; returns the settings now in D1. */
export async function seedStore(env: Bindings, settings: ShopSettings, catalog: CatalogSnapshot): Promise<ShopSettings> {
  const row = settingsToRow(settings);
  await env.DB.prepare(
    `INSERT INTO ShopSettings (store, shopName, shopDomain, installed, enabledPersonas, defaultPersona, brandVoice, colours, scope, holdoutPercent, settingsVersion)
     VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (store) DO NOTHING`,
  )
    .bind(row.store, row.shopName, row.shopDomain, row.enabledPersonas, row.defaultPersona, row.brandVoice, row.colours, row.scope, row.holdoutPercent, row.settingsVersion)
    .run();
  await env.DB.prepare(
    `INSERT INTO Catalog (store, version, products, productCount) VALUES (?, ?, ?, ?)
     ON CONFLICT (store) DO UPDATE SET version = excluded.version, products = excluded.products,
       productCount = excluded.productCount, syncedAt = CURRENT_TIMESTAMP, syncState = 'ok'
     WHERE Catalog.version <> excluded.version`,
  )
    .bind(catalog.store, catalog.version, JSON.stringify(catalog.products), catalog.products.length)
    .run();

  // Snapshots from what D1 now holds (the merchant's settings if they changed them).
  const stored = await env.DB.prepare("SELECT * FROM ShopSettings WHERE store = ?").bind(settings.store).first<Record<string, unknown>>();
  const current = stored ? parseSettingsRow(stored) : settings;
  const installed = Boolean(stored?.installed ?? true);
  const catalogText = JSON.stringify(catalog);
  if (installed) await env.CACHE.put(settingsKey(current.store), JSON.stringify(current));
  await env.CACHE.put(catalogKey(catalog.store), catalogText);
  await env.PAGES.put(catalogObjectKey(catalog.store), catalogText, { httpMetadata: { contentType: "application/json" } });
  return current;
}

export async function seedDemoStores(persistDir = DEFAULT_PERSIST_DIR, log: (line: string) => void = console.log): Promise<ShopSettings[]> {
  await applyMigrations(persistDir);
  process.env.WRANGLER_LOG ??= "error";
  const { getPlatformProxy } = await import("wrangler");
  // Storage bindings only: the full edge config would make workerd warn about DO classes it cannot see.
  const config = await storageOnlyConfig(EDGE_CONFIG);
  try {
    const proxy = await getPlatformProxy<Bindings>({ configPath: config.path, persist: { path: join(persistDir, "v3") }, remoteBindings: false });
    try {
      const seeded: ShopSettings[] = [];
      for (const demo of loadDemoCatalogs()) {
        const settings = await seedStore(proxy.env, demo.settings, demo.catalog);
        log(`seeded ${demo.demo.store}: ${demo.catalog.products.length} products, catalog ${demo.catalog.version}, settings v${settings.settingsVersion}`);
        seeded.push(settings);
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
