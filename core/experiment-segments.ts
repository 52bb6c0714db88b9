import { ARMS, type Arm, type ExperimentCounts } from "./experiment.ts";
import type { SegmentInput } from "./experiment-report.ts";
import { PERSONAS, type Persona } from "./types.ts";

/**
 * Builds the report's per-persona input from the edge's counts (visitors, add-to-cart shoppers) and
 * the orders the admin recorded from webhooks (attributed by their cart attributes, one currency).
 * Converted shoppers and revenue are per distinct shopper hash, so Σx² per visitor is exact.
 *
 * An order's persona is the one in its cart attributes, while a visitor counts under the persona of
 * their first exposure in the range; when the two disagree a segment could show more buyers than
 * visitors. Such excess buyers are left out of `converted` (never beyond the visitors) and counted
 * in `unmatched`, so the report stays a valid proportion and the gap stays visible.
 */

export interface AttributedOrder {
  shopper: string;
  arm: Arm;
  persona: Persona;
  /** Order subtotal in the shop's currency, major units. */
  subtotal: number;
}

export interface Segments {
  segments: SegmentInput[];
  /** Buyers who could not be matched to a visitor of their segment. */
  unmatched: number;
}

export function segmentsFrom(counts: ExperimentCounts, orders: readonly AttributedOrder[]): Segments {
  const key = (arm: Arm, persona: Persona) => `${arm}/${persona}`;
  const visitors = new Map<string, number>();
  const carts = new Map<string, number>();
  for (const e of counts.exposures) visitors.set(key(e.arm, e.persona), (visitors.get(key(e.arm, e.persona)) ?? 0) + e.visitors);
  for (const f of counts.funnel) {
    if (f.event === "product_added_to_cart") carts.set(key(f.arm, f.persona), (carts.get(key(f.arm, f.persona)) ?? 0) + f.shoppers);
  }
  // Revenue per buyer, per segment.
  const buyers = new Map<string, Map<string, number>>();
  for (const o of orders) {
    if (!Number.isFinite(o.subtotal) || o.subtotal < 0) continue;
    const k = key(o.arm, o.persona);
    let m = buyers.get(k);
    if (!m) buyers.set(k, (m = new Map()));
    m.set(o.shopper, (m.get(o.shopper) ?? 0) + o.subtotal);
  }

  let unmatched = 0;
  const arm = (a: Arm, p: Persona) => {
    const n = visitors.get(key(a, p)) ?? 0;
    const spend = [...(buyers.get(key(a, p))?.values() ?? [])].sort((x, y) => y - x);
    unmatched += Math.max(0, spend.length - n);
    const kept = spend.slice(0, n);
    return {
      visitors: n,
      addedToCart: Math.min(n, carts.get(key(a, p)) ?? 0),
      converted: kept.length,
      revenue: kept.reduce((s, x) => s + x, 0),
      revenueSquares: kept.reduce((s, x) => s + x * x, 0),
    };
  };
  // Every persona is computed (so buyers of a segment without visitors count as unmatched); only
  // personas that had visitors are reported.
  const segments = PERSONAS.map((persona) => ({ persona, wand: arm("wand", persona), holdout: arm("holdout", persona) })).filter((s) =>
    ARMS.some((a) => s[a].visitors > 0),
  );
  return { segments, unmatched };
}
