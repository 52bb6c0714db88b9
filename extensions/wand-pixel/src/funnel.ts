/**
 * The pixel's logic, apart from Shopify's `register` so it runs in tests: subscribes to the three
 * funnel events and, for a shopper carrying a WandStore id, posts
 *   { store, shopper, events: [name] }
 * to the edge's /pixel (edge-worker/src/experiment/funnel-endpoint.ts). The shopper id is the hash
 * the edge served (core/experiment.ts shopperHash), found in the checkout's attributes, else the
 * cart's attributes at page render, else the theme embed's localStorage "wand:experiment". A shopper
 * without one was never in the experiment: nothing is sent for them.
 */

export const FUNNEL_EVENTS = ["product_viewed", "product_added_to_cart", "checkout_completed"] as const;

const SHOPPER = /^[0-9a-f]{16}$/;
const STORE = /^[a-z0-9][a-z0-9-]{0,62}$/;

interface Attribute {
  key: string;
  value: string | null;
}

/** The parts of Shopify's web pixel standard API this pixel uses. */
export interface PixelApi {
  analytics: { subscribe(name: string, callback: (event: PixelEvent) => void | Promise<void>): unknown };
  browser: { localStorage: { getItem(key: string): Promise<string | null> } };
  init: { data?: { cart?: { attributes?: Attribute[] | null } | null } | null };
  settings: Record<string, unknown>;
}

export interface PixelEvent {
  name?: string;
  data?: { checkout?: { attributes?: Attribute[] | null } | null } | null;
}

export type Send = (url: string, body: string) => Promise<unknown>;

/** fetch with keepalive (Shopify deprecated the sandbox's sendBeacon for it); text/plain needs no preflight. */
export const keepaliveSend: Send = (url, body) =>
  fetch(url, { method: "POST", body, keepalive: true, headers: { "Content-Type": "text/plain;charset=UTF-8" } });

function shopperIn(attributes: Attribute[] | null | undefined): string | null {
  const value = attributes?.find((a) => a.key === "_wand_shopper")?.value;
  return typeof value === "string" && SHOPPER.test(value) ? value : null;
}

async function shopperInStorage(api: PixelApi): Promise<string | null> {
  try {
    const stored: unknown = JSON.parse((await api.browser.localStorage.getItem("wand:experiment")) ?? "null");
    const shopper = stored && typeof stored === "object" ? (stored as Record<string, unknown>).shopper : null;
    return typeof shopper === "string" && SHOPPER.test(shopper) ? shopper : null;
  } catch {
    return null;
  }
}

/** Subscribes the funnel events; false (and nothing subscribed) when the pixel's settings are unusable. */
export function subscribeFunnel(api: PixelApi, send: Send = keepaliveSend): boolean {
  const { store, endpoint } = api.settings;
  if (typeof store !== "string" || !STORE.test(store) || typeof endpoint !== "string" || !/^https?:\/\/[^\s]+$/.test(endpoint)) return false;
  for (const name of FUNNEL_EVENTS) {
    api.analytics.subscribe(name, async (event) => {
      const shopper = shopperIn(event.data?.checkout?.attributes) ?? shopperIn(api.init.data?.cart?.attributes) ?? (await shopperInStorage(api));
      if (!shopper) return;
      try {
        await send(endpoint, JSON.stringify({ store, shopper, events: [name] }));
      } catch {
        // A lost funnel event only delays the signal; orders come from webhooks.
      }
    });
  }
  return true;
}
