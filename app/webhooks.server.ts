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
 * twice anyway (deletes and resyncs); the delivery log only saves the repeated work. A handler that
 * throws answers 500, so Shopify retries later.
 */
export interface VerifiedWebhook {
  env: AppBindings;
  waitUntil: (task: Promise<unknown>) => void;
  topic: string;
  shop: string;
  store: string;
  webhookId: string;
  payload: unknown;
  session: Session | undefined;
}

export interface WebhookRouteOptions {
  /** Topics as the library names them: "APP_UNINSTALLED", "PRODUCTS_UPDATE", … */
  topics: readonly string[];
  /** Record the delivery for de-duplication (not for shop/redact, which erases the shop's records). */
  recordDelivery?: boolean;
}

export async function handleWebhook(
  { request, context }: ActionFunctionArgs,
  options: WebhookRouteOptions,
  handler: (webhook: VerifiedWebhook) => Promise<void>,
): Promise<Response> {
  const { topic, shop, webhookId, payload, session } = await authenticate.webhook(request, context);
  if (!options.topics.includes(topic)) {
    return new Response(`This endpoint does not handle ${topic}`, { status: 400 });
  }
  const env = context.cloudflare.env;
  const prisma = db(env);
  const record = options.recordDelivery ?? true;
  if (record && (await prisma.webhookDelivery.findUnique({ where: { id: webhookId }, select: { id: true } }))) {
    return new Response(null, { status: 200 });
  }
  const ctx = context.cloudflare.ctx;
  await handler({
    env,
    waitUntil: (task) => ctx.waitUntil(task),
    topic,
    shop,
    store: await storeForShop(env, shop),
    webhookId,
    payload,
    session,
  });
  if (record) {
    await prisma.webhookDelivery.upsert({ where: { id: webhookId }, create: { id: webhookId, shop, topic }, update: {} });
  }
  return new Response(null, { status: 200 });
}

/** The customer of a customers/* compliance payload (ids arrive as numbers). */
export const customerPayloadSchema = z.object({
  customer: z.object({ id: z.union([z.number(), z.string()]).transform((v) => String(v)) }),
});
