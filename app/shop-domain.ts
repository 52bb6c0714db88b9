/**
 * A shop's store id (URL slug and cache-key part) from its myshopify domain: "acme.myshopify.com" →
 * "acme". The domain is validated by Shopify's libraries before it gets here.
 */
export function storeOf(shopDomain: string): string {
  return shopDomain.toLowerCase().replace(/\.myshopify\.com$/, "").replace(/[^a-z0-9-]/g, "-");
}
