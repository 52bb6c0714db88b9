import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import { redactCustomer } from "../shop-data.server";
import { customerRedactSchema, handleWebhook } from "../webhooks.server";

// customers/redact: that shopper's cached profile, per-shopper pages and experiment exposures (at the
// edge), and the customer's experiment orders (orders_to_redact, and any carrying their shopper hash).
export const action = async (args: ActionFunctionArgs) =>
  handleWebhook(args, { topics: ["CUSTOMERS_REDACT"] }, async ({ env, shop, store, payload }) => {
    const parsed = customerRedactSchema.safeParse(payload);
    if (!parsed.success) throw new Response("customers/redact without a customer id", { status: 400 });
    const customerId = parsed.data.customer.id;
    await redactCustomer(env, { shop, store, customerId, orderIds: parsed.data.orders_to_redact ?? [] });
  });
