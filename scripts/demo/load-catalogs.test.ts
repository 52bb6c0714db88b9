import { describe, expect, it } from "vitest";
import { DEMO_STORES } from "../../core/demo-stores.ts";
import { loadDemoCatalogs } from "./load-catalogs.ts";

describe("loadDemoCatalogs", () => {
  const stores = loadDemoCatalogs();

  it("imports every demo store's bundled CSV without warnings", () => {
    expect(stores.map((s) => s.catalog.store)).toEqual(DEMO_STORES.map((d) => d.store));
    for (const s of stores) {
      expect(s.warnings).toEqual([]);
      expect(s.catalog.products).toHaveLength(20);
      expect(s.catalog.version).toMatch(/^[0-9a-f]{16}$/);
      expect(s.catalog.products.every((p) => p.currency === "USD")).toBe(true);
    }
  });

  it("gives each store the default settings with its name and domain", () => {
    for (const s of stores) {
      expect(s.settings).toMatchObject({ store: s.demo.store, shopName: s.demo.shopName, shopDomain: s.demo.shopDomain, settingsVersion: 1 });
    }
  });

  it("is deterministic: the same versions on every load", () => {
    expect(loadDemoCatalogs().map((s) => s.catalog.version)).toEqual(stores.map((s) => s.catalog.version));
  });
});
