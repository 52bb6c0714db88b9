import type { AppLoadContext } from "@remix-run/cloudflare";
import type { Session } from "@shopify/shopify-api";
import { db } from "./db.server";
import type { AppBindings } from "./env.server";
import { localShop } from "./local-mode.server";
import { storeOf } from "./shop-domain";
import { authenticate } from "./shopify.server";

/**
 * Who an admin request acts for. Every loader and action takes the shop from here (the verified
 * session token, or the local demo shop), never from the request's parameters, so one shop's
 * session can neither read nor change another shop's data.
 */
export interface AdminContext {
  mode: "shopify" | "local";
  env: AppBindings;
  shopDomain: string;
  store: string;
  session: Session;
}

export async function requireAdmin(request: Request, context: AppLoadContext): Promise<AdminContext> {
  const env = context.cloudflare.env;
  const local = await localShop(request, env);
  if (local) return { mode: "local", env, ...local };
  const { session } = await authenticate.admin(request, context);
  return { mode: "shopify", env, shopDomain: session.shop, store: await storeForShop(env, session.shop), session };
}

/** The store id of a shop: its settings row's, else derived from the domain (a shop not yet set up). */
export async function storeForShop(env: AppBindings, shopDomain: string): Promise<string> {
  const row = await db(env).shopSettings.findUnique({ where: { shopDomain }, select: { store: true } });
  return row?.store ?? storeOf(shopDomain);
}
