import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { importShopifyCsvWithReport } from "../../core/catalog-import.ts";
import { DEMO_STORES, type DemoStore } from "../../core/demo-stores.ts";
import { defaultSettings } from "../../core/settings.ts";
import type { CatalogSnapshot, ShopSettings } from "../../core/types.ts";

/**
 * The demo stores as the rest of WandStore sees them: a catalog snapshot imported through core/ from
 * the sample CSVs next to this file, and the default settings of a new shop. Seeding, the page
 * renderer and the benchmarks all start here.
 */

export const CATALOG_DIR = fileURLToPath(new URL("./catalogs/", import.meta.url));

export interface DemoStoreData {
  demo: DemoStore;
  /** The CSV text as read from disk (tests parse it independently). */
  csv: string;
  catalog: CatalogSnapshot;
  settings: ShopSettings;
  /** Anything the importer skipped; empty for the bundled catalogs. */
  warnings: string[];
}

export function csvPath(demo: DemoStore): string {
  return fileURLToPath(new URL(demo.csvFile, new URL("./catalogs/", import.meta.url)));
}

export function loadDemoStore(demo: DemoStore): DemoStoreData {
  const csv = readFileSync(csvPath(demo), "utf8");
  const { snapshot, warnings } = importShopifyCsvWithReport(demo.store, csv, { currency: demo.currency });
  const settings = defaultSettings({ store: demo.store, shopName: demo.shopName, shopDomain: demo.shopDomain });
  return { demo, csv, catalog: snapshot, settings, warnings };
}

/** Every demo store, in DEMO_STORES order. */
export function loadDemoCatalogs(): DemoStoreData[] {
  return DEMO_STORES.map(loadDemoStore);
}
