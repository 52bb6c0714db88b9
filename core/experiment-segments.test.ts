import { describe, expect, it } from "vitest";
import { experimentReport } from "./experiment-report.ts";
import { segmentsFrom } from "./experiment-segments.ts";
import type { ExperimentCounts } from "./experiment.ts";

const counts: ExperimentCounts = {
  store: "s",
  from: "2026-12-01",
  to: "2026-12-02",
  exposures: [
    { day: "2026-12-01", arm: "wand", persona: "explorer", visitors: 6 },
    { day: "2026-12-02", arm: "wand", persona: "explorer", visitors: 4 },
    { day: "2026-12-01", arm: "holdout", persona: "explorer", visitors: 3 },
    { day: "2026-12-01", arm: "holdout", persona: "loyalist", visitors: 1 },
  ],
  funnel: [
    { day: "2026-12-01", arm: "wand", persona: "explorer", event: "product_added_to_cart", shoppers: 3 },
    { day: "2026-12-01", arm: "wand", persona: "explorer", event: "product_viewed", shoppers: 7 },
    { day: "2026-12-02", arm: "holdout", persona: "explorer", event: "product_added_to_cart", shoppers: 1 },
  ],
};

describe("segmentsFrom", () => {
  it("adds days up per arm and persona, and counts buyers and revenue per distinct shopper", () => {
    const { segments, unmatched } = segmentsFrom(counts, [
      { shopper: "a", arm: "wand", persona: "explorer", subtotal: 30 },
      { shopper: "a", arm: "wand", persona: "explorer", subtotal: 10 },
      { shopper: "b", arm: "wand", persona: "explorer", subtotal: 20 },
      { shopper: "c", arm: "holdout", persona: "explorer", subtotal: 15 },
    ]);
    expect(unmatched).toBe(0);
    expect(segments.map((s) => s.persona)).toEqual(["explorer", "loyalist"]);
    expect(segments[0]).toEqual({
      persona: "explorer",
      wand: { visitors: 10, addedToCart: 3, converted: 2, revenue: 60, revenueSquares: 40 * 40 + 20 * 20 },
      holdout: { visitors: 3, addedToCart: 1, converted: 1, revenue: 15, revenueSquares: 225 },
    });
    const report = experimentReport(25, segments);
    expect(report.overall.wand.revenuePerVisitor).toBeCloseTo(6, 12);
    expect(report.overall.holdout.visitors).toBe(4);
  });

  it("never counts more buyers than visitors in a segment, and says how many it left out", () => {
    const { segments, unmatched } = segmentsFrom(counts, [
      { shopper: "x", arm: "holdout", persona: "loyalist", subtotal: 5 },
      { shopper: "y", arm: "holdout", persona: "loyalist", subtotal: 9 },
      { shopper: "z", arm: "wand", persona: "minimalist", subtotal: 9 },
    ]);
    expect(unmatched).toBe(2);
    expect(segments[1]!.holdout).toMatchObject({ visitors: 1, converted: 1, revenue: 9 });
    expect(() => experimentReport(25, segments)).not.toThrow();
  });
});
