import { z } from "zod";
import { htmlToText } from "./html-text.ts";
import { normaliseDecimal } from "./money.ts";
import type { CatalogProduct } from "./types.ts";

/**
 * Shopify's three shapes of a product → the core CatalogProduct the catalog rows hold:
 * - an Admin GraphQL product node (a products page of a small shop's sync);
 * - the objects of a bulk operation's JSONL result (a product line, then its variant lines, each
 *   with `__parentId`), assembled by core/bulk-jsonl.ts;
 * - the REST payload of a products/create|update webhook (and products/delete's `{ id }`).
 * All three give the same id (`gid://shopify/Product/<n>`), so they write the same row. Same rules
 * as the CSV import (core/catalog-import.ts): the price and compare-at of the variant a shopper would
 * add, a compare-at not above the price is no sale, the description as plain text, alt text falls
 * back to the title; available = the product is active and a variant is for sale.
 */

export type ProductOutcome = { ok: true; product: CatalogProduct } | { ok: false; reason: string };

const moneySchema = z.union([z.string(), z.number()]).transform((v) => String(v));

const imageSchema = z.object({ url: z.string(), altText: z.string().nullish() });
const variantNodeSchema = z.object({ id: z.string(), price: moneySchema, compareAtPrice: moneySchema.nullish(), availableForSale: z.boolean() });

const productFields = {
  id: z.string(),
  handle: z.string(),
  title: z.string(),
  descriptionHtml: z.string().nullish(),
  vendor: z.string().nullish(),
  productType: z.string().nullish(),
  tags: z.array(z.string()).nullish(),
  status: z.string().nullish(),
  /** ISO times; the durable sync's queries always ask for them. */
  createdAt: z.string().nullish(),
  updatedAt: z.string().nullish(),
  featuredMedia: z.object({ preview: z.object({ image: imageSchema.nullish() }).nullish() }).nullish(),
};

export const productNodeSchema = z.object({ ...productFields, variants: z.object({ nodes: z.array(variantNodeSchema) }) });
export type ProductNode = z.infer<typeof productNodeSchema>;

/** "gid://shopify/ProductVariant/123" → "123" (the id /cart/add expects). */
export function numericId(gid: string): string | null {
  const match = /\/(\d+)$/.exec(gid);
  return match?.[1] ?? null;
}

export const productGid = (id: number | string): string => `gid://shopify/Product/${id}`;

/** Epoch ms of an ISO time; 0 when absent or unreadable (any later write then wins). */
function epochMs(iso: string | null | undefined): number {
  if (!iso) return 0;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : 0;
}

interface Fields {
  id: string;
  handle: string;
  title: string;
  html: string | null | undefined;
  vendor: string | null | undefined;
  productType: string | null | undefined;
  tags: readonly string[];
  active: boolean;
  createdAt: string | null | undefined;
  updatedAt: string | null | undefined;
  image: { url: string; alt: string | null | undefined } | null | undefined;
  /** The variants in the shop's order, with whether each can be bought now. */
  variants: { id: string; price: string; compareAtPrice: string | null | undefined; forSale: boolean }[];
}

/** The rules shared by every shape. */
function build(f: Fields, currency: string): ProductOutcome {
  if (!f.handle.trim()) return { ok: false, reason: `product ${f.id} has no handle` };
  // The variant the page's add-to-cart form adds: the first one for sale, else the first one.
  const variant = f.variants.find((v) => v.forSale) ?? f.variants[0];
  if (!variant) return { ok: false, reason: `product ${f.handle} has no variants` };
  const variantId = numericId(variant.id) ?? (/^\d+$/.test(variant.id) ? variant.id : null);
  if (!variantId) return { ok: false, reason: `product ${f.handle}: variant id ${JSON.stringify(variant.id)} is not a Shopify id` };
  const price = normaliseDecimal(variant.price);
  if (price === null) return { ok: false, reason: `product ${f.handle}: price ${JSON.stringify(variant.price)} is not a decimal` };
  let compareAtPrice = variant.compareAtPrice ? normaliseDecimal(variant.compareAtPrice) : null;
  if (compareAtPrice !== null && Number(compareAtPrice) <= Number(price)) compareAtPrice = null;
  return {
    ok: true,
    product: {
      id: f.id,
      handle: f.handle,
      title: f.title,
      description: htmlToText(f.html ?? ""),
      vendor: f.vendor ?? "",
      productType: f.productType ?? "",
      tags: f.tags.map((t) => t.trim()).filter((t) => t.length > 0),
      price,
      compareAtPrice,
      currency,
      image: f.image ? { url: f.image.url, alt: f.image.alt?.trim() || f.title } : null,
      available: f.active && f.variants.some((v) => v.forSale),
      firstVariantId: variantId,
      listedAt: epochMs(f.createdAt),
      updatedAt: epochMs(f.updatedAt),
    },
  };
}

const isActive = (status: string | null | undefined): boolean => !status || status.toUpperCase() === "ACTIVE";

function nodeFields(node: Omit<ProductNode, "variants">, variants: z.infer<typeof variantNodeSchema>[]): Fields {
  const image = node.featuredMedia?.preview?.image;
  return {
    id: node.id,
    handle: node.handle,
    title: node.title,
    html: node.descriptionHtml,
    vendor: node.vendor,
    productType: node.productType,
    tags: node.tags ?? [],
    active: isActive(node.status),
    createdAt: node.createdAt,
    updatedAt: node.updatedAt,
    image: image ? { url: image.url, alt: image.altText } : null,
    variants: variants.map((v) => ({ id: v.id, price: v.price, compareAtPrice: v.compareAtPrice, forSale: v.availableForSale })),
  };
}

/** An Admin GraphQL product node (validated or not) → CatalogProduct, or why it was skipped. */
export function productFromNode(input: unknown, currency: string): ProductOutcome {
  const node = productNodeSchema.safeParse(input);
  if (!node.success) return { ok: false, reason: `unreadable product node (${describe(input)}): ${issue(node.error)}` };
  return build(nodeFields(node.data, node.data.variants.nodes), currency);
}

// ── Bulk operation JSONL ────────────────────────────────────────────────────────────────────
// A bulk query flattens connections: the product line carries the product's own fields, each
// variant is a line of its own with `__parentId` = the product's id, written after its parent.

export const bulkProductLineSchema = z.object(productFields);
const bulkVariantLineSchema = variantNodeSchema.extend({ __parentId: z.string() });

/** A product line and its child lines (as core/bulk-jsonl.ts assembles them) → CatalogProduct. */
export function productFromBulkLines(productLine: unknown, children: readonly unknown[], currency: string): ProductOutcome {
  const product = bulkProductLineSchema.safeParse(productLine);
  if (!product.success) return { ok: false, reason: `unreadable product line (${describe(productLine)}): ${issue(product.error)}` };
  const variants: z.infer<typeof variantNodeSchema>[] = [];
  for (const child of children) {
    // Only variants are asked for; any other child (a nested connection added later) is not a variant.
    if (!isRecord(child) || typeof child.id !== "string" || !child.id.startsWith("gid://shopify/ProductVariant/")) continue;
    const variant = bulkVariantLineSchema.safeParse(child);
    if (!variant.success) return { ok: false, reason: `product ${product.data.handle}: unreadable variant line: ${issue(variant.error)}` };
    if (variant.data.__parentId !== product.data.id) {
      return { ok: false, reason: `product ${product.data.handle}: variant ${variant.data.id} belongs to ${variant.data.__parentId}` };
    }
    variants.push(variant.data);
  }
  return build(nodeFields(product.data, variants), currency);
}

// ── REST webhook payloads ───────────────────────────────────────────────────────────────────

const restId = z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).transform((v) => String(v));
const restImageSchema = z.object({ src: z.string(), alt: z.string().nullish() });

export const restProductSchema = z.object({
  id: restId,
  handle: z.string(),
  title: z.string(),
  body_html: z.string().nullish(),
  vendor: z.string().nullish(),
  product_type: z.string().nullish(),
  /** "a, b" in REST payloads; an array is accepted too. */
  tags: z.union([z.string(), z.array(z.string())]).nullish(),
  status: z.string().nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string(),
  variants: z
    .array(
      z.object({
        id: restId,
        price: moneySchema,
        compare_at_price: moneySchema.nullish(),
        inventory_quantity: z.number().nullish(),
        inventory_policy: z.string().nullish(),
        /** null when Shopify does not track the variant's stock (always for sale). */
        inventory_management: z.string().nullish(),
      }),
    )
    .nullish(),
  image: restImageSchema.nullish(),
  images: z.array(restImageSchema).nullish(),
});
export type RestProduct = z.infer<typeof restProductSchema>;

export const restDeleteSchema = z.object({ id: restId });

type RestVariant = NonNullable<RestProduct["variants"]>[number];

/** For sale: in stock, sold when out of stock ("continue"), or stock not tracked. */
function restVariantForSale(v: RestVariant): boolean {
  if ((v.inventory_quantity ?? 0) > 0) return true;
  if (v.inventory_policy === "continue") return true;
  return v.inventory_management === null;
}

/** A products/create|update webhook body → CatalogProduct (currency: the shop's; REST omits it). */
export function productFromRest(input: unknown, currency: string): ProductOutcome {
  const parsed = restProductSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: `unreadable product payload (${describe(input)}): ${issue(parsed.error)}` };
  const p = parsed.data;
  const tags = typeof p.tags === "string" ? p.tags.split(",") : (p.tags ?? []);
  const image = p.image ?? p.images?.[0] ?? null;
  return build(
    {
      id: productGid(p.id),
      handle: p.handle,
      title: p.title,
      html: p.body_html,
      vendor: p.vendor,
      productType: p.product_type,
      tags,
      active: isActive(p.status),
      createdAt: p.created_at,
      updatedAt: p.updated_at,
      image: image ? { url: image.src, alt: image.alt } : null,
      variants: (p.variants ?? []).map((v) => ({ id: v.id, price: v.price, compareAtPrice: v.compare_at_price, forSale: restVariantForSale(v) })),
    },
    currency,
  );
}

/** The product id of a products/delete body (`{ id }`), or why it has none. */
export function deletedProductId(input: unknown): { ok: true; productId: string } | { ok: false; reason: string } {
  const parsed = restDeleteSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: `unreadable products/delete payload: ${issue(parsed.error)}` };
  return { ok: true, productId: productGid(parsed.data.id) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(input: unknown): string {
  if (!isRecord(input)) return input === null ? "null" : typeof input;
  const label = input.handle ?? input.id;
  return typeof label === "string" || typeof label === "number" ? String(label) : "no id";
}

function issue(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return "invalid";
  return first.path.length ? `${first.path.join(".")}: ${first.message}` : first.message;
}
