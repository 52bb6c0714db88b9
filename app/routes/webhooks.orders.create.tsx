import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import { parseOrderPayload, recordOrder } from "../orders.server";
import { handleWebhook } from "../webhooks.server";

/**
 * orders/create: the order's experiment attribution (arm, persona, shopper hash from the `_wand_*`
 * cart attributes), subtotal, currency and time go into ExperimentOrder (app/orders.server.ts). An
 * order without the attributes is stored as "not in the experiment"; a test order is acknowledged
 * and not stored. De-duplicated by X-Shopify-Event-Id, and by (shop, order id): a redelivery, or a
 * new event for an order already stored, changes nothing. A malformed payload is refused with 400.
 */
export const action = async (args: ActionFunctionArgs) =>
  handleWebhook(args, { topics: ["ORDERS_CREATE"], dedupeBy: "event" }, async ({ env, shop, eventId, payload }) => {
    const parsed = parseOrderPayload(payload);
    if (!parsed.ok) throw new Response(parsed.reason, { status: 400 });
    const result = await recordOrder(env, shop, parsed.order);
    console.log(JSON.stringify({ event: "orders/create", shop, eventId, orderId: parsed.order.orderId, result, inExperiment: parsed.order.arm !== null }));
  });
