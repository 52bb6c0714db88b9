import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import { forgetShopInstall } from "../shop-data.server";
import { handleWebhook } from "../webhooks.server";

// app/uninstalled: the shop's sessions, settings, catalog and caches are removed.
export const action = async (args: ActionFunctionArgs) =>
  handleWebhook(args, { topics: ["APP_UNINSTALLED"] }, async ({ env, shop, store }) => {
    await forgetShopInstall(env, { shop, store });
  });
