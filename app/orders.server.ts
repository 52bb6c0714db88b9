import { z } from "zod";
import { customerShopperId, exposureFromAttributes, shopperHash } from "../core/experiment.ts";
import { db } from "./db.server";
import type { AppBindings } from "./env.server";

/**
 * The holdout experiment's orders (docs/decisions/0003-experiment-statistics.md): one ExperimentOrder
 * row per order, written from the verified orders/create webhook. An order counts as a conversion
 * when it is placed, so orders/create, not orders/paid (which arrives late or never for cash on
 * delivery, bank transfer and payment terms).
 *
 * Only what the report needs is read from the payload: id, created_at, current_subtotal_price,
 * currency and the `_wand_*` cart attributes (`note_attributes`). Names, e-mails, addresses and the
 * customer are never read, so they cannot be stored. The row's key is (shop, orderId): an order
 * already stored is never changed by a later delivery, whichever event id it comes with.
 */

/** Shopify's numeric order id, as text (ids are past 2^32 and are compared as strings). */
const ORDER_ID = /^[1-9]\d{0,19}$/;
/** A decimal amount as Shopify writes it ("199.00"). */
const AMOUNT = /^\d{1,15}(\.\d{1,6})?$/;

const amount = z
  .union([z.string(), z.number().nonnegative()])
  .transform(String)
  .pipe(z.string().regex(AMOUNT, "current_subtotal_price must be a decimal amount"));

const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "created_at must be a time");

/** The fields of an orders/create payload (REST order resource) that are read; the rest is ignored. */
const orderPayloadSchema = z.object({
  id: z.union([z.number(), z.string()]),
  // "gid://shopify/Order/<id>": the exact id even where a JSON number would lose digits.
  admin_graphql_api_id: z.string().optional(),
  test: z.boolean().nullish(),
  created_at: instant,
  current_subtotal_price: amount,
  currency: z.string().regex(/^[A-Z]{3}$/, "currency must be an ISO 4217 code"),
  note_attributes: z.array(z.unknown()).nullish(),
});

export type OrderFields = {
  orderId: string;
  test: boolean;
  arm: string | null;
  persona: string | null;
  shopper: string | null;
  subtotal: string;
  currency: string;
  orderedAt: Date;
};

export type ParsedOrder = { ok: true; order: OrderFields } | { ok: false; reason: string };

/** The order's experiment fields, or why the payload is not an order this route can record. */
export function parseOrderPayload(payload: unknown): ParsedOrder {
  const parsed = orderPayloadSchema.safeParse(payload);
  if (!parsed.success) {
    const reason = parsed.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; ");
    return { ok: false, reason: `orders/create payload refused: ${reason}` };
  }
  const p = parsed.data;
  // The gid's digits are exact; a JSON number past 2^53 is not, so it only stands in when safe.
  const gid = /^gid:\/\/shopify\/Order\/(\d+)$/.exec(p.admin_graphql_api_id ?? "")?.[1];
  const fromId = typeof p.id === "number" ? (Number.isSafeInteger(p.id) ? String(p.id) : "") : p.id;
  const id = gid && ORDER_ID.test(gid) ? gid : fromId;
  if (!ORDER_ID.test(id)) return { ok: false, reason: "orders/create payload refused: id: must be a numeric order id" };
  const exposure = exposureFromAttributes(p.note_attributes ?? []);
  return {
    ok: true,
    order: {
      orderId: id,
      test: p.test === true,
      arm: exposure?.arm ?? null,
      persona: exposure?.persona ?? null,
      shopper: exposure?.shopper ?? null,
      subtotal: p.current_subtotal_price,
      currency: p.currency,
      orderedAt: new Date(p.created_at),
    },
  };
}

export type RecordResult = "stored" | "already-stored" | "test-order";

/** Stores the order once per (shop, orderId); a test order is not stored. */
export async function recordOrder(env: AppBindings, shop: string, order: OrderFields): Promise<RecordResult> {
  if (order.test) return "test-order";
  const prisma = db(env);
  const { test: _test, ...fields } = order;
  try {
    await prisma.experimentOrder.create({ data: { shop, ...fields } });
  } catch (error) {
    // The order is stored already (a redelivery, or two deliveries at once): its unique key says so.
    if (isUniqueViolation(error)) return "already-stored";
    throw error;
  }
  return "stored";
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

/** D1 binds at most 100 parameters per query: order ids are deleted in chunks below that. */
const DELETE_CHUNK = 90;

/**
 * customers/redact: the customer's orders — those Shopify names in `orders_to_redact`, and any order
 * carrying the shopper hash the app proxy gave the signed-in customer (`customer-<id>`). Returns the
 * rows deleted; a redelivery deletes nothing more.
 */
export async function forgetCustomerOrders(
  env: AppBindings,
  o: { shop: string; store: string; customerId: string; orderIds: readonly string[] },
): Promise<number> {
  const prisma = db(env);
  let deleted = (await prisma.experimentOrder.deleteMany({ where: { shop: o.shop, shopper: shopperHash(o.store, customerShopperId(o.customerId)) } })).count;
  const ids = [...new Set(o.orderIds)];
  for (let i = 0; i < ids.length; i += DELETE_CHUNK) {
    deleted += (await prisma.experimentOrder.deleteMany({ where: { shop: o.shop, orderId: { in: ids.slice(i, i + DELETE_CHUNK) } } })).count;
  }
  return deleted;
}

/** shop/redact: every order of the shop, and the record of its web pixel. */
export async function forgetShopExperiment(env: AppBindings, shop: string): Promise<void> {
  const prisma = db(env);
  await prisma.experimentOrder.deleteMany({ where: { shop } });
  await prisma.webPixelActivation.deleteMany({ where: { shop } });
}
