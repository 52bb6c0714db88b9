/**
 * The demo stores: three seeded from Shopify's public sample product CSVs (scripts/demo/catalogs/,
 * see its README for the attribution) and one large synthetic store whose products are derived from
 * those three (core/demo-large.ts). Pure data: reading the files is the job of the Node scripts.
 */
import type { ShopMarkets } from "./locale.ts";

export type DemoStoreId = "demo-apparel" | "demo-home" | "demo-jewelry" | "demo-large";

/**
 * A demo shop's markets (issue 13), seeded as if the catalog sync had read them from Shopify:
 * converted prices at a fixed rate per market, fixed price-list prices for some products, and the
 * merchant's translations of a few products (core/demo-markets.ts turns these into what the edge reads).
 */
export interface DemoMarkets {
  markets: ShopMarkets;
  /** By market handle: the conversion rate from the shop's currency for prices not in the price list. */
  rates: Record<string, number>;
  /** By market handle, then product handle: the market's price list (fixed prices). */
  fixedPrices: Record<string, Record<string, { price: string; compareAtPrice: string | null }>>;
  /** By language, then product handle: the merchant's translations. */
  translations: Record<string, Record<string, { title: string; description?: string }>>;
}

interface DemoStoreBase {
  store: DemoStoreId;
  shopName: string;
  shopDomain: string;
  currency: string;
  markets?: DemoMarkets;
}

/** A store whose catalog is one sample CSV. */
export interface CsvDemoStore extends DemoStoreBase {
  kind: "csv";
  /** File name inside scripts/demo/catalogs/. */
  csvFile: string;
}

/** A store whose catalog is derived from the CSV stores' products (deriveLargeCatalog). */
export interface DerivedDemoStore extends DemoStoreBase {
  kind: "derived";
  productCount: number;
}

export type DemoStore = CsvDemoStore | DerivedDemoStore;

/** Demo Apparel sells in the US (USD, English) and in France (EUR, French). */
const APPAREL_MARKETS: DemoMarkets = {
  markets: {
    primary: { country: "US", language: "en", currency: "USD" },
    markets: [
      { handle: "united-states", countries: ["US"], currency: "USD", languages: ["en"] },
      { handle: "france", countries: ["FR"], currency: "EUR", languages: ["fr", "en"] },
    ],
    languages: ["en", "fr"],
  },
  rates: { france: 0.92 },
  fixedPrices: {
    france: {
      "ocean-blue-shirt": { price: "45.00", compareAtPrice: null },
      "classic-leather-jacket": { price: "75.00", compareAtPrice: "89.00" },
      "yellow-wool-jumper": { price: "69.00", compareAtPrice: null },
      "black-leather-bag": { price: "29.00", compareAtPrice: null },
    },
  },
  translations: {
    fr: {
      "ocean-blue-shirt": { title: "Chemise bleu océan", description: "Une chemise légère en coton, d'un bleu profond, pour les journées d'été." },
      "classic-varsity-top": { title: "Haut universitaire classique" },
      "yellow-wool-jumper": { title: "Pull en laine jaune", description: "Un pull chaud et doux en pure laine, d'un jaune lumineux." },
      "floral-white-top": { title: "Haut blanc fleuri" },
      "classic-leather-jacket": { title: "Veste en cuir classique", description: "La veste en cuir intemporelle, souple et robuste." },
      "black-leather-bag": { title: "Sac en cuir noir" },
    },
  },
};

export const CSV_DEMO_STORES: readonly CsvDemoStore[] = [
  { kind: "csv", store: "demo-apparel", shopName: "Demo Apparel", shopDomain: "demo-apparel.myshopify.com", csvFile: "apparel.csv", currency: "USD", markets: APPAREL_MARKETS },
  { kind: "csv", store: "demo-home", shopName: "Demo Home & Garden", shopDomain: "demo-home.myshopify.com", csvFile: "home-and-garden.csv", currency: "USD" },
  { kind: "csv", store: "demo-jewelry", shopName: "Demo Jewelry", shopDomain: "demo-jewelry.myshopify.com", csvFile: "jewelery.csv", currency: "USD" },
];

/** The large store: well past the sizes that broke whole-catalog loading (ADR 0001). */
export const DEMO_LARGE: DerivedDemoStore = {
  kind: "derived",
  store: "demo-large",
  shopName: "Demo Large Outfitters",
  shopDomain: "demo-large.myshopify.com",
  productCount: 6000,
  currency: "USD",
};

export const DEMO_STORES: readonly DemoStore[] = [...CSV_DEMO_STORES, DEMO_LARGE];
