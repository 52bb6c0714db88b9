import { bucketOf, hashString } from "./hash.ts";
import { escapeAttr } from "./html.ts";
import { isPersona, type Persona } from "./types.ts";

/**
 * The holdout experiment's vocabulary, shared by the edge (exposures, funnel events), the theme
 * extensions (cart attributes) and the admin (orders, report).
 *
 * Every shopper the edge serves is in exactly one arm: `holdout` (the template page, the control) or
 * `wand` (the persona page). The arm is a pure function of the store, the shopper id and the holdout
 * percent, so every isolate, the simulator and the admin agree on it without storing it. A wand-arm
 * shopper whose persona page is not cached yet still counts as `wand` (intention to treat): the
 * experiment measures "WandStore on" against "WandStore off", not "an AI page" against "a template".
 */

export const ARMS = ["wand", "holdout"] as const;
export type Arm = (typeof ARMS)[number];

export function isArm(value: unknown): value is Arm {
  return value === "wand" || value === "holdout";
}

/**
 * The shopper's arm. Identical to the edge's holdout rule: bucket `holdout:<store>:<shopper>` of 100
 * below the holdout percent → holdout. A percent of 0 (or less) puts everyone in `wand`, 100 everyone
 * in `holdout`.
 */
export function armOf(store: string, shopperId: string, holdoutPercent: number): Arm {
  return holdoutPercent > 0 && bucketOf(`holdout:${store}:${shopperId}`, 100) < holdoutPercent ? "holdout" : "wand";
}

/**
 * The id under which a shopper is counted: 16 hex characters, scoped to the store, so exposure logs,
 * cart attributes and orders never carry the raw id (a `customer-<id>` or the embed's browser id).
 * FNV-1a is not a secret hash; it only keeps raw ids out of storage and lets customers/redact find the
 * rows again from the customer id.
 */
export function shopperHash(store: string, shopperId: string): string {
  return hashString(`exposure:${store}:${shopperId}`);
}

export const SHOPPER_HASH_PATTERN = /^[0-9a-f]{16}$/;

/** A UTC calendar day, `YYYY-MM-DD`: the unit of "distinct shoppers per day". */
export function exposureDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** A real UTC calendar day written `YYYY-MM-DD` (not 2026-02-30). */
export function isDay(s: string): boolean {
  return DAY_PATTERN.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
}

/** Longest range of days one read of the experiment covers (the edge refuses more; the admin asks no more). */
export const MAX_RANGE_DAYS = 400;

/**
 * The edge's shopper id of a signed-in customer: the app proxy serves a verified
 * `logged_in_customer_id` as `customer-<id>` (edge-worker/src/app-proxy/route.ts), so exposures,
 * cart attributes and orders carry shopperHash(store, "customer-<id>").
 */
export function customerShopperId(customerId: string): string {
  return `customer-${customerId}`;
}

/** The funnel events the web pixel reports (Shopify's standard event names). */
export const FUNNEL_EVENTS = ["product_viewed", "product_added_to_cart", "checkout_completed"] as const;
export type FunnelEvent = (typeof FUNNEL_EVENTS)[number];

/** New distinct visitors of one day, arm and persona (a shopper is counted on the first day of a range). */
export interface ExposureCount {
  day: string;
  arm: Arm;
  persona: Persona;
  visitors: number;
}

/** Distinct exposed shoppers who sent a funnel event, by the day of their first such event in a range. */
export interface FunnelCount {
  day: string;
  arm: Arm;
  persona: Persona;
  event: FunnelEvent;
  shoppers: number;
}

/** What the edge knows about one experiment for a date range (inclusive UTC days). */
export interface ExperimentCounts {
  store: string;
  from: string;
  to: string;
  exposures: ExposureCount[];
  funnel: FunnelCount[];
}

/**
 * Cart attributes (Shopify's Ajax Cart API `/cart/update.js`) the app embed writes and the order
 * webhook reads as `note_attributes`. The leading underscore keeps them out of the shopper's view.
 */
export const CART_ATTRIBUTES = { shopper: "_wand_shopper", arm: "_wand_arm", persona: "_wand_persona" } as const;

/** Line-item property of the page's add-to-cart forms carrying the arm (beside `_wand_persona`). */
export const ARM_PROPERTY = "properties[_wand_arm]";

/** The exposure a served page declares, for the theme extension to carry into the cart. */
export interface ExposureMark {
  arm: Arm;
  persona: Persona;
  /** shopperHash(store, shopperId) */
  shopper: string;
}

/**
 * Response header of every page served to a shopper in the experiment, `arm=…&persona=…&shopper=…`
 * (exposureContent). On the direct route it is the only declaration: the page body stays the same
 * bytes for every shopper of a persona, arm and touches, so per-shopper data is kept out of it
 * (docs/decisions/0007-exposure-declared-beside-the-page.md). Headless clients and the simulator read it.
 */
export const EXPOSURE_HEADER = "Wand-Exposure";

/** Name of the `<meta>` the app proxy's page carries so the theme extension can read its exposure from the frame. */
export const EXPOSURE_META = "wand-experiment";

/** The three values as an exposure, or null unless they are an arm, a persona and a shopperHash(). */
function exposureMark(arm: unknown, persona: unknown, shopper: unknown): ExposureMark | null {
  return isArm(arm) && isPersona(persona) && typeof shopper === "string" && SHOPPER_HASH_PATTERN.test(shopper) ? { arm, persona, shopper } : null;
}

/** `arm=…&persona=…&shopper=…`: the exposure as EXPOSURE_HEADER and the meta's content carry it. */
export function exposureContent(mark: ExposureMark): string {
  if (!exposureMark(mark.arm, mark.persona, mark.shopper)) {
    throw new RangeError("an exposure needs an arm, a persona and a shopperHash()");
  }
  // Every value is an enum member or hex, so no percent-encoding is needed.
  return `arm=${mark.arm}&persona=${mark.persona}&shopper=${mark.shopper}`;
}

/** The exposure an EXPOSURE_HEADER value (or the meta's unescaped content) declares, or null when it is not one. */
export function parseExposure(content: string | null | undefined): ExposureMark | null {
  if (!content) return null;
  const params = new URLSearchParams(content);
  return exposureMark(params.get("arm"), params.get("persona"), params.get("shopper"));
}

/** `<meta name="wand-experiment" content="arm=…&persona=…&shopper=…">`, which the app proxy adds to the framed page. */
export function exposureMeta(mark: ExposureMark): string {
  return `<meta name="${EXPOSURE_META}" content="${escapeAttr(exposureContent(mark))}">`;
}

/**
 * The experiment attribution of an order from its attributes (REST `note_attributes` `{name, value}`
 * or GraphQL `customAttributes` `{key, value}`); null when the order is not in the experiment.
 */
export function exposureFromAttributes(attributes: unknown): ExposureMark | null {
  if (!Array.isArray(attributes)) return null;
  const values = new Map<string, string>();
  for (const a of attributes) {
    if (!a || typeof a !== "object") continue;
    const rec = a as Record<string, unknown>;
    const name = typeof rec.name === "string" ? rec.name : rec.key;
    if (typeof name === "string" && typeof rec.value === "string" && !values.has(name)) values.set(name, rec.value);
  }
  return exposureMark(values.get(CART_ATTRIBUTES.arm), values.get(CART_ATTRIBUTES.persona), values.get(CART_ATTRIBUTES.shopper));
}
