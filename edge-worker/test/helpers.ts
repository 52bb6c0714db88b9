import { SELF, env } from "cloudflare:test";
import { defaultSettings, settingsToRow } from "../../core/settings.ts";
import type { CatalogProduct, ShopSettings } from "../../core/types.ts";
import { markDeleted, upsertProducts } from "../src/catalog/product-rows.ts";
import { forgetSelections, refreshSelections } from "../src/catalog/selection-store.ts";
import type { FakeBehaviour, FakeStoreStats } from "./fake-generator-api.ts";

/**
 * Test helpers on the workerd side. Storage is shared between tests, so every test seeds a store
 * of its own (uniqueStore) and tells the fake generator how to behave for that store only.
 */

let counter = 0;
export function uniqueStore(label: string): string {
  counter++;
  return `t-${label}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 7)}`;
}

/** Listing times of the sample products: product i was listed i minutes after this. */
export const LISTED_FROM = 1_700_000_000_000;

export function sampleProducts(store: string, n = 8): CatalogProduct[] {
  const types = ["Shirts", "Shoes", "Hats"];
  return Array.from({ length: n }, (_, i) => ({
    id: `${store}-p${i}`,
    handle: `item-${i}`,
    title: `Item ${i}`,
    description: `A fine item number ${i}.`,
    vendor: "Wand Test",
    productType: types[i % types.length]!,
    tags: i % 2 ? ["sale"] : ["new"],
    price: `${10 + i}.00`,
    compareAtPrice: i % 2 ? `${20 + i}.00` : null,
    currency: "USD",
    image: { url: `https://cdn.example.com/${store}/${i}.jpg`, alt: `Item ${i}` },
    available: true,
    firstVariantId: String(1000 + i),
    listedAt: LISTED_FROM + i * 60_000,
    updatedAt: LISTED_FROM,
  }));
}

/**
 * Inserts an installed store (settings + product rows) into D1, as the admin or the seed script
 * would. Selections are not computed here: the edge computes and stores each persona's on first use.
 */
export async function seedStore(
  store: string,
  o: { settings?: Partial<ShopSettings>; products?: CatalogProduct[]; installed?: boolean } = {},
): Promise<ShopSettings> {
  const settings: ShopSettings = { ...defaultSettings({ store, shopName: `Shop ${store}`, shopDomain: `${store}.myshopify.com` }), ...o.settings };
  const row = settingsToRow(settings);
  await env.DB.prepare(
    `INSERT OR REPLACE INTO ShopSettings (store, shopDomain, shopName, installed, enabledPersonas, defaultPersona, brandVoice, colours, scope, holdoutPercent, settingsVersion)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(row.store, row.shopDomain, row.shopName, o.installed === false ? 0 : 1, row.enabledPersonas, row.defaultPersona, row.brandVoice, row.colours, row.scope, row.holdoutPercent, row.settingsVersion)
    .run();
  const products = o.products ?? sampleProducts(store);
  await upsertProducts(env.DB, store, products);
  await env.DB.prepare("INSERT OR REPLACE INTO Catalog (store, productCount) VALUES (?, ?)").bind(store, products.length).run();
  // A store seeded again starts from fresh selections.
  await forgetSelections(env, store);
  return settings;
}

/**
 * Applies product changes as the catalog sync does: rows written (or tombstoned), then the
 * selections refreshed — "if-needed" for live facts, "always" for a merchandising event.
 */
export async function changeProducts(
  store: string,
  o: { upsert?: CatalogProduct[]; delete?: string[]; reselect?: "always" | "if-needed" },
): Promise<void> {
  const at = Date.now();
  if (o.upsert?.length) await upsertProducts(env.DB, store, o.upsert.map((p) => ({ ...p, updatedAt: Math.max(p.updatedAt, at) })));
  for (const id of o.delete ?? []) await markDeleted(env.DB, store, id, at);
  await refreshSelections(env, store, { reselect: o.reselect ?? "if-needed" });
}

export function page(path: string, init?: RequestInit): Promise<Response> {
  return SELF.fetch(`http://edge.test${path}`, init);
}

/** The fake generator's controls for one store. */
export function generator(store: string) {
  const base = env.GENERATOR_URL;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    await res.text();
  };
  return {
    behave: (behaviour: FakeBehaviour, times?: number) => post("/__control", { store, behaviour, times }),
    release: () => post("/__release", { store }),
    stats: async (): Promise<FakeStoreStats> => (await fetch(`${base}/__stats?store=${encodeURIComponent(store)}`)).json(),
  };
}

/**
 * Polls until `check` returns a value that is not undefined/false. No deadline of its own: the
 * test runner's timeout ends a test that never gets there.
 */
export async function eventually<T>(check: () => Promise<T | undefined | false>, intervalMs = 20): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * A served page's HTML as a browser's parser reads its characters: the edge serves pages in ASCII
 * (core/ascii-html.ts), non-ASCII characters as numeric references, which this decodes back.
 */
export async function htmlOf(res: Response): Promise<string> {
  return decodeCharacterReferences(await res.text());
}

export function decodeCharacterReferences(html: string): string {
  return html.replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)));
}
