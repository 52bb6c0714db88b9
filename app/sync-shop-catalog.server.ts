import type { Session } from "@shopify/shopify-api";
import { createAdminGraphql } from "./admin-graphql.server";
import { type CatalogSyncResult, type SyncTrigger, syncCatalog } from "./catalog-sync.server";
import { db } from "./db.server";
import { type AppBindings, edgeApi } from "./env.server";

const LOOPBACK_ORIGIN = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+$/;

/**
 * Where the Admin API is: the shop itself, or (tests only) an Admin-GraphQL-speaking server on a
 * loopback address named by SHOPIFY_ADMIN_API_ORIGIN. Any other value is ignored, so a stray
 * setting can never send a shop's token anywhere but to Shopify.
 */
export function adminOrigin(env: AppBindings): string | undefined {
  const origin = env.SHOPIFY_ADMIN_API_ORIGIN;
  return origin && LOOPBACK_ORIGIN.test(origin) ? origin : undefined;
}

/** Syncs a shop's catalog with its offline session (install, products/* webhooks, the dashboard). */
export async function syncShopCatalog(
  env: AppBindings,
  o: { session: Session; store: string; trigger: SyncTrigger; apiVersion: string },
): Promise<CatalogSyncResult> {
  let throttledMs = 0;
  const graphql = createAdminGraphql({
    shopDomain: o.session.shop,
    accessToken: o.session.accessToken ?? "",
    apiVersion: o.apiVersion,
    origin: adminOrigin(env),
    onWait: (ms) => {
      throttledMs += ms;
    },
  });
  return syncCatalog({ db: db(env), edge: edgeApi(env), graphql, store: o.store, trigger: o.trigger, throttledMs: () => throttledMs });
}
