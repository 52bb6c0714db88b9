import { describe, expect, it } from "vitest";
import { cartAddUrl, isHttpUrl, productUrl, shopBaseUrl, shopHomeUrl } from "./urls.ts";

describe("shop URLs", () => {
  it("are relative for the app proxy (base \"\")", () => {
    expect(productUrl("", "clay-plant-pot")).toBe("/products/clay-plant-pot");
    expect(cartAddUrl("")).toBe("/cart/add");
    expect(shopHomeUrl("")).toBe("/");
  });

  it("are absolute on the shop's domain for the direct route", () => {
    const base = shopBaseUrl("demo-home.myshopify.com");
    expect(base).toBe("https://demo-home.myshopify.com");
    expect(productUrl(base, "cream-sofa")).toBe("https://demo-home.myshopify.com/products/cream-sofa");
    expect(cartAddUrl(`${base}/`)).toBe("https://demo-home.myshopify.com/cart/add");
  });

  it("keeps a hostile handle inside the path", () => {
    expect(productUrl("", "../admin?x=1#y")).toBe("/products/..%2Fadmin%3Fx%3D1%23y");
    expect(productUrl("", "a b")).toBe("/products/a%20b");
  });

  it("accepts only http(s) image URLs", () => {
    expect(isHttpUrl("https://burst.shopifycdn.com/photos/a_925x.jpg")).toBe(true);
    expect(isHttpUrl("http://cdn.example/a.jpg")).toBe(true);
    for (const bad of ["javascript:alert(1)", "data:image/png;base64,xx", "//cdn.example/a.jpg", 'https://x/"onerror=', "https://x/a b", ""]) {
      expect(isHttpUrl(bad)).toBe(false);
    }
  });
});
