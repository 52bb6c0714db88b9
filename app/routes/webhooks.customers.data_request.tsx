import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import { db } from "../db.server";
import { customerPayloadSchema, handleWebhook } from "../webhooks.server";

/**
 * customers/data_request: the only customer data WandStore keeps is the cached profile used for
 * persona detection (orders count, total spent, tags). It is written to the app's log for the
 * merchant's data request; nothing is changed.
 */
export const action = async (args: ActionFunctionArgs) =>
  handleWebhook(args, { topics: ["CUSTOMERS_DATA_REQUEST"] }, async ({ env, store, shop, payload }) => {
    const parsed = customerPayloadSchema.safeParse(payload);
    if (!parsed.success) throw new Response("customers/data_request without a customer id", { status: 400 });
    const customerId = parsed.data.customer.id;
    const profile = await db(env).customerProfile.findUnique({ where: { store_customerId: { store, customerId } } });
    console.log(
      JSON.stringify({
        event: "customers/data_request",
        shop,
        customerId,
        data: profile
          ? { ordersCount: profile.ordersCount, totalSpent: profile.totalSpent, tags: profile.tags, fetchedAt: profile.fetchedAt.toISOString() }
          : null,
      }),
    );
  });
