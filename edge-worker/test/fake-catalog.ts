/**
 * A deterministic synthetic Shopify catalog, the same on both sides of the tests: the fake Admin
 * API (Node) serves it as products pages and as a bulk JSONL file, and the workerd tests compute
 * what the catalog sync should have stored from it. Product `i` of a seed is a pure function of
 * (seed, i), so nothing needs to hold the catalog. Pure TypeScript: no Node or workerd imports.
 */

const TYPES = ["Shirts", "Hats", "Shoes", "Bags", "Scarves", "Socks", "Jackets", "Belts", "Gloves", "Café mugs"];
const EPOCH = Date.parse("2025-01-01T00:00:00Z");
/** The time every synthetic product was last changed; webhooks in tests use later times. */
export const FAKE_UPDATED_AT = "2026-06-01T00:00:00.000Z";

/** A small integer hash of (seed, i), so prices and flags look varied but are reproducible. */
function mix(seed: string, i: number): number {
  let h = 2166136261 ^ i;
  for (let k = 0; k < seed.length; k++) h = Math.imul(h ^ seed.charCodeAt(k), 16777619);
  h = Math.imul(h ^ (h >>> 15), 2246822507);
  return (h ^ (h >>> 13)) >>> 0;
}

// Sentences a product description is made of, as a merchant writes them (600–1,200 characters in
// all, ~1.46 KB of JSON per product, as real catalogs have).
const SENTENCES = [
  "Made in small batches from materials we chose for how they wear over years, not weeks.",
  "The cut is relaxed without being loose, so it layers easily over whatever you already own.",
  "Every seam is finished by hand and checked twice before it leaves our workshop in Porto.",
  "It washes cold and dries flat; the colour settles after the first wash and then stays put.",
  "We tested it on long walks, rainy commutes and one very muddy weekend in the mountains.",
  "The lining is a soft cotton twill that keeps its shape and never clings on a warm day.",
  "Sizes run true: if you are between two, our customers usually pick the larger one.",
  "Packed in recycled paper with no plastic, and shipped carbon-neutral from our warehouse.",
  "Pairs well with the rest of the collection, and just as well with the things you love most.",
  "Repairs are free for the first two years; send it back and we will make it right again.",
  "Designed in Lisbon by a team of four who still answer every customer email themselves.",
  "The hardware is solid brass, brushed by hand, and it will age to a warm, even patina.",
];

function description(type: string, i: number, h: number): string {
  const parts = [`<p>${type} ${i}: an everyday favourite, made to last.</p><p>`];
  let length = parts[0]!.length;
  const target = 615 + (h % 490);
  for (let k = 0; length < target; k++) {
    const sentence = SENTENCES[(h + k * 7) % SENTENCES.length]!;
    parts.push(k ? ` ${sentence}` : sentence);
    length += sentence.length + (k ? 1 : 0);
  }
  parts.push("</p>");
  return parts.join("");
}

export const fakeProductGid = (i: number): string => `gid://shopify/Product/${7_000_000 + i}`;
const variantGid = (i: number, v: number): string => `gid://shopify/ProductVariant/${90_000_000 + i * 4 + v}`;

export interface FakeVariant {
  id: string;
  price: string;
  compareAtPrice: string | null;
  availableForSale: boolean;
}

/** The product's own fields, as a bulk JSONL product line (and a products page node without variants). */
export interface FakeProductLine {
  id: string;
  handle: string;
  title: string;
  descriptionHtml: string;
  vendor: string;
  productType: string;
  tags: string[];
  status: string;
  createdAt: string;
  updatedAt: string;
  featuredMedia: { preview: { image: { url: string; altText: string | null } } };
}

export function fakeProductLine(seed: string, i: number): FakeProductLine {
  const h = mix(seed, i);
  const type = TYPES[h % TYPES.length]!;
  return {
    id: fakeProductGid(i),
    handle: `p-${i}`,
    // A multi-byte character in every line exercises UTF-8 decoding across chunk boundaries.
    title: `${type} nº ${i}`,
    descriptionHtml: description(type, i, h),
    vendor: "Fake & Co",
    productType: type,
    tags: h % 3 === 0 ? ["sale"] : ["core"],
    status: "ACTIVE",
    createdAt: new Date(EPOCH + i * 60_000).toISOString(),
    updatedAt: FAKE_UPDATED_AT,
    featuredMedia: { preview: { image: { url: `https://cdn.example.com/${seed}/${i}.jpg`, altText: null } } },
  };
}

export function fakeVariants(seed: string, i: number): FakeVariant[] {
  const h = mix(seed, i);
  const count = 1 + (h % 2);
  const cents = 500 + ((h >>> 4) % 9500);
  const onSale = (h >>> 12) % 5 === 0;
  // One product in 16 is sold out (no variant for sale).
  const soldOut = (h >>> 16) % 16 === 0;
  return Array.from({ length: count }, (_, v) => ({
    id: variantGid(i, v),
    price: decimal(cents + v * 100),
    compareAtPrice: onSale ? decimal(Math.round((cents + v * 100) * (1.2 + ((h >>> 20) % 50) / 100))) : null,
    availableForSale: !soldOut,
  }));
}

/** A products page node (`variants(first: 5) { nodes }`). */
export function fakeProductNode(seed: string, i: number): FakeProductLine & { variants: { nodes: FakeVariant[] } } {
  return { ...fakeProductLine(seed, i), variants: { nodes: fakeVariants(seed, i) } };
}

/** The JSONL lines of product `i` in a bulk result: the product, then its variants with `__parentId`. */
export function fakeJsonlLines(seed: string, i: number): string {
  const product = fakeProductLine(seed, i);
  let out = `${JSON.stringify(product)}\n`;
  for (const v of fakeVariants(seed, i)) out += `${JSON.stringify({ ...v, __parentId: product.id })}\n`;
  return out;
}

/** Objects in a bulk result of n products (Shopify's `objectCount` counts every line). */
export function fakeObjectCount(seed: string, n: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) count += 1 + fakeVariants(seed, i).length;
  return count;
}

/** The products/update webhook body Shopify would send for product `i` with the given changes. */
export function fakeRestPayload(
  seed: string,
  i: number,
  o: { updatedAt: string; title?: string; price?: string; compareAtPrice?: string | null; inventoryQuantity?: number },
): Record<string, unknown> {
  const line = fakeProductLine(seed, i);
  const variants = fakeVariants(seed, i);
  const numeric = (gid: string) => Number(gid.slice(gid.lastIndexOf("/") + 1));
  return {
    id: numeric(line.id),
    handle: line.handle,
    title: o.title ?? line.title,
    body_html: line.descriptionHtml,
    vendor: line.vendor,
    product_type: line.productType,
    tags: line.tags.join(", "),
    status: "active",
    created_at: line.createdAt,
    updated_at: o.updatedAt,
    admin_graphql_api_id: line.id,
    variants: variants.map((v, k) => ({
      id: numeric(v.id),
      product_id: numeric(line.id),
      price: k === 0 && o.price !== undefined ? o.price : v.price,
      compare_at_price: k === 0 && o.compareAtPrice !== undefined ? o.compareAtPrice : v.compareAtPrice,
      inventory_quantity: o.inventoryQuantity ?? (v.availableForSale ? 10 : 0),
      inventory_policy: "deny",
      inventory_management: "shopify",
    })),
    image: { src: line.featuredMedia.preview.image.url, alt: null },
  };
}

/** Product index and variant index of a variant GID of the synthetic catalog, or null. */
export function fakeVariantIndex(gid: string): { i: number; v: number } | null {
  const m = /^gid:\/\/shopify\/ProductVariant\/(\d+)$/.exec(gid);
  if (!m) return null;
  const n = Number(m[1]) - 90_000_000;
  return n >= 0 ? { i: Math.floor(n / 4), v: n % 4 } : null;
}

/** Product index of a product GID of the synthetic catalog, or null. */
export function fakeProductIndex(gid: string): number | null {
  const m = /^gid:\/\/shopify\/Product\/(\d+)$/.exec(gid);
  const n = m ? Number(m[1]) - 7_000_000 : -1;
  return n >= 0 ? n : null;
}

/**
 * The price Shopify charges for variant v of product i in a market: the price list's fixed price
 * when it has one for the product, else the base price converted at the market's rate (rounded to
 * the cent, half up). The fake Admin API answers contextualPricing with it, and tests compare what
 * the edge stored and showed against it.
 */
export function fakeContextualPrice(
  seed: string,
  i: number,
  v: number,
  market: { currency: string; rate?: number; fixed?: Record<number, { price: string; compareAtPrice: string | null }> },
): { price: string; compareAtPrice: string | null; currency: string } | null {
  const variant = fakeVariants(seed, i)[v];
  if (!variant) return null;
  const fixed = market.fixed?.[i];
  if (fixed) return { ...fixed, currency: market.currency };
  const rate = market.rate ?? 1;
  const convert = (amount: string) => decimal(Math.round(Math.round(Number(amount) * 100) * rate));
  return { price: convert(variant.price), compareAtPrice: variant.compareAtPrice === null ? null : convert(variant.compareAtPrice), currency: market.currency };
}

function decimal(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}
