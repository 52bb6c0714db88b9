import type { Session } from "@shopify/shopify-api";
import { z } from "zod";
import { defaultSettings, settingsToRow } from "../core/settings.ts";
import { createAdminGraphql } from "./admin-graphql.server";
import { runInBackground } from "./background.server";
import { db } from "./db.server";
import type { AppBindings } from "./env.server";
import { storeOf } from "./shop-domain";
import { adminOrigin, syncShopCatalog } from "./sync-shop-catalog.server";

const SHOP_QUERY = `#graphql
  query WandShop {
    shop {
      name
    }
  }
`;

const shopSchema = z.object({ shop: z.object({ name: z.string() }) });

/**
 * Shopify's afterAuth hook: runs whenever a new offline token is stored (install, reinstall, scope
 * change). Creates the shop's settings with the defaults (or marks them installed again) and starts
 * the first catalog sync in the background. Safe to run any number of times.
 */
export async function onInstalled(env: AppBindings, session: Session, apiVersion: string): Promise<void> {
  const store = storeOf(session.shop);
  let shopName = store;
  try {
    const graphql = createAdminGraphql({
      shopDomain: session.shop,
      accessToken: session.accessToken ?? "",
      apiVersion,
      origin: adminOrigin(env),
      maxAttempts: 2,
    });
    shopName = shopSchema.parse(await graphql.request(SHOP_QUERY)).shop.name.trim() || store;
  } catch (error) {
    console.warn(`shop name of ${session.shop} unavailable, using ${store}`, error);
  }
  const row = settingsToRow(defaultSettings({ store, shopName, shopDomain: session.shop }));
  await db(env).shopSettings.upsert({
    where: { store },
    create: { ...row, installed: true },
    update: { installed: true, shopName, shopDomain: session.shop },
  });
  await runInBackground(`catalog sync of ${store}`, () => syncShopCatalog(env, { session, store, trigger: "install", apiVersion }));
}
