import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";

describe("D1 migrations", () => {
  it("creates every table the edge reads", async () => {
    const { results } = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all<{ name: string }>();
    const names = results.map((r) => r.name);
    for (const table of ["Session", "ShopSettings", "Catalog", "CustomerProfile", "Product", "PersonaSelection"]) expect(names).toContain(table);
  });

  it("keeps products as rows: the Catalog summary has no products blob and no catalog version", async () => {
    const { results } = await env.DB.prepare("SELECT name FROM pragma_table_info('Catalog')").all<{ name: string }>();
    const columns = results.map((r) => r.name);
    expect(columns).toContain("productCount");
    expect(columns).not.toContain("products");
    expect(columns).not.toContain("version");
    const indexes = (await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Product'").all<{ name: string }>()).results.map((r) => r.name);
    for (const index of ["Product_store_handle_idx", "Product_store_deals_idx", "Product_store_listed_idx", "Product_store_price_idx"]) expect(indexes).toContain(index);
  });
});
