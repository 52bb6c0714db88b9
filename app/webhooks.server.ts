import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import type { Session } from "@shopify/shopify-api";
import { z } from "zod";
import { db } from "./db.server";
import type { AppBindings } from "./env.server";
import { storeForShop } from "./admin-context.server";
import { authenticate } from "./shopify.server";

/**
 * The common path of every webhook route: verified by the library (bad HMAC → 401, missing headers →
 * 400, not POST → 405), checked against the topics the route handles, and acknowledged without
 * running again when Shopify redelivers the same webhook id. Handlers are written to be safe to run
 * twice anyway (deletes, idempotent edge calls); the delivery log only saves the repeated work. A
 * handler that throws answers 500, so Shopify retries later.
 */
export interface VerifiedWebhook {
  env: AppBindings;
  topic: string;
  shop: string;
  store: string;
  webhookId: string;
  /**
   * X-Shopify-Event-Id: the same for every delivery of one event (retries, and the same event sent
   * to several subscriptions), unlike the webhook id. Falls back to the webhook id without it.
   */
  eventId: string;
  /** X-Shopify-Triggered-At (ISO); the time of receipt when missing or unreadable. */
  triggeredAt: string;
  payload: unknown;
  session: Session | undefined;
}

export interface WebhookRouteOptions {
  /** Topics as the library names them: "APP_UNINSTALLED", "PRODUCTS_UPDATE", … */
  topics: readonly string[];
  /** Record the delivery for de-duplication (not for shop/redact, which erases the shop's records). */
  recordDelivery?: boolean;
  /**
   * What makes two deliveries "the same": the webhook id (default), or X-Shopify-Event-Id, which
   * Shopify keeps across every retry of one event even when the webhook id differs.
   */
  dedupeBy?: "webhook" | "event";
}

export async function handleWebhook(
  { request, context }: ActionFunctionArgs,
  options: WebhookRouteOptions,
  handler: (webhook: VerifiedWebhook) => Promise<void>,
): Promise<Response> {
  const verified = await authenticate.webhook(request, context);
  const { topic, shop, webhookId, payload, session } = verified;
  if (!options.topics.includes(topic)) {
    return new Response(`This endpoint does not handle ${topic}`, { status: 400 });
  }
  const env = context.cloudflare.env;
  const prisma = db(env);
  const record = options.recordDelivery ?? true;
  const eventId = nonEmpty(verified.eventId) ?? webhookId;
  // The log's key: the webhook id, or the event id prefixed so it can never equal a webhook id.
  const deliveryId = options.dedupeBy === "event" ? `event:${eventId}` : webhookId;
  if (record && (await prisma.webhookDelivery.findUnique({ where: { id: deliveryId }, select: { id: true } }))) {
    return new Response(null, { status: 200 });
  }
  await handler({
    env,
    topic,
    shop,
    store: await storeForShop(env, shop),
    webhookId,
    // The library reads both headers for webhooks (not for "events" deliveries, which have no event id).
    eventId,
    triggeredAt: isoTime(verified.triggeredAt) ?? new Date().toISOString(),
    payload,
    session,
  });
  if (record) {
    await prisma.webhookDelivery.upsert({ where: { id: deliveryId }, create: { id: deliveryId, shop, topic }, update: {} });
  }
  return new Response(null, { status: 200 });
}

function nonEmpty(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/**
 * The header's time as sent (Shopify's ISO time with up to nanoseconds), or null when it is missing
 * or not a time: the HMAC covers only the body, so a header is checked before it orders anything.
 */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function isoTime(value: string | undefined): string | null {
  const text = nonEmpty(value);
  return text && ISO_TIME.test(text) && !Number.isNaN(Date.parse(text)) ? text : null;
}

/** The customer of a customers/* compliance payload (ids arrive as numbers). */
export const customerPayloadSchema = z.object({
  customer: z.object({ id: z.union([z.number(), z.string()]).transform((v) => String(v)) }),
});

/** customers/redact: the customer and the ids of their orders Shopify asks to erase. */
export const customerRedactSchema = customerPayloadSchema.extend({
  orders_to_redact: z.array(z.union([z.number(), z.string()]).transform((v) => String(v))).nullish(),
});
