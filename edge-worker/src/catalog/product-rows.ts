import { savingsOf, toCents } from "../../../core/money.ts";
import { CANDIDATE_LIMITS, categoryOf } from "../../../core/selection.ts";
import type { CatalogProduct, SelectionCandidates } from "../../../core/types.ts";

/**
 * The catalog as D1 rows (table `Product`, migration 0003): one row per product, written in batches
 * and read by handle or by the indexed candidate queries of core/selection.ts. Nothing here reads a
 * whole catalog.
 *
 * The database is typed structurally, so the seed script (Node, getPlatformProxy) uses the same code.
 */
export interface RowsStatement {
  bind(...values: unknown[]): RowsStatement;
  run(): Promise<unknown>;
  all<T = Record<string, unknown>>(): Promise<{ results: T[] }>;
  first<T = Record<string, unknown>>(): Promise<T | null>;
}

export interface RowsDb {
  prepare(sql: string): RowsStatement;
  batch(statements: RowsStatement[]): Promise<unknown[]>;
}

/** Stored descriptions are bounded (a D1 row holds at most 2 MB; pages use a few hundred characters). */
export const STORED_DESCRIPTION_CHARS = 4000;
/** One upsert statement carries at most this much JSON (D1 values are capped at 2 MB). */
const BATCH_JSON_BYTES = 400_000;
/** D1 allows 100 bound parameters per query; one goes to the store. */
const HANDLES_PER_QUERY = 90;

export interface ProductRow {
  store: string;
  productId: string;
  handle: string;
  title: string;
  description: string;
  vendor: string;
  productType: string;
  category: string;
  tags: string;
  price: string;
  compareAtPrice: string | null;
  currency: string;
  imageUrl: string | null;
  imageAlt: string | null;
  available: number;
  variantId: string;
  priceCents: number;
  savingsPercent: number;
  savingsCents: number;
  listedAt: number;
  updatedAt: number;
  deleted: number;
  syncRun: number;
}

const COLUMNS = [
  "productId",
  "handle",
  "title",
  "description",
  "vendor",
  "productType",
  "category",
  "tags",
  "price",
  "compareAtPrice",
  "currency",
  "imageUrl",
  "imageAlt",
  "available",
  "variantId",
  "priceCents",
  "savingsPercent",
  "savingsCents",
  "listedAt",
  "updatedAt",
] as const;

export function productToRow(store: string, p: CatalogProduct, syncRun = 0): ProductRow {
  const savings = savingsOf(p);
  return {
    store,
    productId: p.id,
    handle: p.handle,
    title: p.title,
    description: p.description.length > STORED_DESCRIPTION_CHARS ? p.description.slice(0, STORED_DESCRIPTION_CHARS) : p.description,
    vendor: p.vendor,
    productType: p.productType,
    category: categoryOf(p),
    tags: JSON.stringify(p.tags),
    price: p.price,
    compareAtPrice: p.compareAtPrice,
    currency: p.currency,
    imageUrl: p.image?.url ?? null,
    imageAlt: p.image?.alt ?? null,
    available: p.available ? 1 : 0,
    variantId: p.firstVariantId,
    priceCents: toCents(p.price) ?? 0,
    savingsPercent: savings?.percent ?? 0,
    savingsCents: savings?.cents ?? 0,
    listedAt: p.listedAt,
    updatedAt: p.updatedAt,
    deleted: 0,
    syncRun,
  };
}

export function rowToProduct(row: Record<string, unknown>): CatalogProduct {
  const str = (k: string): string => (typeof row[k] === "string" ? (row[k] as string) : String(row[k] ?? ""));
  const imageUrl = row.imageUrl;
  let tags: string[] = [];
  try {
    const parsed: unknown = JSON.parse(str("tags") || "[]");
    if (Array.isArray(parsed)) tags = parsed.filter((t): t is string => typeof t === "string");
  } catch {
    // A malformed tags value loses its tags, not the product.
  }
  return {
    id: str("productId"),
    handle: str("handle"),
    title: str("title"),
    description: str("description"),
    vendor: str("vendor"),
    productType: str("productType"),
    tags,
    price: str("price"),
    compareAtPrice: typeof row.compareAtPrice === "string" ? row.compareAtPrice : null,
    currency: str("currency"),
    image: typeof imageUrl === "string" && imageUrl ? { url: imageUrl, alt: typeof row.imageAlt === "string" ? row.imageAlt : "" } : null,
    available: Number(row.available) === 1,
    firstVariantId: str("variantId"),
    listedAt: Number(row.listedAt),
    updatedAt: Number(row.updatedAt),
  };
}

// Rows arrive as one JSON array per statement (json_each), so a batch of hundreds of products is
// one statement with two bound parameters. A row is replaced only by a write at least as new as it
// (an older delivery never overwrites a newer one); that also keeps a tombstone over a late update.
const UPSERT_SQL = `INSERT INTO Product (store, ${COLUMNS.join(", ")}, deleted, syncRun)
  SELECT ?1, ${COLUMNS.map((c) => `json_extract(value, '$.${c}')`).join(", ")}, 0, json_extract(value, '$.syncRun')
  FROM json_each(?2) WHERE true
  ON CONFLICT (store, productId) DO UPDATE SET
    ${COLUMNS.filter((c) => c !== "productId").map((c) => `${c} = excluded.${c}`).join(", ")},
    deleted = 0, syncRun = max(Product.syncRun, excluded.syncRun)
  WHERE excluded.updatedAt >= Product.updatedAt AND (Product.deleted = 0 OR excluded.updatedAt > Product.updatedAt)`;

// A full sync that meets an older copy of a row still marks the row as seen.
const SEEN_SQL = `UPDATE Product SET syncRun = max(syncRun, ?3)
  WHERE store = ?1 AND productId IN (SELECT value FROM json_each(?2))`;

export async function upsertProducts(db: RowsDb, store: string, products: readonly CatalogProduct[], o: { syncRun?: number } = {}): Promise<{ written: number }> {
  const syncRun = o.syncRun ?? 0;
  const statements: RowsStatement[] = [];
  let chunk: ProductRow[] = [];
  let bytes = 0;
  const flush = () => {
    if (!chunk.length) return;
    const rows = chunk.map(({ store: _store, deleted: _deleted, ...rest }) => rest);
    statements.push(db.prepare(UPSERT_SQL).bind(store, JSON.stringify(rows)));
    if (syncRun > 0) statements.push(db.prepare(SEEN_SQL).bind(store, JSON.stringify(chunk.map((r) => r.productId)), syncRun));
    chunk = [];
    bytes = 0;
  };
  for (const p of products) {
    const row = productToRow(store, p, syncRun);
    const size = row.description.length + row.title.length + row.tags.length + 400;
    if (bytes + size > BATCH_JSON_BYTES) flush();
    chunk.push(row);
    bytes += size;
  }
  flush();
  if (statements.length) await db.batch(statements);
  return { written: products.length };
}

/** Tombstones a product (products/delete); a row changed after `at` stays. Returns whether it changed. */
export async function markDeleted(db: RowsDb, store: string, productId: string, at: number): Promise<boolean> {
  const existing = await db.prepare("SELECT updatedAt, deleted FROM Product WHERE store = ? AND productId = ?").bind(store, productId).first<{ updatedAt: number; deleted: number }>();
  if (existing && (Number(existing.updatedAt) > at || Number(existing.deleted) === 1)) return false;
  if (existing) {
    await db.prepare("UPDATE Product SET deleted = 1, updatedAt = ? WHERE store = ? AND productId = ?").bind(at, store, productId).run();
    return true;
  }
  // A delete before any copy of the product arrived: a bare tombstone keeps a late create out.
  await db
    .prepare(
      `INSERT INTO Product (store, productId, handle, title, category, price, currency, available, variantId, priceCents, listedAt, updatedAt, deleted)
       VALUES (?, ?, '', '', '', '0.00', '', 0, '', 0, 0, ?, 1) ON CONFLICT (store, productId) DO NOTHING`,
    )
    .bind(store, productId, at)
    .run();
  return false;
}

export async function readProduct(db: RowsDb, store: string, productId: string): Promise<{ product: CatalogProduct; deleted: boolean } | null> {
  const row = await db.prepare("SELECT * FROM Product WHERE store = ? AND productId = ?").bind(store, productId).first();
  return row ? { product: rowToProduct(row), deleted: Number(row.deleted) === 1 } : null;
}

/** The live products with these handles (any number of handles, queried in bounded chunks). */
export async function readProductsByHandles(db: RowsDb, store: string, handles: readonly string[]): Promise<CatalogProduct[]> {
  const unique = [...new Set(handles)];
  if (!unique.length) return [];
  const statements: RowsStatement[] = [];
  for (let i = 0; i < unique.length; i += HANDLES_PER_QUERY) {
    const part = unique.slice(i, i + HANDLES_PER_QUERY);
    statements.push(
      db.prepare(`SELECT * FROM Product WHERE store = ? AND deleted = 0 AND handle IN (${part.map(() => "?").join(", ")})`).bind(store, ...part),
    );
  }
  const results = (await db.batch(statements)) as { results: Record<string, unknown>[] }[];
  return results.flatMap((r) => r.results.map(rowToProduct));
}

const LIVE = "store = ?1 AND deleted = 0";

/** The candidate lists of core/selection.ts, from indexed queries (two round trips). */
export async function readCandidates(db: RowsDb, store: string): Promise<SelectionCandidates> {
  const L = CANDIDATE_LIMITS;
  const [top, count, deals, lowPrices, newest, oldest] = (await db.batch([
    db.prepare(`SELECT category, COUNT(*) AS n FROM Product WHERE ${LIVE} GROUP BY category ORDER BY n DESC, category LIMIT ?2`).bind(store, L.categories),
    db.prepare(`SELECT COUNT(*) AS n FROM Product WHERE ${LIVE}`).bind(store),
    db
      .prepare(`SELECT * FROM Product WHERE ${LIVE} AND available = 1 AND savingsCents > 0 ORDER BY savingsPercent DESC, savingsCents DESC, handle LIMIT ?2`)
      .bind(store, L.deals),
    db.prepare(`SELECT * FROM Product WHERE ${LIVE} AND available = 1 AND savingsCents = 0 ORDER BY priceCents, handle LIMIT ?2`).bind(store, L.lowPrices),
    db.prepare(`SELECT * FROM Product WHERE ${LIVE} AND available = 1 ORDER BY listedAt DESC, handle LIMIT ?2`).bind(store, L.newest),
    db.prepare(`SELECT * FROM Product WHERE ${LIVE} AND available = 1 ORDER BY listedAt, handle LIMIT ?2`).bind(store, L.oldest),
  ])) as { results: Record<string, unknown>[] }[];
  const categoryRows = top!.results.map((r) => ({ name: String(r.category), count: Number(r.n) }));
  const perCategory = categoryRows.length
    ? ((await db.batch(
        categoryRows.map((c) =>
          db
            .prepare(`SELECT * FROM Product WHERE ${LIVE} AND category = ?2 AND available = 1 ORDER BY listedAt, handle LIMIT ?3`)
            .bind(store, c.name, L.perCategory),
        ),
      )) as { results: Record<string, unknown>[] }[])
    : [];
  return {
    categories: categoryRows.map((c, i) => ({ ...c, products: (perCategory[i]?.results ?? []).map(rowToProduct) })),
    deals: deals!.results.map(rowToProduct),
    lowPrices: lowPrices!.results.map(rowToProduct),
    newest: newest!.results.map(rowToProduct),
    oldest: oldest!.results.map(rowToProduct),
    productCount: Number(count!.results[0]?.n ?? 0),
  };
}

export async function countProducts(db: RowsDb, store: string): Promise<number> {
  const row = await db.prepare("SELECT COUNT(*) AS n FROM Product WHERE store = ? AND deleted = 0").bind(store).first<{ n: number }>();
  return Number(row?.n ?? 0);
}

/**
 * End of a full sync: products neither seen by run `syncRun` nor changed since it started are gone
 * from the shop. Tombstones older than the run go too (the run saw the shop without them).
 */
export async function removeUnseen(db: RowsDb, store: string, syncRun: number, startedAt: number): Promise<number> {
  const before = await countProducts(db, store);
  await db.prepare("DELETE FROM Product WHERE store = ? AND syncRun < ? AND updatedAt < ?").bind(store, syncRun, startedAt).run();
  return Math.max(0, before - (await countProducts(db, store)));
}

export async function forgetProducts(db: RowsDb, store: string): Promise<void> {
  await db.prepare("DELETE FROM Product WHERE store = ?").bind(store).run();
}
