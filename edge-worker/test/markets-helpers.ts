import { env } from "cloudflare:test";
import { expect } from "vitest";
import { PERSONAS, type Product } from "../../core/types.ts";
import { readSelection } from "../src/catalog/selection-store.ts";
import { hurryToEnd, testShop, type TestShop } from "./catalog-helpers.ts";
import type { FakeMarket, FakeMarketsConfig } from "./fake-admin-control.ts";
import { eventually, seedStore, uniqueStore } from "./helpers.ts";

/**
 * Markets test fixtures (workerd side): a shop on the fake Admin API selling in the US (USD,
 * English) and in France and Monaco (EUR, French), with converted euro prices, fixed price-list
 * prices for every third product and French translations of every second one.
 */
export const N = 40;
export const FRANCE: FakeMarket = {
  handle: "france",
  countries: ["FR", "MC"],
  currency: "EUR",
  locales: ["fr", "en"],
  rate: 0.92,
  fixed: Object.fromEntries(Array.from({ length: N }, (_, i) => i).filter((i) => i % 3 === 0).map((i) => [i, { price: `${30 + i}.00`, compareAtPrice: null }])),
};
export const MARKETS: FakeMarketsConfig = {
  backupCountry: "US",
  // German is added but not published: no pages, no translations asked for.
  locales: [{ locale: "en", primary: true }, { locale: "fr" }, { locale: "de", published: false }],
  markets: [{ handle: "us", countries: ["US"], currency: "USD", locales: ["en"] }, FRANCE],
  translations: { fr: Object.fromEntries(Array.from({ length: N }, (_, i) => i).filter((i) => i % 2 === 0).map((i) => [i, { title: `Article nº ${i}`, body_html: `<p>Texte <em>français</em> ${i}</p>` }])) },
};

export const indexOf = (handle: string): number => Number(/^p-(\d+)$/.exec(handle)![1]);

export async function syncedShop(label: string, markets?: FakeMarketsConfig): Promise<TestShop> {
  const store = uniqueStore(label);
  // Settings (installed, shopDomain) as the admin writes them; the products come from the sync.
  await seedStore(store, { products: [] });
  const shop = await testShop(store, { products: N, currency: "USD", ...(markets ? { markets } : {}) });
  await shop.sync.start({ shopDomain: shop.shopDomain, trigger: "install" });
  expect(await hurryToEnd(shop)).toMatchObject({ state: "ok", liveProducts: N });
  await marketsSettled(shop);
  return shop;
}

/** Waits until the markets step owes nothing. */
export function marketsSettled(shop: TestShop) {
  return eventually(async () => {
    const s = await shop.sync.marketsState();
    return s.due.length === 0 && s.doneAt.prices !== undefined && s;
  });
}

export async function selectedProducts(store: string): Promise<Product[]> {
  const byHandle = new Map<string, Product>();
  for (const persona of PERSONAS) for (const p of (await readSelection(env, store, persona)).products) byHandle.set(p.handle, p);
  return [...byHandle.values()];
}
