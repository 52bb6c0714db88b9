import { Session } from "@shopify/shopify-api";
import { DEMO_STORES } from "../core/demo-stores.ts";
import { db } from "./db.server";
import type { AppBindings } from "./env.server";
import { httpError } from "./http-error";

export { LOCAL_ADMIN_API_TOKEN } from "./local-admin-token";

/**
 * Local mode: the admin opened against a seeded demo shop, with a fake offline session that never
 * leaves this module and never reaches Shopify (no Admin API calls, no token). It exists for
 * `npm start` and the browser tests. Two locks keep it out of production:
 * - it is on only when WAND_LOCAL_ADMIN is exactly "1", a var that only `npm start`'s dev vars and the
 *   browser tests set (never app/wrangler.jsonc, so never a deploy);
 * - even then it answers only requests addressed to a loopback host; anything else gets 403, since a
 *   deployed Worker is only ever reached by its public hostname.
 * Off (the default), the admin authenticates every request with Shopify.
 */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);


export interface LocalShop {
  shopDomain: string;
  store: string;
  session: Session;
}

export function localModeEnabled(env: AppBindings): boolean {
  return env.WAND_LOCAL_ADMIN === "1";
}

/** The demo shop for this request, or null when local mode is off. Throws httpError 403/503. */
export async function localShop(request: Request, env: AppBindings): Promise<LocalShop | null> {
  if (!localModeEnabled(env)) return null;
  const url = new URL(request.url);
  if (!LOOPBACK_HOSTS.has(url.hostname)) {
    throw httpError(403, "Local admin mode answers only on a loopback address.");
  }
  const demoDomains = DEMO_STORES.map((d) => d.shopDomain);
  const requested = url.searchParams.get("shop");
  const rows = await db(env).shopSettings.findMany({ where: { shopDomain: { in: demoDomains } }, select: { store: true, shopDomain: true } });
  const row = rows.find((r) => r.shopDomain === requested) ?? rows.sort((a, b) => a.store.localeCompare(b.store))[0];
  if (!row) {
    throw httpError(503, `No demo shop is seeded in D1. \`npm start\` seeds them (${DEMO_STORES.map((d) => d.store).join(", ")}).`);
  }
  const session = new Session({
    id: `offline_${row.shopDomain}`,
    shop: row.shopDomain,
    state: "local",
    isOnline: false,
    accessToken: "",
    scope: "read_products,read_customers",
  });
  return { shopDomain: row.shopDomain, store: row.store, session };
}

/** The demo shops a local admin can switch between. */
export async function localShops(env: AppBindings): Promise<{ shopDomain: string; shopName: string }[]> {
  const demoDomains = DEMO_STORES.map((d) => d.shopDomain);
  const rows = await db(env).shopSettings.findMany({
    where: { shopDomain: { in: demoDomains } },
    select: { shopDomain: true, shopName: true },
    orderBy: { store: "asc" },
  });
  return rows;
}
