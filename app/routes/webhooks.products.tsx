import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import { API_VERSION } from "../shopify.server";
import { syncShopCatalog } from "../sync-shop-catalog.server";
import { handleWebhook } from "../webhooks.server";

/**
 * products/create, products/update, products/delete: resync the catalog in the background (Shopify
 * wants an answer within seconds; a sync takes pages). The new catalog version makes the edge serve
 * the old pages as stale and regenerate them.
 */
export const action = async (args: ActionFunctionArgs) =>
  handleWebhook(args, { topics: ["PRODUCTS_CREATE", "PRODUCTS_UPDATE", "PRODUCTS_DELETE"] }, async ({ env, session, store, shop, waitUntil }) => {
    // No offline session: the app is not installed (any more); nothing to sync for.
    if (!session) {
      console.warn(`products webhook for ${shop} without an offline session: ignored`);
      return;
    }
    waitUntil(syncShopCatalog(env, { session, store, trigger: "webhook", apiVersion: API_VERSION }));
  });
