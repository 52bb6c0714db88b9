import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { importShopifyCsv } from "../../core/catalog-import.ts";
import { deriveLargeCatalog } from "../../core/demo-large.ts";
import { CSV_DEMO_STORES, DEMO_STORES, type CsvDemoStore, type DemoStore } from "../../core/demo-stores.ts";
import { defaultSettings } from "../../core/settings.ts";
import type { CatalogProduct, ShopSettings } from "../../core/types.ts";

/**
 * The demo stores as the rest of WandStore sees them: catalog products imported through core/ from
 * the sample CSVs next to this file (or, for demo-large, derived from all of them), and the default
 * settings of a new shop. Seeding, the page renderer and the benchmarks all start here.
 */

export const CATALOG_DIR = fileURLToPath(new URL("./catalogs/", import.meta.url));

export interface DemoStoreData {
  demo: DemoStore;
  products: CatalogProduct[];
  settings: ShopSettings;
  /** Anything the importer skipped; empty for the bundled catalogs. */
  warnings: string[];
}

export function csvPath(demo: CsvDemoStore): string {
  return fileURLToPath(new URL(demo.csvFile, new URL("./catalogs/", import.meta.url)));
}

function settingsOf(demo: DemoStore): ShopSettings {
  return defaultSettings({ store: demo.store, shopName: demo.shopName, shopDomain: demo.shopDomain });
}

function loadCsvStore(demo: CsvDemoStore): DemoStoreData {
  const { products, warnings } = importShopifyCsv(demo.store, readFileSync(csvPath(demo), "utf8"), { currency: demo.currency });
  return { demo, products, settings: settingsOf(demo), warnings };
}

function deriveStore(demo: Extract<DemoStore, { kind: "derived" }>, csvStores: readonly DemoStoreData[]): DemoStoreData {
  const seeds = csvStores.flatMap((s) => s.products);
  const products = deriveLargeCatalog(seeds, demo.productCount).map((p) => ({ ...p, currency: demo.currency }));
  return { demo, products, settings: settingsOf(demo), warnings: csvStores.flatMap((s) => s.warnings) };
}

export function loadDemoStore(demo: DemoStore): DemoStoreData {
  return demo.kind === "csv" ? loadCsvStore(demo) : deriveStore(demo, CSV_DEMO_STORES.map(loadCsvStore));
}

/** Every demo store, in DEMO_STORES order (each CSV read once). */
export function loadDemoCatalogs(): DemoStoreData[] {
  const csvStores = CSV_DEMO_STORES.map(loadCsvStore);
  return DEMO_STORES.map((demo) => (demo.kind === "csv" ? csvStores.find((s) => s.demo.store === demo.store)! : deriveStore(demo, csvStores)));
}
