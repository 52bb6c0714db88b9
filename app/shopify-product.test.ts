import { describe, expect, it } from "vitest";
import { numericId, toProduct } from "./shopify-product";
import { productNode } from "./test/fake-admin-api";

describe("Admin API product → core Product", () => {
  it("takes the numeric variant id from the GID", () => {
    expect(numericId("gid://shopify/ProductVariant/44012345678")).toBe("44012345678");
    expect(numericId("not-a-gid")).toBeNull();
  });

  it("uses the first variant for sale, and is unavailable when none is", () => {
    const node = productNode(1, {
      variants: {
        nodes: [
          { id: "gid://shopify/ProductVariant/1", price: "9.00", compareAtPrice: null, availableForSale: false },
          { id: "gid://shopify/ProductVariant/2", price: "12", compareAtPrice: "15", availableForSale: true },
        ],
      },
    });
    expect(toProduct(node, "USD")).toMatchObject({ firstVariantId: "2", price: "12.00", compareAtPrice: "15.00", available: true });
    const soldOut = productNode(2, { variants: { nodes: [{ id: "gid://shopify/ProductVariant/3", price: "5.00", compareAtPrice: null, availableForSale: false }] } });
    expect(toProduct(soldOut, "USD")).toMatchObject({ firstVariantId: "3", available: false });
  });

  it("drops a compare-at price that is not above the price (no sale)", () => {
    const node = productNode(1, { variants: { nodes: [{ id: "gid://shopify/ProductVariant/1", price: "20.00", compareAtPrice: "20.00", availableForSale: true }] } });
    expect(toProduct(node, "USD")?.compareAtPrice).toBeNull();
  });

  it("reduces HTML descriptions to text and falls back to the title for alt text", () => {
    const node = productNode(3, { descriptionHtml: "<p>Soft <em>cotton</em><script>x()</script></p>", featuredMedia: { preview: { image: { url: "https://cdn/x.jpg", altText: "" } } } });
    const product = toProduct(node, "USD");
    expect(product?.description).not.toContain("<");
    expect(product?.description).toContain("Soft cotton");
    expect(product?.image).toEqual({ url: "https://cdn/x.jpg", alt: "Product 3" });
  });

  it("skips a product without variants or with an unreadable price", () => {
    expect(toProduct(productNode(1, { variants: { nodes: [] } }), "USD")).toBeNull();
    expect(toProduct(productNode(1, { variants: { nodes: [{ id: "gid://shopify/ProductVariant/1", price: "free", availableForSale: true }] } }), "USD")).toBeNull();
  });
});
