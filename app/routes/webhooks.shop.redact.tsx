import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import { redactShop } from "../shop-data.server";
import { handleWebhook } from "../webhooks.server";

// shop/redact (48 hours after uninstall): everything of the shop is deleted, its webhook log, its
// experiment orders and (at the edge, through forgetStore) its experiment's exposure log included.
export const action = async (args: ActionFunctionArgs) =>
  handleWebhook(args, { topics: ["SHOP_REDACT"], recordDelivery: false }, async ({ env, shop, store }) => {
    await redactShop(env, { shop, store });
  });
