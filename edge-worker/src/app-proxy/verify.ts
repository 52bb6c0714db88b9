/**
 * Shopify app-proxy signature verification (DESIGN.md, "App-proxy facts").
 *
 * Shopify signs every request it forwards from `https://<shop>/apps/wand/...` to `/proxy/...`:
 * drop `signature`, turn each parameter into `key=value` (a repeated key's values joined by ","),
 * sort, concatenate with no separator, and take the hex HMAC-SHA256 with the app's secret.
 *
 * Why our own code and not `@shopify/shopify-api`'s `validateHmac`: the library needs a configured
 * `shopifyApi()` instance and its runtime adapter on every shopper request, and pulls its logger,
 * GraphQL clients and auth code into the shopper bundle, for about forty lines of WebCrypto. The
 * test suite checks this module against the library on the same cases (verify.test.ts).
 *
 * Sorting: Shopify's documented reference sorts the `key=value` strings; the library sorts keys.
 * Both give the same order for every parameter Shopify and our theme extension send (lowercase
 * ASCII names, none a prefix of another); we follow the documented reference, by UTF-16 code unit.
 */

/** Parameters that must appear once: a second `shop` or `timestamp` could smuggle a forged value. */
const SINGLE_VALUE_PARAMS = new Set(["shop", "signature", "timestamp", "hmac"]);

/** Shopify's tolerance for clock skew between its edge and the app (shopify-api uses the same). */
export const TIMESTAMP_TOLERANCE_SECONDS = 90;

/** The verified `shop` is a myshopify domain; anything else is not a shop Shopify signed for. */
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]{0,99}\.myshopify\.com$/;

export type ProxyRefusal =
  | "missing-signature"
  | "duplicate-parameter"
  | "bad-timestamp"
  | "stale-timestamp"
  | "bad-signature"
  | "bad-shop";

export interface VerifiedProxyRequest {
  ok: true;
  /** The myshopify domain Shopify signed for, e.g. "demo-apparel.myshopify.com". */
  shop: string;
  /** The logged-in customer's numeric id; null for an anonymous visitor (Shopify sends it empty). */
  loggedInCustomerId: string | null;
  /** The storefront path the proxy was reached through, e.g. "/apps/wand". */
  pathPrefix: string | null;
  timestamp: number;
}

export type ProxyVerification = VerifiedProxyRequest | { ok: false; reason: ProxyRefusal };

/** The exact string Shopify signs: sorted `key=value` pairs without `signature`, no separator. */
export function canonicalProxyMessage(query: URLSearchParams): string {
  const values = new Map<string, string[]>();
  for (const [key, value] of query) {
    if (key === "signature") continue;
    const list = values.get(key);
    if (list) list.push(value);
    else values.set(key, [value]);
  }
  const pairs = [...values].map(([key, list]) => `${key}=${list.join(",")}`);
  pairs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return pairs.join("");
}

const encoder = new TextEncoder();
const keyCache = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  // Importing the key once per isolate keeps the shopper path to one HMAC per request.
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keyCache.set(secret, key);
  }
  return key;
}

function toHex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Signs a query as Shopify would (tests, the local stand-in for Shopify's proxy). */
export async function signProxyQuery(query: URLSearchParams, secret: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(canonicalProxyMessage(query)));
  return toHex(mac);
}

/**
 * Verifies a forwarded request's query. `nowSeconds` is injectable so Shopify's documented example
 * (signed in 2011) can be checked with the clock set to its timestamp.
 */
export async function verifyProxyQuery(
  query: URLSearchParams,
  secret: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<ProxyVerification> {
  for (const key of SINGLE_VALUE_PARAMS) {
    if (query.getAll(key).length > 1) return { ok: false, reason: "duplicate-parameter" };
  }
  const signature = query.get("signature");
  if (!signature) return { ok: false, reason: "missing-signature" };
  const signatureBytes = fromHex(signature);
  if (!signatureBytes) return { ok: false, reason: "bad-signature" };

  const rawTimestamp = query.get("timestamp");
  if (rawTimestamp === null || !/^\d{1,12}$/.test(rawTimestamp)) return { ok: false, reason: "bad-timestamp" };
  const timestamp = Number(rawTimestamp);
  if (Math.abs(nowSeconds - timestamp) > TIMESTAMP_TOLERANCE_SECONDS) return { ok: false, reason: "stale-timestamp" };

  // WebCrypto's HMAC verify compares in constant time (no early exit on the first differing byte).
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(secret), signatureBytes, encoder.encode(canonicalProxyMessage(query)));
  if (!valid) return { ok: false, reason: "bad-signature" };

  const shop = query.get("shop");
  if (!shop || !SHOP_DOMAIN.test(shop)) return { ok: false, reason: "bad-shop" };
  const customer = query.get("logged_in_customer_id");
  return {
    ok: true,
    shop,
    loggedInCustomerId: customer && /^\d{1,20}$/.test(customer) ? customer : null,
    pathPrefix: query.get("path_prefix"),
    timestamp,
  };
}
