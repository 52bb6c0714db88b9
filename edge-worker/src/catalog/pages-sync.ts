import { productFromNode } from "../../../core/shopify-product.ts";
import type { CatalogProduct } from "../../../core/types.ts";
import { PAGE_QUERY, PAGE_SIZE, SyncError, pageSchema } from "./admin-api.ts";
import { upsertProducts } from "./product-rows.ts";
import type { SliceContext, StepResult } from "./slice.ts";

/**
 * Pages mode of a full sync, for small shops (≤ PAGES_MODE_MAX products): products pages through
 * the Admin GraphQL API, each written with the run's tag and checkpointed by its end cursor, so a
 * resumed slice asks for the page after the last one written. Throttling is the GraphQL client's.
 */

/** Shops up to this many products (productsCount) sync by pages; larger ones by a bulk operation. */
export const PAGES_MODE_MAX = 1_000;
/** A cursor that never ends cannot loop forever: 20,000 products. */
const MAX_PAGES = 400;

export async function pagesStep(c: SliceContext): Promise<StepResult> {
  let record = c.checkpoint({});
  let written = 0;
  while (written < c.maxProducts && Date.now() < c.deadline) {
    if (record.pages >= MAX_PAGES) throw new SyncError(`more than ${MAX_PAGES} pages of products: stopped`, true);
    const page = pageSchema.safeParse(await c.client.request(PAGE_QUERY, { first: PAGE_SIZE, after: record.cursor }));
    if (!page.success) throw new SyncError(`unexpected products page: ${page.error.issues[0]?.message ?? "invalid"}`, false);
    const currency = page.data.shop.currencyCode;
    const products: CatalogProduct[] = [];
    let skipped = 0;
    for (const node of page.data.products.nodes) {
      const outcome = productFromNode(node, currency);
      if (outcome.ok) products.push(outcome.product);
      else {
        skipped++;
        console.warn(`catalog sync ${c.store}: skipped a product: ${outcome.reason}`);
      }
    }
    await upsertProducts(c.db, c.store, products, { syncRun: record.runId ?? 0 });
    written += products.length;
    const { hasNextPage, endCursor } = page.data.products.pageInfo;
    const last = !hasNextPage || !endCursor;
    record = c.checkpoint({
      cursor: endCursor ?? record.cursor,
      productsSynced: record.productsSynced + products.length,
      skipped: record.skipped + skipped,
      pages: record.pages + 1,
      currency,
      attempts: 0,
      ...(last ? { phase: "finish" as const } : {}),
    });
    if (last) return { yield: false, nextAt: null };
  }
  return { yield: true, nextAt: null };
}
