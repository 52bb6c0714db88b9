import { describe, expect, it } from "vitest";
import { isStoreId } from "./cache-key.ts";
import { CSV_DEMO_STORES, DEMO_LARGE, DEMO_STORES } from "./demo-stores.ts";
import { parseSettings, defaultSettings } from "./settings.ts";

describe("DEMO_STORES", () => {
  it("are the three sample-catalog stores and the large one", () => {
    expect(CSV_DEMO_STORES.map((d) => [d.store, d.csvFile])).toEqual([
      ["demo-apparel", "apparel.csv"],
      ["demo-home", "home-and-garden.csv"],
      ["demo-jewelry", "jewelery.csv"],
    ]);
    expect(DEMO_STORES.map((d) => d.store)).toEqual(["demo-apparel", "demo-home", "demo-jewelry", "demo-large"]);
    expect(DEMO_LARGE).toMatchObject({ kind: "derived", shopName: "Demo Large Outfitters", shopDomain: "demo-large.myshopify.com" });
    expect(DEMO_LARGE.productCount).toBeGreaterThanOrEqual(5000);
  });

  it("have valid ids, myshopify domains, USD and valid default settings", () => {
    for (const d of DEMO_STORES) {
      expect(isStoreId(d.store)).toBe(true);
      expect(d.shopDomain).toBe(`${d.store}.myshopify.com`);
      expect(d.currency).toBe("USD");
      expect(() => parseSettings(defaultSettings(d))).not.toThrow();
    }
  });
});
