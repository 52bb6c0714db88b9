import { describe, expect, it } from "vitest";
import { DEMO_LARGE, DEMO_STORES } from "../../core/demo-stores.ts";
import { loadDemoCatalogs, loadDemoStore } from "./load-catalogs.ts";

describe("loadDemoCatalogs", () => {
  const stores = loadDemoCatalogs();

  it("imports every sample CSV without warnings and derives the large store", () => {
    expect(stores.map((s) => s.demo.store)).toEqual(DEMO_STORES.map((d) => d.store));
    expect(stores.map((s) => s.products.length)).toEqual([20, 20, 20, DEMO_LARGE.productCount]);
    for (const s of stores) {
      expect(s.warnings).toEqual([]);
      expect(s.products.every((p) => p.currency === "USD")).toBe(true);
      expect(new Set(s.products.map((p) => p.handle)).size).toBe(s.products.length);
    }
  });

  it("gives each store the default settings with its name and domain", () => {
    for (const s of stores) {
      expect(s.settings).toMatchObject({ store: s.demo.store, shopName: s.demo.shopName, shopDomain: s.demo.shopDomain, settingsVersion: 1 });
    }
    expect(stores[3]!.settings.shopName).toBe("Demo Large Outfitters");
  });

  it("is deterministic: the same products on every load, one store at a time or all at once", () => {
    expect(loadDemoCatalogs().map((s) => s.products)).toEqual(stores.map((s) => s.products));
    expect(loadDemoStore(DEMO_LARGE).products).toEqual(stores[3]!.products);
  });
});
