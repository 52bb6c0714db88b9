import { describe, expect, it } from "vitest";
import { deletedProductId, numericId, productFromBulkLines, productFromNode, productFromRest, type ProductNode } from "./shopify-product.ts";

const mapped = (n: unknown) => {
  const outcome = productFromNode(n, "USD");
  return outcome.ok ? outcome.product : null;
};

function node(i: number, overrides: Partial<ProductNode> = {}): ProductNode {
  return {
    id: `gid://shopify/Product/${1000 + i}`,
    handle: `product-${i}`,
    title: `Product ${i}`,
    descriptionHtml: `<p>The <strong>${i}th</strong> product.</p>`,
    vendor: "Acme",
    productType: "Shirts",
    tags: ["new", " summer "],
    status: "ACTIVE",
    createdAt: "2026-01-02T03:04:05Z",
    updatedAt: "2026-11-30T10:00:00Z",
    featuredMedia: { preview: { image: { url: `https://cdn.shopify.com/p${i}.jpg`, altText: `Photo ${i}` } } },
    variants: { nodes: [{ id: `gid://shopify/ProductVariant/${5000 + i}`, price: `${10 + i}.5`, compareAtPrice: null, availableForSale: true }] },
    ...overrides,
  };
}

/** A products/update body as Shopify's REST webhook sends it (trimmed to the fields we read, plus noise). */
function restPayload(overrides: Record<string, unknown> = {}, variant: Record<string, unknown> = {}) {
  return {
    id: 1001,
    handle: "product-1",
    title: "Product 1",
    body_html: "<p>The <strong>1th</strong> product.</p>",
    vendor: "Acme",
    product_type: "Shirts",
    tags: "new, summer",
    status: "active",
    created_at: "2026-01-01T22:04:05-05:00",
    updated_at: "2026-11-30T05:00:00-05:00",
    published_scope: "web",
    admin_graphql_api_id: "gid://shopify/Product/1001",
    variants: [
      { id: 5001, product_id: 1001, price: "11.50", compare_at_price: null, inventory_quantity: 3, inventory_policy: "deny", inventory_management: "shopify", ...variant },
    ],
    image: { id: 9, src: "https://cdn.shopify.com/p1.jpg", alt: "Photo 1" },
    images: [{ id: 9, src: "https://cdn.shopify.com/p1.jpg", alt: "Photo 1" }],
    ...overrides,
  };
}

describe("Admin GraphQL product node → CatalogProduct", () => {
  it("takes the numeric variant id from the GID", () => {
    expect(numericId("gid://shopify/ProductVariant/44012345678")).toBe("44012345678");
    expect(numericId("not-a-gid")).toBeNull();
  });

  it("maps the fields, with createdAt as the listing time and updatedAt as the change time", () => {
    const outcome = productFromNode(node(1), "EUR");
    expect(outcome).toEqual({
      ok: true,
      product: {
        id: "gid://shopify/Product/1001",
        handle: "product-1",
        title: "Product 1",
        description: "The 1th product.",
        vendor: "Acme",
        productType: "Shirts",
        tags: ["new", "summer"],
        price: "11.50",
        compareAtPrice: null,
        currency: "EUR",
        image: { url: "https://cdn.shopify.com/p1.jpg", alt: "Photo 1" },
        available: true,
        firstVariantId: "5001",
        listedAt: Date.parse("2026-01-02T03:04:05Z"),
        updatedAt: Date.parse("2026-11-30T10:00:00Z"),
      },
    });
  });

  it("uses the first variant for sale, and is unavailable when none is or the product is not active", () => {
    const two = node(1, {
      variants: {
        nodes: [
          { id: "gid://shopify/ProductVariant/1", price: "9.00", compareAtPrice: null, availableForSale: false },
          { id: "gid://shopify/ProductVariant/2", price: "12", compareAtPrice: "15", availableForSale: true },
        ],
      },
    });
    expect(productFromNode(two, "USD")).toMatchObject({ ok: true, product: { firstVariantId: "2", price: "12.00", compareAtPrice: "15.00", available: true } });
    const soldOut = node(2, { variants: { nodes: [{ id: "gid://shopify/ProductVariant/3", price: "5.00", compareAtPrice: null, availableForSale: false }] } });
    expect(productFromNode(soldOut, "USD")).toMatchObject({ ok: true, product: { firstVariantId: "3", available: false } });
    expect(productFromNode(node(3, { status: "DRAFT" }), "USD")).toMatchObject({ ok: true, product: { available: false } });
  });

  it("drops a compare-at price that is not above the price (no sale)", () => {
    const n = node(1, { variants: { nodes: [{ id: "gid://shopify/ProductVariant/1", price: "20.00", compareAtPrice: "20.00", availableForSale: true }] } });
    expect(mapped(n)?.compareAtPrice).toBeNull();
  });

  it("reduces HTML descriptions to text and falls back to the title for alt text", () => {
    const n = node(3, { descriptionHtml: "<p>Soft <em>cotton</em><script>x()</script></p>", featuredMedia: { preview: { image: { url: "https://cdn/x.jpg", altText: "" } } } });
    const product = mapped(n);
    expect(product?.description).not.toContain("<");
    expect(product?.description).toContain("Soft cotton");
    expect(product?.image).toEqual({ url: "https://cdn/x.jpg", alt: "Product 3" });
  });

  it("skips a product without variants or with an unreadable price, and says why", () => {
    expect(productFromNode(node(1, { variants: { nodes: [] } }), "USD")).toEqual({ ok: false, reason: "product product-1 has no variants" });
    const free = node(1, { variants: { nodes: [{ id: "gid://shopify/ProductVariant/1", price: "free", availableForSale: true }] } });
    expect(productFromNode(free, "USD")).toEqual({ ok: false, reason: 'product product-1: price "free" is not a decimal' });
    const broken = productFromNode({ id: "gid://shopify/Product/9", handle: "h" }, "USD");
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.reason).toMatch(/^unreadable product node \(h\): title: /);
  });
});

describe("bulk operation lines → CatalogProduct", () => {
  const { variants: _variants, ...productLine } = node(7);
  const variantLine = (id: number, forSale: boolean, parent = productLine.id) => ({
    id: `gid://shopify/ProductVariant/${id}`,
    price: "17.50",
    compareAtPrice: "25.00",
    availableForSale: forSale,
    __parentId: parent,
  });

  it("assembles a product from its line and its variant lines, like the GraphQL node", () => {
    const fromBulk = productFromBulkLines(productLine, [variantLine(1, false), variantLine(2, true)], "EUR");
    const fromNode = productFromNode(
      { ...productLine, variants: { nodes: [variantLine(1, false), variantLine(2, true)].map(({ __parentId: _p, ...v }) => v) } },
      "EUR",
    );
    expect(fromBulk).toEqual(fromNode);
    expect(fromBulk).toMatchObject({ ok: true, product: { firstVariantId: "2", compareAtPrice: "25.00", available: true } });
  });

  it("refuses a variant of another product and a product without variants", () => {
    expect(productFromBulkLines(productLine, [variantLine(1, true, "gid://shopify/Product/1")], "EUR")).toEqual({
      ok: false,
      reason: "product product-7: variant gid://shopify/ProductVariant/1 belongs to gid://shopify/Product/1",
    });
    expect(productFromBulkLines(productLine, [], "EUR")).toEqual({ ok: false, reason: "product product-7 has no variants" });
  });
});

describe("REST webhook payload → CatalogProduct", () => {
  it("gives the same row as the GraphQL node of the same product", () => {
    const rest = productFromRest(restPayload(), "EUR");
    const graphql = productFromNode(node(1), "EUR");
    expect(rest).toEqual(graphql);
  });

  it("is for sale in stock, when sold out of stock ('continue'), or when stock is not tracked", () => {
    const available = (variant: Record<string, unknown>) => {
      const outcome = productFromRest(restPayload({}, variant), "EUR");
      return outcome.ok && outcome.product.available;
    };
    expect(available({ inventory_quantity: 1 })).toBe(true);
    expect(available({ inventory_quantity: 0 })).toBe(false);
    expect(available({ inventory_quantity: -2, inventory_policy: "continue" })).toBe(true);
    expect(available({ inventory_quantity: 0, inventory_management: null })).toBe(true);
    expect(productFromRest(restPayload({ status: "archived" }), "EUR")).toMatchObject({ ok: true, product: { available: false } });
  });

  it("splits the tag string, takes the first image when `image` is absent, and reads a sale", () => {
    const outcome = productFromRest(
      restPayload({ tags: " Summer ,, linen", image: null, images: [{ src: "https://cdn/a.jpg", alt: null }] }, { price: "8", compare_at_price: "10.00" }),
      "EUR",
    );
    expect(outcome).toMatchObject({
      ok: true,
      product: { tags: ["Summer", "linen"], image: { url: "https://cdn/a.jpg", alt: "Product 1" }, price: "8.00", compareAtPrice: "10.00" },
    });
  });

  it("says why a payload is unusable", () => {
    expect(productFromRest(restPayload({ variants: [] }), "EUR")).toEqual({ ok: false, reason: "product product-1 has no variants" });
    const noTime = productFromRest(restPayload({ updated_at: undefined }), "EUR");
    expect(!noTime.ok && noTime.reason).toBe("unreadable product payload (product-1): updated_at: Invalid input: expected string, received undefined");
    expect(productFromRest("nope", "EUR")).toMatchObject({ ok: false });
  });

  it("reads the product id of a products/delete body", () => {
    expect(deletedProductId({ id: 1001 })).toEqual({ ok: true, productId: "gid://shopify/Product/1001" });
    expect(deletedProductId({ id: "x" })).toMatchObject({ ok: false });
  });
});
