import type { Session } from "@shopify/shopify-api";
import { z } from "zod";
import { defaultSettings, settingsToRow } from "../core/settings.ts";
import { sessionAdminGraphql } from "./admin-origin.server";
import { db } from "./db.server";
import { type AppBindings, edgeApi } from "./env.server";
import { storeOf } from "./shop-domain";
import { activateWebPixel } from "./web-pixel.server";

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
 * the shop's durable catalog sync at the edge (one RPC; the sync itself runs in the store's
 * CatalogSync Durable Object and reads the offline session from D1). Safe to run any number of
 * times: a sync already running is joined. An edge that does not answer does not fail the install:
 * the dashboard then shows no catalog yet and offers "Sync catalog now". Last, the web pixel is
 * activated (app/web-pixel.server.ts), which likewise never fails the install.
 */
export async function onInstalled(env: AppBindings, session: Session, apiVersion: string): Promise<void> {
  const store = storeOf(session.shop);
  let shopName = store;
  try {
    const graphql = sessionAdminGraphql(env, session, apiVersion);
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
  try {
    await edgeApi(env).startCatalogSync(store, session.shop, "install");
  } catch (error) {
    console.error(`the first catalog sync of ${store} did not start`, error);
  }
  // The web pixel (extensions/wand-pixel) runs only once activated: webPixelCreate, idempotent; a
  // failure is logged and recorded (never thrown) and ensureWebPixel tries again on the next open.
  await activateWebPixel(env, session, store, apiVersion);
}
