/**
 * The demo stores, seeded from Shopify's public sample product CSVs (scripts/demo/catalogs/, see its
 * README for the attribution). Pure data: reading the files is the job of the Node scripts.
 */
export type DemoStoreId = "demo-apparel" | "demo-home" | "demo-jewelry";

export interface DemoStore {
  store: DemoStoreId;
  shopName: string;
  shopDomain: string;
  /** File name inside scripts/demo/catalogs/. */
  csvFile: string;
  currency: string;
}

export const DEMO_STORES: readonly DemoStore[] = [
  { store: "demo-apparel", shopName: "Demo Apparel", shopDomain: "demo-apparel.myshopify.com", csvFile: "apparel.csv", currency: "USD" },
  { store: "demo-home", shopName: "Demo Home & Garden", shopDomain: "demo-home.myshopify.com", csvFile: "home-and-garden.csv", currency: "USD" },
  { store: "demo-jewelry", shopName: "Demo Jewelry", shopDomain: "demo-jewelry.myshopify.com", csvFile: "jewelery.csv", currency: "USD" },
];
