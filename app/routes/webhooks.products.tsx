import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import { z } from "zod";
import type { ProductEvent } from "../../core/edge-api.ts";
import { edgeApi } from "../env.server";
import { handleWebhook } from "../webhooks.server";

/**
 * products/create, products/update, products/delete: the verified event goes to the store's durable
 * catalog sync at the edge (EdgeApi.catalogEvent) in one call, and the answer is sent. The sync
 * applies the payload itself, one product, ordered by the product's updated_at and de-duplicated by
 * the event id, so no resync and no waitUntil work happens here. A redelivery reaches the edge as a
 * duplicate and is acknowledged, which is why this route keeps no delivery log of its own.
 */
const TOPICS = {
  PRODUCTS_CREATE: "products/create",
  PRODUCTS_UPDATE: "products/update",
  PRODUCTS_DELETE: "products/delete",
} as const satisfies Record<string, ProductEvent["topic"]>;

// Only what this route must know; the edge validates the product itself.
const payloadSchema = z.object({ id: z.union([z.number(), z.string().min(1)]) }).loose();

export const action = async (args: ActionFunctionArgs) =>
  handleWebhook(args, { topics: Object.keys(TOPICS), recordDelivery: false }, async ({ env, session, store, shop, topic, eventId, triggeredAt, payload }) => {
    // No offline session: the app is not installed (any more); nothing to keep in sync.
    if (!session) {
      console.warn(`${topic} webhook for ${shop} without an offline session: ignored`);
      return;
    }
    if (!payloadSchema.safeParse(payload).success) throw new Response(`${topic} without a product id`, { status: 400 });
    await edgeApi(env).catalogEvent(store, { eventId, topic: TOPICS[topic as keyof typeof TOPICS], triggeredAt, payload });
  });
