import { customerShopperId, EXPOSURE_HEADER, exposureMeta, parseExposure } from "../../../core/experiment.ts";
import { HttpError, methodNotAllowed, notFound } from "../http-error.ts";
import { proxyLocaleQuery } from "../markets/page-locale.ts";
import { servePersonaPage } from "../shopper-page.ts";
import { recordProxyRequest } from "../stats.ts";
import { storeForShop } from "./shop-store.ts";
import { customerSignalForRequest } from "./customer-profile.ts";
import { signalsFromQuery } from "./signals.ts";
import { verifyProxyQuery } from "./verify.ts";

/**
 * `GET /proxy[/...]`: the Shopify app proxy (`https://<shop>/apps/wand` → here; DESIGN.md, "App-proxy
 * facts"). In order, so that a request that is not Shopify's costs nothing and leaves nothing behind:
 *   1. the signature (bad or missing → 401; nothing read, cached or enqueued);
 *   2. the store: the verified `shop`, installed (else 404);
 *   3. the shopper: the verified `logged_in_customer_id`, else the extension's `wand_sid`;
 *   4. signals from the extension's `wand_*` parameters, plus the cached profile of a verified
 *      customer (refreshed off the request path); the market from the extension's signed
 *      `country`, `language`, `currency` and `root_url` (markets/page-locale.ts);
 *   5. the shared persona page with baseUrl "" — the page is on the shop's origin, so its links and
 *      add-to-cart forms stay relative (`/products/<handle>`, `/cart/add`) — framed for the block: a
 *      `<base target="_top">` and, for a shopper in the experiment, the `<meta name="wand-experiment">`
 *      made from the page's Wand-Exposure header (the block reads the frame's document, not headers).
 * Served as text/html, never `application/liquid`: Shopify would render Liquid in generated text.
 */

/** Shopify's parameters plus ours stay far below this; longer is not a request we signed up for. */
export const MAX_PROXY_QUERY_LENGTH = 4096;
const ALLOW = ["GET", "HEAD"] as const;
/** The shopper id of a visitor without the extension's id (no JavaScript): one shared bucket. */
export const ANONYMOUS_SHOPPER = "anonymous";

const unauthorized = (reason: string) => new HttpError(401, "unauthorized", reason);

export async function handleAppProxy(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  if (!(ALLOW as readonly string[]).includes(request.method)) throw methodNotAllowed(ALLOW);
  const url = new URL(request.url);
  if (url.search.length > MAX_PROXY_QUERY_LENGTH) throw new HttpError(414, "uri_too_long", `query string over ${MAX_PROXY_QUERY_LENGTH} characters`);

  const secret = env.SHOPIFY_API_SECRET;
  if (!secret) {
    console.error("app proxy: SHOPIFY_API_SECRET is not set; refusing every proxy request");
    throw unauthorized("app proxy signature cannot be checked");
  }
  const verified = await verifyProxyQuery(url.searchParams, secret);
  if (!verified.ok) throw unauthorized(`app proxy signature refused: ${verified.reason}`);

  let store: string | null;
  try {
    store = await storeForShop(env, ctx, verified.shop);
  } catch (error) {
    console.error("app proxy: store lookup failed", verified.shop, error);
    throw new HttpError(503, "unavailable", "the store's settings cannot be read right now", { "Retry-After": "5" });
  }
  if (!store) throw notFound(`shop ${verified.shop} has not installed WandStore`);

  const { signals, shopperId } = signalsFromQuery(url.searchParams);
  const customerId = verified.loggedInCustomerId;
  if (customerId) signals.customer = await customerSignalForRequest(env, ctx, { store, shop: verified.shop, customerId });

  const page = await servePersonaPage(env, ctx, {
    store,
    // A verified customer is the same shopper on every device; the extension's id is per browser.
    shopperId: customerId ? customerShopperId(customerId) : (shopperId ?? ANONYMOUS_SHOPPER),
    signals,
    baseUrl: "",
    allowOverride: false,
    ...(customerId ? { verifiedCustomerId: customerId } : {}),
    // One shared id for every visitor without one is not a shopper: not counted in the experiment.
    inExperiment: Boolean(customerId || shopperId),
    locale: proxyLocaleQuery(url.searchParams),
  });
  // A verified shopper was served through the proxy: the setup guide's "first shopper" step.
  recordProxyRequest(env, ctx, store);

  // In the theme the page sits in the block's iframe: its links and add-to-cart forms must move the
  // whole window (cart, product page), not the frame. Without an href, <base> passes `base-uri 'none'`.
  // The exposure meta goes first in <head>, where the block looks for it.
  const exposure = parseExposure(page.headers.get(EXPOSURE_HEADER));
  const head = `${exposure ? exposureMeta(exposure) : ""}<base target="_top">`;
  const framed = new HTMLRewriter()
    .on("head", {
      element(el) {
        el.prepend(head, { html: true });
      },
    })
    .transform(page);
  const response = new Response(request.method === "HEAD" ? null : framed.body, page);
  response.headers.set("Content-Type", "text/html; charset=utf-8");
  // Persona pages are per shopper and duplicate the shop's products: not for search engines.
  response.headers.set("X-Robots-Tag", "noindex");
  return response;
}
