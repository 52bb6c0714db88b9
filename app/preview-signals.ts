import { z } from "zod";
import type { PersonaSignals } from "../core/types.ts";
import { SIGNAL_FIELDS, type SignalField } from "./signal-fields";

/**
 * The sample shopper of the Preview page, from its query string: the same signals the edge reads
 * from a real request (UTM, referrer, visit count, categories seen, a customer profile).
 */
const text = z
  .string()
  .trim()
  .max(200, "at most 200 characters")
  .transform((s) => (s === "" ? null : s));

const count = (max: number) =>
  z
    .string()
    .trim()
    .transform((s, ctx) => {
      if (s === "") return null;
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0 || n > max) {
        ctx.addIssue({ code: "custom", message: `a whole number from 0 to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const amount = z
  .string()
  .trim()
  .transform((s, ctx) => {
    if (s === "") return null;
    const n = Number(s);
    if (!Number.isFinite(n) || n < 0 || n > 1e9) {
      ctx.addIssue({ code: "custom", message: "an amount of 0 or more" });
      return z.NEVER;
    }
    return n;
  });

const list = z
  .string()
  .max(500, "at most 500 characters")
  .transform((s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter((x) => x.length > 0)
      .slice(0, 20),
  );


const signalsFormSchema = z.object({
  utm_source: text,
  utm_medium: text,
  utm_campaign: text,
  referrer: text,
  visits: count(100_000),
  categories: list,
  orders: count(100_000),
  spent: amount,
  tags: list,
});

export type SignalsParse =
  | { ok: true; signals: PersonaSignals; values: Record<SignalField, string> }
  | { ok: false; errors: Partial<Record<SignalField, string>>; values: Record<SignalField, string> };

export function parseSignals(params: URLSearchParams): SignalsParse {
  const values = Object.fromEntries(SIGNAL_FIELDS.map((f) => [f, params.get(f) ?? ""])) as Record<SignalField, string>;
  const result = signalsFormSchema.safeParse(values);
  if (!result.success) {
    const errors: Partial<Record<SignalField, string>> = {};
    for (const issue of result.error.issues) {
      const field = issue.path[0];
      if (typeof field === "string" && (SIGNAL_FIELDS as readonly string[]).includes(field)) errors[field as SignalField] ??= issue.message;
    }
    return { ok: false, errors, values };
  }
  const v = result.data;
  const hasCustomer = v.orders !== null || v.spent !== null || v.tags.length > 0;
  const signals: PersonaSignals = {
    utm: { source: v.utm_source, medium: v.utm_medium, campaign: v.utm_campaign },
    referrer: v.referrer,
    visitCount: v.visits,
    categoriesSeen: v.categories,
    customer: hasCustomer ? { ordersCount: v.orders ?? 0, totalSpent: v.spent ?? 0, tags: v.tags } : null,
  };
  return { ok: true, signals, values };
}
