import type { PrismaClient } from "@prisma/client";
import { z } from "zod";
import { catalogVersion } from "../core/catalog-import.ts";
import type { EdgeApiContract } from "../core/edge-api.ts";
import type { Product } from "../core/types.ts";
import { type AdminGraphql, AdminGraphqlError } from "./admin-graphql.server";
import { productNodeSchema, toProduct } from "./shopify-product";

/**
 * Catalog sync: every active product of the shop through the Admin GraphQL API (cursor pages) →
 * core Products → the shop's D1 `Catalog` row (versioned by content) → EDGE.refreshSnapshot, which
 * rewrites the KV snapshot the edge and the pool read. A changed version changes every cache variant,
 * so the edge serves the old pages as stale and regenerates (stale-while-revalidate).
 */

export const PRODUCTS_QUERY = `#graphql
  query WandCatalogPage($first: Int!, $after: String) {
    shop {
      currencyCode
    }
    products(first: $first, after: $after, sortKey: ID, query: "status:active") {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        handle
        title
        descriptionHtml
        vendor
        productType
        tags
        status
        featuredMedia {
          preview {
            image {
              url
              altText
            }
          }
        }
        variants(first: 5) {
          nodes {
            id
            price
            compareAtPrice
            availableForSale
          }
        }
      }
    }
  }
`;

const pageSchema = z.object({
  shop: z.object({ currencyCode: z.string() }),
  products: z.object({
    pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() }),
    nodes: z.array(productNodeSchema),
  }),
});

export type SyncTrigger = "install" | "webhook" | "manual";

export interface CatalogSyncOptions {
  db: PrismaClient;
  edge: EdgeApiContract;
  graphql: AdminGraphql;
  store: string;
  trigger: SyncTrigger;
  /** Products per page: 50 keeps a page's cost (products × 5 variants) far under the 1000-point cap. */
  pageSize?: number;
  /** A bound on pages, so a cursor that never ends cannot loop forever (50 × 400 = 20,000 products). */
  maxPages?: number;
  /** Milliseconds spent waiting for rate limits so far (the GraphQL client reports them). */
  throttledMs?: () => number;
}

export type CatalogSyncResult =
  | { ok: true; version: string; productCount: number; pages: number; skipped: number; snapshotRefreshed: boolean; runId: number }
  | { ok: false; error: string; runId: number };

export async function syncCatalog(o: CatalogSyncOptions): Promise<CatalogSyncResult> {
  const pageSize = o.pageSize ?? 50;
  const maxPages = o.maxPages ?? 400;
  const run = await o.db.catalogSyncRun.create({ data: { store: o.store, trigger: o.trigger, state: "running" } });
  // Only an existing catalog is marked: a row without products would read as an empty shop.
  await o.db.catalog.updateMany({ where: { store: o.store }, data: { syncState: "syncing" } });
  let pages = 0;
  try {
    const products: Product[] = [];
    let skipped = 0;
    let after: string | null = null;
    for (;;) {
      if (pages >= maxPages) throw new Error(`more than ${maxPages} pages of products: stopped`);
      const data = await o.graphql.request(PRODUCTS_QUERY, { first: pageSize, after });
      const page = pageSchema.safeParse(data);
      if (!page.success) throw new Error(`unexpected products page: ${page.error.issues[0]?.message ?? "invalid"}`);
      pages++;
      for (const node of page.data.products.nodes) {
        const product = toProduct(node, page.data.shop.currencyCode);
        if (product) products.push(product);
        else skipped++;
      }
      const { hasNextPage, endCursor } = page.data.products.pageInfo;
      if (!hasNextPage || !endCursor) break;
      after = endCursor;
    }
    const version = catalogVersion(products);
    const fields = { version, products: JSON.stringify(products), productCount: products.length, syncedAt: new Date(), syncState: "ok" };
    await o.db.catalog.upsert({ where: { store: o.store }, create: { store: o.store, ...fields }, update: fields });
    let snapshotRefreshed = true;
    let note: string | null = null;
    try {
      await o.edge.refreshSnapshot(o.store);
    } catch (error) {
      snapshotRefreshed = false;
      note = `catalog saved, but the edge snapshot was not refreshed: ${message(error)}`;
    }
    await o.db.catalogSyncRun.update({
      where: { id: run.id },
      data: { state: "ok", finishedAt: new Date(), productCount: products.length, pages, throttledMs: o.throttledMs?.() ?? 0, error: note },
    });
    return { ok: true, version, productCount: products.length, pages, skipped, snapshotRefreshed, runId: run.id };
  } catch (error) {
    const reason = message(error);
    await o.db.catalogSyncRun.update({
      where: { id: run.id },
      data: { state: "error", finishedAt: new Date(), pages, throttledMs: o.throttledMs?.() ?? 0, error: reason },
    });
    await o.db.catalog.updateMany({ where: { store: o.store }, data: { syncState: `error: ${reason}`.slice(0, 500) } });
    return { ok: false, error: reason, runId: run.id };
  }
}

function message(error: unknown): string {
  if (error instanceof AdminGraphqlError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
