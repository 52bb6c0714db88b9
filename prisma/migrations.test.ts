import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { productToRow, readCandidates, rowToProduct, type RowsDb } from "../edge-worker/src/catalog/product-rows.ts";
import { candidatesFromProducts } from "../core/selection.ts";
import type { CatalogProduct, Product } from "../core/types.ts";
import { runToEnd } from "../scripts/process-group.ts";

/**
 * Migration 0003 on a database that holds catalogs the old way (one JSON value per store): applied
 * with `wrangler d1 migrations apply --local` as deploys do, it must turn every product into a row
 * equal to the one the catalog store writes, and leave a Catalog summary without products.
 */
const root = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "wand-migrate-"));
const migrations = join(work, "migrations");
const persist = join(work, "state");
const config = join(work, "wrangler.json");
mkdirSync(migrations);
writeFileSync(
  config,
  JSON.stringify({
    name: "wand-migration-test",
    compatibility_date: "2026-07-01",
    d1_databases: [{ binding: "DB", database_name: "wandstore", database_id: "00000000-0000-0000-0000-000000000000", migrations_dir: migrations }],
  }),
);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
const apply = () =>
  runToEnd(resolve(root, "node_modules/.bin/wrangler"), ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist, "-c", config], { cwd: root, env });

function oldProduct(i: number, o: Partial<Product> = {}): Product {
  return {
    id: `gid://shopify/Product/${i}`,
    handle: `old-${i}`,
    title: `Old product ${i}`,
    description: `Text of ${i}.`,
    vendor: "Vendor",
    productType: i % 2 ? "shirts" : "",
    tags: i % 2 ? [] : ["linen", "summer"],
    price: `${10 + i}.50`,
    compareAtPrice: null,
    currency: "USD",
    image: { url: `https://cdn.example.com/${i}.jpg`, alt: `Alt ${i}` },
    available: true,
    firstVariantId: String(4000 + i),
    ...o,
  };
}

describe("migration 0003 (catalog rows)", () => {
  it("moves every stored catalog into product rows and keeps a summary row", { timeout: 120_000 }, async () => {
    for (const file of ["0001_init.sql", "0002_admin.sql"]) copyFileSync(resolve(root, "prisma/migrations", file), join(migrations, file));
    await apply();

    const old = [
      oldProduct(1),
      oldProduct(2, { compareAtPrice: "19.99", price: "12.49" }),
      oldProduct(3, { available: false, image: null, compareAtPrice: "13.50" }),
      oldProduct(4, { productType: "", tags: [] }),
    ];
    const { getPlatformProxy } = await import("wrangler");
    let proxy = await getPlatformProxy<{ DB: RowsDb }>({ configPath: config, persist: { path: join(persist, "v3") }, remoteBindings: false });
    await proxy.env.DB.prepare("INSERT INTO Catalog (store, version, products, productCount) VALUES (?, ?, ?, ?)")
      .bind("old-shop", "v1", JSON.stringify(old), old.length)
      .run();
    await proxy.dispose();

    copyFileSync(resolve(root, "prisma/migrations/0003_product_rows.sql"), join(migrations, "0003_product_rows.sql"));
    await apply();

    proxy = await getPlatformProxy<{ DB: RowsDb }>({ configPath: config, persist: { path: join(persist, "v3") }, remoteBindings: false });
    try {
      const { results } = await proxy.env.DB.prepare("SELECT * FROM Product WHERE store = ? ORDER BY listedAt").bind("old-shop").all();
      const expected = old.map((p, i): CatalogProduct => ({ ...p, listedAt: i, updatedAt: 0 }));
      // Every column as the catalog store itself would write it (category, cents, savings included).
      expect(results).toEqual(expected.map((p) => productToRow("old-shop", p)));
      expect(results.map(rowToProduct)).toEqual(expected);
      expect(await readCandidates(proxy.env.DB, "old-shop")).toEqual(candidatesFromProducts(expected));
      const summary = await proxy.env.DB.prepare("SELECT * FROM Catalog WHERE store = ?").bind("old-shop").first();
      expect(summary).toMatchObject({ store: "old-shop", productCount: 4, syncState: "ok" });
      expect(summary).not.toHaveProperty("products");
    } finally {
      await proxy.dispose();
    }
  });
});
