import { z } from "zod";
import { createAdminGraphql, type AdminGraphql, type WaitReason } from "../../../core/admin-graphql.ts";
import { ADMIN_API_VERSION, adminGraphqlUrl } from "../app-proxy/customer-profile.ts";

/**
 * What the catalog sync asks Shopify's Admin GraphQL API, with the shop's offline token read from
 * D1 `Session` for each slice (never copied into the Durable Object). The Admin API origin follows
 * adminGraphqlUrl's rule: the shop itself, or a loopback stand-in named by SHOPIFY_ADMIN_API_ORIGIN.
 * Rate limits (cost budget, THROTTLED, 429) are kept by core/admin-graphql.ts.
 */

export class SyncError extends Error {
  override name = "SyncError";
  /** permanent: retrying cannot help (no token, refused token, a failed bulk operation). */
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export async function offlineToken(db: D1Database, shopDomain: string): Promise<string> {
  const row = await db.prepare("SELECT accessToken FROM Session WHERE id = ?").bind(`offline_${shopDomain}`).first<{ accessToken: string }>();
  if (!row?.accessToken) throw new SyncError(`no offline session for ${shopDomain}: reinstall the app`, true);
  return row.accessToken;
}

export function adminClient(
  env: Pick<Env, "SHOPIFY_ADMIN_API_ORIGIN">,
  shopDomain: string,
  accessToken: string,
  onWait: (ms: number, reason: WaitReason) => void,
): AdminGraphql {
  return createAdminGraphql({
    shopDomain,
    accessToken,
    apiVersion: ADMIN_API_VERSION,
    origin: new URL(adminGraphqlUrl(env, shopDomain)).origin,
    // A slice is bounded in time: a request gives up after a few tries and the slice is retried later.
    maxAttempts: 4,
    maxWaitMs: 10_000,
    onWait,
  });
}

const PRODUCT_FIELDS = `
  id
  handle
  title
  descriptionHtml
  vendor
  productType
  tags
  status
  createdAt
  updatedAt
  featuredMedia { preview { image { url altText } } }`;

export const COUNT_QUERY = `#graphql
  query WandCatalogCount {
    shop { currencyCode }
    productsCount(query: "status:active", limit: null) { count precision }
  }`;

/** A products page: 50 products × 5 variants keeps a page's cost far under the 1000-point cap. */
export const PAGE_SIZE = 50;
export const PAGE_QUERY = `#graphql
  query WandCatalogPage($first: Int!, $after: String) {
    shop { currencyCode }
    products(first: $first, after: $after, sortKey: ID, query: "status:active") {
      pageInfo { hasNextPage endCursor }
      nodes {${PRODUCT_FIELDS}
        variants(first: 5) { nodes { id price compareAtPrice availableForSale } }
      }
    }
  }`;

/** The bulk query: connections are flattened into JSONL lines (variants with `__parentId`). */
export const BULK_PRODUCTS_QUERY = `{
  products(query: "status:active") {
    edges { node {${PRODUCT_FIELDS}
      variants { edges { node { id price compareAtPrice availableForSale } } }
    } }
  }
}`;

/**
 * groupObjects: true puts each variant line right after its product (core/bulk-jsonl.ts assembles
 * a product from consecutive lines); since API 2026-01 Shopify's default is false (ungrouped).
 */
export const BULK_RUN_MUTATION = `#graphql
  mutation WandBulkCatalog($query: String!) {
    bulkOperationRunQuery(query: $query, groupObjects: true) {
      bulkOperation { id status }
      userErrors { field message }
    }
  }`;

const BULK_FIELDS = "id status errorCode objectCount fileSize url partialDataUrl";
export const BULK_STATUS_QUERY = `#graphql
  query WandBulkStatus($id: ID!) { node(id: $id) { ... on BulkOperation { ${BULK_FIELDS} } } }`;
export const CURRENT_BULK_QUERY = `#graphql
  query WandCurrentBulk { currentBulkOperation(type: QUERY) { ${BULK_FIELDS} } }`;

const countSchema = z.object({
  shop: z.object({ currencyCode: z.string() }),
  productsCount: z.object({ count: z.number().int().nonnegative(), precision: z.string() }),
});

export async function shopCatalogCount(client: AdminGraphql): Promise<{ count: number; exact: boolean; currency: string }> {
  const parsed = countSchema.safeParse(await client.request(COUNT_QUERY));
  if (!parsed.success) throw new SyncError(`unexpected productsCount answer: ${parsed.error.issues[0]?.message ?? "invalid"}`, false);
  return { count: parsed.data.productsCount.count, exact: parsed.data.productsCount.precision === "EXACT", currency: parsed.data.shop.currencyCode };
}

export const pageSchema = z.object({
  shop: z.object({ currencyCode: z.string() }),
  products: z.object({
    pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() }),
    // Validated one by one (core/shopify-product.ts), so one odd product skips itself, not the page.
    nodes: z.array(z.unknown()),
  }),
});

const bigCount = z.union([z.string(), z.number()]).transform((v) => Number(v));
const bulkOperationSchema = z.object({
  id: z.string(),
  status: z.string(),
  errorCode: z.string().nullish(),
  objectCount: bigCount.nullish(),
  fileSize: bigCount.nullish(),
  url: z.string().nullish(),
  partialDataUrl: z.string().nullish(),
});
export type BulkOperation = z.infer<typeof bulkOperationSchema>;

const runSchema = z.object({
  bulkOperationRunQuery: z.object({
    bulkOperation: z.object({ id: z.string(), status: z.string() }).nullish(),
    userErrors: z.array(z.object({ message: z.string() })),
  }),
});

/** Starts the bulk query; a query of ours already running (a retried start) is adopted. */
export async function startBulkOperation(client: AdminGraphql): Promise<string> {
  const parsed = runSchema.safeParse(await client.request(BULK_RUN_MUTATION, { query: BULK_PRODUCTS_QUERY }));
  if (!parsed.success) throw new SyncError("unexpected bulkOperationRunQuery answer", false);
  const { bulkOperation, userErrors } = parsed.data.bulkOperationRunQuery;
  if (bulkOperation) return bulkOperation.id;
  const messages = userErrors.map((e) => e.message).join("; ");
  if (/already in progress/i.test(messages)) {
    const current = await currentBulkOperation(client);
    if (current && (current.status === "CREATED" || current.status === "RUNNING")) return current.id;
    throw new SyncError(`bulk operation refused: ${messages}`, false);
  }
  throw new SyncError(`bulk operation refused: ${messages || "no operation"}`, true);
}

export async function bulkOperationStatus(client: AdminGraphql, id: string): Promise<BulkOperation | null> {
  const data = await client.request(BULK_STATUS_QUERY, { id });
  const parsed = z.object({ node: bulkOperationSchema.nullish() }).safeParse(data);
  if (!parsed.success) throw new SyncError("unexpected bulk operation status answer", false);
  return parsed.data.node ?? null;
}

export async function currentBulkOperation(client: AdminGraphql): Promise<BulkOperation | null> {
  const parsed = z.object({ currentBulkOperation: bulkOperationSchema.nullish() }).safeParse(await client.request(CURRENT_BULK_QUERY));
  if (!parsed.success) throw new SyncError("unexpected currentBulkOperation answer", false);
  return parsed.data.currentBulkOperation ?? null;
}
