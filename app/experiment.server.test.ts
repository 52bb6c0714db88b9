import { describe, expect, it } from "vitest";
import type { ExperimentCountsWithBuyers } from "../core/edge-api.ts";
import { MAX_BUYER_LOOKUP } from "../core/edge-api.ts";
import { countsWithBuyers, experimentResults, MAX_RANGE_DAYS, parseRange, type OrderRow } from "./experiment.server";

/** Shopper hashes are 16 hex characters; these name who they stand for. */
const W1 = "000000000000a001";
const W2 = "000000000000a002";
const W4 = "000000000000a004";
const H1 = "000000000000b001";
const X9 = "000000000000c009";

const counts: ExperimentCountsWithBuyers = {
  store: "s",
  from: "2026-11-01",
  to: "2026-11-03",
  // wand: w1, w2, w3 (explorer, 1st), w4 (dealhunter, 2nd); holdout: h1, h2 (explorer, 1st), h3 (explorer, 2nd).
  exposures: [
    { day: "2026-11-01", arm: "holdout", persona: "explorer", visitors: 2 },
    { day: "2026-11-01", arm: "wand", persona: "explorer", visitors: 3 },
    { day: "2026-11-02", arm: "holdout", persona: "explorer", visitors: 1 },
    { day: "2026-11-02", arm: "wand", persona: "dealhunter", visitors: 1 },
  ],
  funnel: [
    { day: "2026-11-01", arm: "wand", persona: "explorer", event: "product_added_to_cart", shoppers: 2 },
    { day: "2026-11-01", arm: "wand", persona: "explorer", event: "product_viewed", shoppers: 3 },
    { day: "2026-11-02", arm: "holdout", persona: "explorer", event: "product_added_to_cart", shoppers: 1 },
  ],
  // What the edge knows of the buyers asked about (x9 was never counted in the range).
  buyers: [
    { shopper: W1, day: "2026-11-01", arm: "wand", persona: "explorer" },
    { shopper: W2, day: "2026-11-01", arm: "wand", persona: "explorer" },
    { shopper: W4, day: "2026-11-02", arm: "wand", persona: "dealhunter" },
    { shopper: H1, day: "2026-11-01", arm: "holdout", persona: "explorer" },
  ],
};

let n = 0;
function order(o: Partial<OrderRow> & { at: string }): OrderRow {
  return { orderId: String(++n), arm: null, persona: null, shopper: null, subtotal: "0.00", currency: "USD", orderedAt: new Date(o.at), ...o };
}

const orders: OrderRow[] = [
  // w1 buys twice: one buyer, two orders, 40.00.
  order({ shopper: W1, arm: "wand", persona: "explorer", subtotal: "30.00", at: "2026-11-01T10:00:00Z" }),
  order({ shopper: W1, arm: "wand", persona: "explorer", subtotal: "10.00", at: "2026-11-03T10:00:00Z" }),
  // w4's cart says minimalist, but w4 was counted as a dealhunter visitor: the order goes there.
  order({ shopper: W4, arm: "wand", persona: "minimalist", subtotal: "20.00", at: "2026-11-02T12:00:00Z" }),
  order({ shopper: H1, arm: "holdout", persona: "explorer", subtotal: "15.00", at: "2026-11-02T23:59:59Z" }),
  // No WandStore attributes: not in the experiment.
  order({ subtotal: "50.00", at: "2026-11-02T08:00:00Z" }),
  // Attributed, but the edge never counted this shopper in the range.
  order({ shopper: X9, arm: "wand", persona: "explorer", subtotal: "12.00", at: "2026-11-02T08:00:00Z" }),
  // Another currency: left out of every figure.
  order({ shopper: W2, arm: "wand", persona: "explorer", subtotal: "5.00", currency: "EUR", at: "2026-11-03T08:00:00Z" }),
];

describe("experimentResults", () => {
  const r = experimentResults({ from: "2026-11-01", to: "2026-11-03", holdoutPercent: 50, counts, orders });

  it("counts visitors, orders, buyers and revenue per arm from exposed buyers only", () => {
    expect(r.currency).toBe("USD");
    // wand: visitors 3 + 1; orders o1, o2, o3; buyers w1, w4; revenue 30 + 10 + 20.
    expect(r.arms.wand).toEqual({ visitors: 4, orders: 3, converted: 2, revenue: 60 });
    // holdout: visitors 2 + 1; h1's one order of 15.
    expect(r.arms.holdout).toEqual({ visitors: 3, orders: 1, converted: 1, revenue: 15 });
    expect(r.notInExperiment).toEqual({ orders: 1 });
    expect(r.unexposed).toEqual({ orders: 1, shoppers: 1 });
    expect(r.leftOut).toEqual({ orders: 1 });
  });

  it("puts each buyer in their visitor segment, with revenue and Σx² per distinct buyer", () => {
    const explorer = r.report.personas.find((p) => p.segment === "explorer")!;
    const dealhunter = r.report.personas.find((p) => p.segment === "dealhunter")!;
    expect(r.report.personas.map((p) => p.segment)).toEqual(["explorer", "dealhunter"]);
    // explorer wand: 3 visitors, 2 added to cart, w1 bought 30 + 10 = 40 → Σx² = 1600.
    expect(explorer.wand).toMatchObject({ visitors: 3, addedToCart: 2, converted: 1, revenue: 40, revenueSquares: 1600 });
    // explorer holdout: 3 visitors, 1 added to cart, h1 bought 15 → Σx² = 225.
    expect(explorer.holdout).toMatchObject({ visitors: 3, addedToCart: 1, converted: 1, revenue: 15, revenueSquares: 225 });
    // dealhunter wand: w4's 20 (the cart said minimalist; the visitor was a dealhunter).
    expect(dealhunter.wand).toMatchObject({ visitors: 1, converted: 1, revenue: 20, revenueSquares: 400 });
    expect(dealhunter.holdout).toMatchObject({ visitors: 0, converted: 0 });
    expect(r.personaOrders).toEqual([
      { persona: "explorer", orders: { wand: 2, holdout: 1 } },
      { persona: "dealhunter", orders: { wand: 1, holdout: 0 } },
    ]);
  });

  it("hands core's report the totals: rates, uplift, and not enough data at this size", () => {
    const o = r.report.overall;
    expect(o.wand.conversionRate).toBe(2 / 4);
    expect(o.holdout.conversionRate).toBe(1 / 3);
    expect(o.conversion.uplift).toBeCloseTo(0.5 / (1 / 3) - 1, 12);
    expect(o.wand.revenuePerVisitor).toBe(60 / 4);
    expect(o.holdout.revenuePerVisitor).toBe(15 / 3);
    expect(o.wand.revenueSquares).toBe(1600 + 400);
    expect(o.verdict).toBe("not_enough_data");
    expect(o.plan!.enough).toBe(false);
  });

  it("builds cumulative visitors and conversions per day and arm", () => {
    expect(r.series).toEqual([
      // w1 bought on the 1st.
      { day: "2026-11-01", visitors: { wand: 3, holdout: 2 }, conversions: { wand: 1, holdout: 0 } },
      // w4 and h1 bought on the 2nd (h1 at 23:59:59 UTC is still the 2nd).
      { day: "2026-11-02", visitors: { wand: 4, holdout: 3 }, conversions: { wand: 2, holdout: 1 } },
      // w1's second order is not a second conversion.
      { day: "2026-11-03", visitors: { wand: 4, holdout: 3 }, conversions: { wand: 2, holdout: 1 } },
    ]);
  });

  it("counts a conversion no earlier than the day its buyer was counted as a visitor", () => {
    const late: ExperimentCountsWithBuyers = {
      ...counts,
      exposures: [{ day: "2026-11-03", arm: "wand", persona: "explorer", visitors: 1 }],
      funnel: [],
      buyers: [{ shopper: W1, day: "2026-11-03", arm: "wand", persona: "explorer" }],
    };
    // The order carries attributes from a visit before the range; the range first saw w1 on the 3rd.
    const res = experimentResults({ from: "2026-11-01", to: "2026-11-03", holdoutPercent: 50, counts: late, orders: [orders[0]!] });
    expect(res.series.map((d) => d.conversions.wand)).toEqual([0, 0, 1]);
    expect(res.arms.wand).toEqual({ visitors: 1, orders: 1, converted: 1, revenue: 30 });
  });

  it("reports nothing as a comparison without traffic", () => {
    const empty = experimentResults({ from: "2026-11-01", to: "2026-11-01", holdoutPercent: 10, counts: { ...counts, exposures: [], funnel: [], buyers: [] }, orders: [] });
    expect(empty.currency).toBeNull();
    expect(empty.arms.wand).toEqual({ visitors: 0, orders: 0, converted: 0, revenue: 0 });
    expect(empty.report.personas).toEqual([]);
    expect(empty.series).toEqual([{ day: "2026-11-01", visitors: { wand: 0, holdout: 0 }, conversions: { wand: 0, holdout: 0 } }]);
  });
});

describe("parseRange", () => {
  const now = Date.UTC(2026, 11, 1, 15, 30);
  const range = (q: string) => parseRange(new URLSearchParams(q), now);
  const status = (q: string) => {
    try {
      range(q);
      return null;
    } catch (e) {
      return (e as { init: { status: number } | null; data: { wandError: string } }).init?.status + " " + (e as { data: { wandError: string } }).data.wandError;
    }
  };

  it("defaults to the last 30 UTC days up to today", () => {
    expect(range("")).toEqual({ from: "2026-11-02", to: "2026-12-01" });
    expect(range("to=2026-03-01")).toEqual({ from: "2026-01-31", to: "2026-03-01" });
    expect(range("from=2026-11-20&to=2026-11-20")).toEqual({ from: "2026-11-20", to: "2026-11-20" });
  });

  it("answers 400 with the reason to bad or unbounded ranges", () => {
    expect(status("from=2026-02-30")).toBe("400 The from date must be a calendar day written YYYY-MM-DD.");
    expect(status("to=tomorrow")).toBe("400 The to date must be a calendar day written YYYY-MM-DD.");
    expect(status("from=2026-12-02&to=2026-12-01")).toBe("400 The from date must not be after the to date.");
    expect(status("from=2025-01-01&to=2026-12-01")).toBe(`400 A date range covers at most ${MAX_RANGE_DAYS} days.`);
    // 400 days exactly is allowed.
    expect(status("from=2025-10-28&to=2026-12-01")).toBeNull();
    expect(status("from=2025-10-27&to=2026-12-01")).not.toBeNull();
  });
});

describe("countsWithBuyers", () => {
  it("asks the edge about at most one chunk of buyers per call and joins what it knows", async () => {
    const asked: string[][] = [];
    const edge = {
      experimentCounts: async (_store: string, from: string, to: string, buyers: readonly string[] = []): Promise<ExperimentCountsWithBuyers> => {
        asked.push([...buyers]);
        // This edge knows every buyer but the last one, as a wand explorer of the 1st.
        return { ...counts, from, to, buyers: buyers.filter((b) => b !== "000000000000000e").map((shopper) => ({ shopper, day: from, arm: "wand", persona: "explorer" })) };
      },
    };
    const buyers = Array.from({ length: 14 }, (_, i) => (i + 1).toString(16).padStart(16, "0"));
    const got = await countsWithBuyers(edge, "s", { from: "2026-11-01", to: "2026-11-03" }, buyers, 5);
    expect(asked.map((a) => a.length)).toEqual([5, 5, 4]);
    expect(asked.flat()).toEqual(buyers);
    expect(got.buyers.map((b) => b.shopper)).toEqual(buyers.slice(0, 13));
    expect(got.exposures).toEqual(counts.exposures);
    // The edge's own bound is the default chunk.
    await countsWithBuyers(edge, "s", { from: "2026-11-01", to: "2026-11-03" }, Array.from({ length: MAX_BUYER_LOOKUP + 1 }, () => buyers[0]!));
    expect(asked.slice(3).map((a) => a.length)).toEqual([MAX_BUYER_LOOKUP, 1]);
  });
});
