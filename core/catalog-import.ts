import Papa from "papaparse";
import { hashString } from "./hash.ts";
import { htmlToText } from "./html-text.ts";
import { normaliseDecimal } from "./money.ts";
import { isHttpUrl } from "./urls.ts";
import type { CatalogProduct, Product } from "./types.ts";

/**
 * Import of Shopify's product CSV format (the format of Shopify's admin export and of the public
 * sample catalogs): one row per variant, the product's fields only on its first row, and extra rows
 * that carry nothing but another image.
 *
 * What becomes of each Product field:
 * - price, compareAtPrice: of the first variant (its first row with a price), normalised to "50.00";
 *   a compare-at price that is not above the price is not a sale and becomes null.
 * - image: the first row of the product with an http(s) Image Src; alt = Image Alt Text, else the title.
 * - available: published (and, in newer exports, Status active) and at least one variant in stock
 *   or sold when out of stock (Variant Inventory Policy "continue").
 * - firstVariantId: the CSV has no variant ids (Shopify assigns them on import), so a CSV-imported
 *   catalog gets a stable numeric id derived from the handle and the first variant's options. It is
 *   stable across imports and unique within a catalog, but it is not a variant of any real shop:
 *   catalogs synced from the Admin API carry the real ids. A "Variant ID" column, when present, wins.
 * - listedAt, updatedAt: a CSV has no dates, so both are a fixed base time plus one minute per
 *   product in file order: later rows are newer (the "New arrivals" of a CSV shop), and the same file
 *   imports to the same products every time.
 * - description: the whole body as plain text (a persona selection clips it, not the importer).
 */

export class CatalogImportError extends Error {
  override name = "CatalogImportError";
}

export interface CatalogImport {
  store: string;
  /** One per product handle, in the CSV's order. */
  products: CatalogProduct[];
  /** Rows or products that were skipped, and why. */
  warnings: string[];
}

/** listedAt of a CSV's first product (2024-01-01T00:00:00Z); each later product one minute newer. */
export const CSV_LISTED_FROM = Date.UTC(2024, 0, 1);
export const CSV_LISTED_STEP_MS = 60_000;

type Row = Record<string, string | undefined>;

const col = (row: Row, name: string): string => (row[name] ?? "").trim();

interface Draft {
  handle: string;
  first: Row;
  rows: Row[];
}

/** A stable numeric variant id for a CSV row: 13 hex digits of a hash → a safe integer. */
function derivedVariantId(handle: string, variantRow: Row): string {
  const options = ["Option1 Value", "Option2 Value", "Option3 Value", "Variant SKU"].map((c) => col(variantRow, c)).join("|");
  const n = parseInt(hashString(`variant:${handle}|${options}`).slice(0, 13), 16);
  // Never 0: Shopify ids are positive.
  return String(n === 0 ? 1 : n);
}

function isTrue(value: string): boolean {
  return value.toLowerCase() === "true";
}

function toProduct(d: Draft, currency: string, warnings: string[]): Product | null {
  const title = col(d.first, "Title");
  if (!title) {
    warnings.push(`product ${d.handle}: no Title on its first row, skipped`);
    return null;
  }
  // Variant rows are the rows with a price; image-only rows have none.
  const variants = d.rows.filter((r) => col(r, "Variant Price") !== "");
  const firstVariant = variants[0];
  const price = firstVariant ? normaliseDecimal(col(firstVariant, "Variant Price")) : null;
  if (!firstVariant || price === null) {
    warnings.push(`product ${d.handle}: no valid Variant Price, skipped`);
    return null;
  }
  const compareAtRaw = col(firstVariant, "Variant Compare At Price");
  let compareAtPrice = compareAtRaw ? normaliseDecimal(compareAtRaw) : null;
  if (compareAtPrice !== null && Number(compareAtPrice) <= Number(price)) compareAtPrice = null;

  const imageRow = d.rows.find((r) => isHttpUrl(col(r, "Image Src")));
  const image = imageRow ? { url: col(imageRow, "Image Src"), alt: col(imageRow, "Image Alt Text") || title } : null;

  const publishedRaw = col(d.first, "Published");
  const published = publishedRaw === "" || isTrue(publishedRaw);
  const status = col(d.first, "Status").toLowerCase();
  const active = status === "" || status === "active";
  const inStock = variants.some((v) => {
    const qty = Number(col(v, "Variant Inventory Qty") || "0");
    return qty > 0 || col(v, "Variant Inventory Policy").toLowerCase() === "continue";
  });

  const explicitId = col(firstVariant, "Variant ID");
  return {
    id: d.handle,
    handle: d.handle,
    title,
    description: htmlToText(col(d.first, "Body (HTML)")),
    vendor: col(d.first, "Vendor"),
    productType: col(d.first, "Type"),
    tags: col(d.first, "Tags")
      .split(",")
      .map((t) => t.trim())
      .filter((t) => t.length > 0),
    price,
    compareAtPrice,
    currency,
    image,
    available: published && active && inStock,
    firstVariantId: /^\d+$/.test(explicitId) ? explicitId : derivedVariantId(d.handle, firstVariant),
  };
}

/** Parses a Shopify product CSV into catalog products. Throws CatalogImportError when it is not one. */
export function importShopifyCsv(store: string, csv: string, opts: { currency?: string; listedFrom?: number } = {}): CatalogImport {
  const currency = opts.currency ?? "USD";
  const listedFrom = opts.listedFrom ?? CSV_LISTED_FROM;
  const parsed = Papa.parse<Row>(csv.replace(/^\uFEFF/, ""), { header: true, skipEmptyLines: "greedy" });
  const fields = parsed.meta.fields ?? [];
  for (const required of ["Handle", "Title", "Variant Price"]) {
    if (!fields.includes(required)) throw new CatalogImportError(`not a Shopify product CSV: no "${required}" column`);
  }
  const warnings = parsed.errors.map((e) => `CSV row ${(e.row ?? -1) + 2}: ${e.message}`);

  // Group rows by handle, keeping the catalog's order of first appearance.
  const drafts = new Map<string, Draft>();
  parsed.data.forEach((row, index) => {
    const handle = col(row, "Handle");
    if (!handle) {
      warnings.push(`CSV row ${index + 2}: no Handle, skipped`);
      return;
    }
    const draft = drafts.get(handle);
    if (draft) draft.rows.push(row);
    else drafts.set(handle, { handle, first: row, rows: [row] });
  });

  const products: CatalogProduct[] = [];
  for (const d of drafts.values()) {
    const p = toProduct(d, currency, warnings);
    if (!p) continue;
    const at = listedFrom + products.length * CSV_LISTED_STEP_MS;
    products.push({ ...p, listedAt: at, updatedAt: at });
  }
  return { store, products, warnings };
}
