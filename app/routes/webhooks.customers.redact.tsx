import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import { redactCustomer } from "../shop-data.server";
import { customerPayloadSchema, handleWebhook } from "../webhooks.server";

// customers/redact: that shopper's cached profile and per-shopper pages are deleted.
export const action = async (args: ActionFunctionArgs) =>
  handleWebhook(args, { topics: ["CUSTOMERS_REDACT"] }, async ({ env, store, payload }) => {
    const parsed = customerPayloadSchema.safeParse(payload);
    if (!parsed.success) throw new Response("customers/redact without a customer id", { status: 400 });
    await redactCustomer(env, { store, customerId: parsed.data.customer.id });
  });
