/**
 * The demo stores: three seeded from Shopify's public sample product CSVs (scripts/demo/catalogs/,
 * see its README for the attribution) and one large synthetic store whose products are derived from
 * those three (core/demo-large.ts). Pure data: reading the files is the job of the Node scripts.
 */
export type DemoStoreId = "demo-apparel" | "demo-home" | "demo-jewelry" | "demo-large";

interface DemoStoreBase {
  store: DemoStoreId;
  shopName: string;
  shopDomain: string;
  currency: string;
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

export const CSV_DEMO_STORES: readonly CsvDemoStore[] = [
  { kind: "csv", store: "demo-apparel", shopName: "Demo Apparel", shopDomain: "demo-apparel.myshopify.com", csvFile: "apparel.csv", currency: "USD" },
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
