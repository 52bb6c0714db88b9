import { cacheKey, cacheVariant } from "../core/cache-key.ts";
import { DEMO_STORES } from "../core/demo-stores.ts";
import { PROMPT_VERSION } from "../core/prompt-version.ts";
import { selectionKey, type PageMeta } from "../core/storage-keys.ts";
import type { CacheScope, CatalogProduct, Persona, PersonaSelection, ShopSettings } from "../core/types.ts";
import { loadDemoStore } from "../scripts/demo/load-catalogs.ts";
import { seedStore } from "../scripts/seed.ts";
import type { Control } from "./edge-runtime.ts";

/**
 * The edge benches' stores on the production-runtime harness, written the way `npm start` writes
 * the demo stores (scripts/seed.ts: the ShopSettings row, D1 Product rows through the edge's own
 * product-rows module, the Catalog summary, the KV settings snapshot), then refreshed through the
 * edge's EdgeApi.refreshSnapshot (the admin's call after a settings or catalog change), which
 * computes and stores each persona's selection (edge-worker/src/catalog/selection-store.ts).
 */
export interface BenchStore {
  settings: ShopSettings;
  products: CatalogProduct[];
}

/** demo-apparel's catalog under another store id and cache scope (and other settings, e.g. a holdout). */
export function benchStore(store: string, scope: CacheScope, settings: Partial<ShopSettings> = {}): BenchStore {
  const demo = loadDemoStore(DEMO_STORES[0]!);
  return {
    settings: { ...demo.settings, store, shopName: `Bench ${store}`, shopDomain: `${store}.myshopify.com`, scope, ...settings },
    products: demo.products,
  };
}

/**
 * An installed shop with no products yet, as the admin leaves it at install: its settings (seedStore)
 * and the offline session the edge's CatalogSync reads its Admin API token from (D1 Session).
 */
export async function seedInstalledShop(control: Control, settings: ShopSettings, session: { token: string; scope: string }): Promise<void> {
  await seedStore(control.seedBindings(), settings, []);
  await control
    .rowsDb()
    .prepare("INSERT OR REPLACE INTO Session (id, shop, state, isOnline, accessToken, scope) VALUES (?, ?, ?, 0, ?, ?)")
    .bind(`offline_${settings.shopDomain}`, settings.shopDomain, "bench", session.token, session.scope)
    .run();
}

export async function seedBenchStores(control: Control, stores: readonly BenchStore[]): Promise<void> {
  const bindings = control.seedBindings();
  for (const { settings, products } of stores) {
    await seedStore(bindings, settings, products);
    await control.rpc("refreshSnapshot", settings.store);
  }
}

/** The persona's selection as the edge stored it (KV snapshot `selection/<store>/<persona>`). */
export async function storedSelection(control: Control, store: string, persona: Persona): Promise<PersonaSelection> {
  const { value } = await control.kvGet(selectionKey(store, persona));
  if (value === null) throw new Error(`the edge stored no ${persona} selection for ${store}`);
  return JSON.parse(value) as PersonaSelection;
}

/**
 * Copies of one cached page under `count` shopper-scoped keys of the persona's current variant (the
 * metadata is the edge's own, with each copy's key): KV hits for more shoppers than the isolate's
 * memory LRU holds.
 */
export async function writeShopperPages(control: Control, o: { store: BenchStore; persona: Persona; page: string; meta: PageMeta; shopperPrefix: string; count: number }): Promise<void> {
  const selection = await storedSelection(control, o.store.settings.store, o.persona);
  const variant = cacheVariant({ merchVersion: selection.merchVersion, settingsVersion: o.store.settings.settingsVersion, promptVersion: PROMPT_VERSION });
  const batch: { key: string; value: string; metadata: PageMeta }[] = [];
  for (let i = 0; i < o.count; i++) {
    const key = cacheKey({ store: o.store.settings.store, persona: o.persona, scope: "shopper", shopper: `${o.shopperPrefix}${i}`, variant });
    batch.push({ key, value: o.page, metadata: { ...o.meta, key, variant } });
    if (batch.length === 100 || i === o.count - 1) await control.kvPut(batch.splice(0));
  }
}
