import { z } from "zod";
import { htmlToText } from "../core/html-text.ts";
import { normaliseDecimal } from "../core/money.ts";
import type { Product } from "../core/types.ts";

/**
 * An Admin GraphQL product node (as PRODUCTS_QUERY in catalog-sync.server.ts asks for it) → the core
 * Product the edge and the generator see. Same rules as the CSV import (core/catalog-import.ts):
 * price and compare-at of the variant a shopper would add, a compare-at not above the price is no
 * sale, description as plain text, alt text falls back to the title.
 */
const moneySchema = z.union([z.string(), z.number()]).transform((v) => String(v));

export const productNodeSchema = z.object({
  id: z.string(),
  handle: z.string(),
  title: z.string(),
  descriptionHtml: z.string().nullish(),
  vendor: z.string().nullish(),
  productType: z.string().nullish(),
  tags: z.array(z.string()).nullish(),
  status: z.string().nullish(),
  featuredMedia: z
    .object({ preview: z.object({ image: z.object({ url: z.string(), altText: z.string().nullish() }).nullish() }).nullish() })
    .nullish(),
  variants: z.object({
    nodes: z.array(
      z.object({ id: z.string(), price: moneySchema, compareAtPrice: moneySchema.nullish(), availableForSale: z.boolean() }),
    ),
  }),
});

export type ProductNode = z.infer<typeof productNodeSchema>;

/** "gid://shopify/ProductVariant/123" → "123" (the id /cart/add expects). */
export function numericId(gid: string): string | null {
  const match = /\/(\d+)$/.exec(gid);
  return match?.[1] ?? null;
}

export function toProduct(node: ProductNode, currency: string): Product | null {
  const variants = node.variants.nodes;
  // The variant the page's add-to-cart form adds: the first one for sale, else the first one.
  const variant = variants.find((v) => v.availableForSale) ?? variants[0];
  if (!variant) return null;
  const variantId = numericId(variant.id);
  const price = normaliseDecimal(variant.price);
  if (!variantId || price === null) return null;
  let compareAtPrice = variant.compareAtPrice ? normaliseDecimal(variant.compareAtPrice) : null;
  if (compareAtPrice !== null && Number(compareAtPrice) <= Number(price)) compareAtPrice = null;
  const image = node.featuredMedia?.preview?.image;
  const active = !node.status || node.status.toUpperCase() === "ACTIVE";
  return {
    id: node.id,
    handle: node.handle,
    title: node.title,
    description: htmlToText(node.descriptionHtml ?? ""),
    vendor: node.vendor ?? "",
    productType: node.productType ?? "",
    tags: (node.tags ?? []).map((t) => t.trim()).filter((t) => t.length > 0),
    price,
    compareAtPrice,
    currency,
    image: image ? { url: image.url, alt: image.altText?.trim() || node.title } : null,
    available: active && variants.some((v) => v.availableForSale),
    firstVariantId: variantId,
  };
}
