import { db } from "./db.server";
import { type AppBindings, edgeApi } from "./env.server";
import { forgetCustomerOrders, forgetShopExperiment } from "./orders.server";

/**
 * Deleting a shop's data: what app/uninstalled and shop/redact remove. Each step deletes whatever is
 * there, so running it twice (Shopify redelivers) removes nothing more and fails on nothing.
 */
export async function forgetShopInstall(env: AppBindings, o: { shop: string; store: string }): Promise<void> {
  const prisma = db(env);
  // Sessions first: with them gone no admin request or sync can act for the shop any more.
  await prisma.session.deleteMany({ where: { shop: o.shop } });
  await prisma.shopSettings.deleteMany({ where: { store: o.store } });
  await prisma.catalog.deleteMany({ where: { store: o.store } });
  // The catalog's rows and the persona selections built from them (one DELETE each: D1 has no
  // interactive transactions, and a redelivery deletes whatever a first run left).
  await prisma.product.deleteMany({ where: { store: o.store } });
  await prisma.personaSelection.deleteMany({ where: { store: o.store } });
  await prisma.customerProfile.deleteMany({ where: { store: o.store } });
  await prisma.catalogSyncRun.deleteMany({ where: { store: o.store } });
  // Pages, snapshots, stats and the catalog sync in KV/R2/DO (the edge owns them): without settings
  // the edge answers 404.
  await edgeApi(env).forgetStore(o.store);
}

/**
 * shop/redact (48 hours after uninstall): everything of the shop, including the webhook log and the
 * experiment's orders (the edge's exposure log goes with forgetStore).
 */
export async function redactShop(env: AppBindings, o: { shop: string; store: string }): Promise<void> {
  await forgetShopExperiment(env, o.shop);
  await forgetShopInstall(env, o);
  await db(env).webhookDelivery.deleteMany({ where: { shop: o.shop } });
}

/**
 * customers/redact: the customer's experiment orders (`orderIds`, and any carrying their shopper
 * hash), their profile, and any page cached and exposure recorded for them at the edge.
 */
export async function redactCustomer(env: AppBindings, o: { shop: string; store: string; customerId: string; orderIds: readonly string[] }): Promise<void> {
  await forgetCustomerOrders(env, o);
  await db(env).customerProfile.deleteMany({ where: { store: o.store, customerId: o.customerId } });
  await edgeApi(env).forgetShopper(o.store, o.customerId);
}
