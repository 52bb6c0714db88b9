import { describe, expect, it } from "vitest";
import { isStoreId } from "./cache-key.ts";
import { DEMO_STORES } from "./demo-stores.ts";
import { parseSettings, defaultSettings } from "./settings.ts";

describe("DEMO_STORES", () => {
  it("are the three demo stores with their sample catalogs", () => {
    expect(DEMO_STORES.map((d) => [d.store, d.csvFile])).toEqual([
      ["demo-apparel", "apparel.csv"],
      ["demo-home", "home-and-garden.csv"],
      ["demo-jewelry", "jewelery.csv"],
    ]);
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
