/**
 * Shop URLs on a page. The page is rendered against a base URL, never a hard-coded origin:
 * through the app proxy the page is on the shop's own origin, so the base is "" and links are
 * relative; on the direct `/s/<store>` route the base is "https://<shopDomain>".
 */

function trimBase(baseUrl: string): string {
  return baseUrl.endsWith("/") ? baseUrl.replace(/\/+$/, "") : baseUrl;
}

/** The shop's home page: "/" for a relative base. */
export function shopHomeUrl(baseUrl: string): string {
  return `${trimBase(baseUrl)}/`;
}

/** `<base>/products/<handle>`; the handle is percent-encoded, so it can never leave the path. */
export function productUrl(baseUrl: string, handle: string): string {
  return `${trimBase(baseUrl)}/products/${encodeURIComponent(handle)}`;
}

/** `<base>/cart/add`: Shopify's no-JavaScript add-to-cart endpoint (form POST). */
export function cartAddUrl(baseUrl: string): string {
  return `${trimBase(baseUrl)}/cart/add`;
}

/** The base URL of the direct route for a shop domain ("demo.myshopify.com" → "https://demo.myshopify.com"). */
export function shopBaseUrl(shopDomain: string): string {
  return `https://${shopDomain}`;
}

// An absolute http(s) URL with no whitespace, quotes or angle brackets.
const HTTP_URL = /^https?:\/\/[^\s"'<>`]+$/i;

/** True for the only image URLs a page may carry (CSP allows https and data; catalogs give http(s)). */
export function isHttpUrl(url: string): boolean {
  return HTTP_URL.test(url);
}
