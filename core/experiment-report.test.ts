import { describe, expect, it } from "vitest";
import { experimentReport, type ArmCounts } from "./experiment-report.ts";

const arm = (visitors: number, addedToCart: number, converted: number, revenue: number, revenueSquares?: number): ArmCounts => ({
  visitors,
  addedToCart,
  converted,
  revenue,
  ...(revenueSquares === undefined ? {} : { revenueSquares }),
});

describe("experiment report", () => {
  it("gives per arm and per persona visitors, add-to-cart rate, conversion rate and revenue per visitor", () => {
    const r = experimentReport(20, [
      { persona: "explorer", wand: arm(800, 80, 40, 2000), holdout: arm(200, 10, 5, 300) },
      { persona: "dealhunter", wand: arm(400, 60, 20, 800), holdout: arm(100, 12, 4, 100) },
    ]);
    expect(r.overall.wand).toMatchObject({ visitors: 1200, addedToCart: 140, converted: 60, revenue: 2800 });
    expect(r.overall.wand.conversionRate).toBeCloseTo(0.05, 12);
    expect(r.overall.holdout.addToCartRate).toBeCloseTo(22 / 300, 12);
    expect(r.overall.holdout.revenuePerVisitor).toBeCloseTo(400 / 300, 12);
    expect(r.personas.map((p) => p.segment)).toEqual(["explorer", "dealhunter"]);
    expect(r.personas[0]!.conversion.uplift).toBeCloseTo(0.05 / 0.025 - 1, 12);
    expect(r.method).toMatch(/two-proportion z-test/i);
  });

  it("says 'not enough data yet' with the visitors still needed, even when today's p-value is small", () => {
    // 2 % (holdout) vs 3 % (wand) on 500 + 2,000 shoppers; a plan for 10 % on a 2 % baseline with a 20 %
    // holdout needs tens of thousands.
    const r = experimentReport(20, [{ persona: "explorer", wand: arm(2000, 100, 60, 3000), holdout: arm(500, 20, 10, 400) }]);
    expect(r.overall.verdict).toBe("not_enough_data");
    const plan = r.overall.plan!;
    expect(plan.baselineRate).toBeCloseTo(0.02, 12);
    expect(plan.stillNeeded.holdout).toBe(plan.required.holdout - 500);
    expect(plan.stillNeeded.wand).toBe(plan.required.wand - 2000);
    expect(plan.required.wand / plan.required.holdout).toBeCloseTo(4, 3);
    expect(r.overall.summary).toMatch(/^Not enough data yet: about [\d,]+ more shoppers in the holdout and [\d,]+ more with WandStore are needed to detect a 10 % change/);
  });

  it("declares a winner once the planned sample is reached and the test says so", () => {
    // 5 % vs 6 % with 10,000 holdout and 40,000 wand shoppers; a plan for a 25 % change on a 5 % baseline
    // needs fewer than that, so the result may be read.
    const r = experimentReport(20, [{ persona: "loyalist", wand: arm(40_000, 4000, 2400, 0), holdout: arm(10_000, 900, 500, 0) }], { minimumDetectableEffect: 0.25 });
    expect(r.overall.plan!.enough).toBe(true);
    expect(r.overall.conversion.pValue!).toBeLessThan(0.05);
    expect(r.overall.verdict).toBe("wand_better");
    expect(r.overall.summary).toMatch(/^WandStore raises conversion.*Conversion \+20\.0 % \(95 % interval \+\d+\.\d % to \+\d+\.\d %, p < 0\.001, two-proportion z-test\)\.$/);
  });

  it("reports a loss and no clear difference in plain words", () => {
    const worse = experimentReport(50, [{ persona: "explorer", wand: arm(10_000, 0, 400, 0), holdout: arm(10_000, 0, 500, 0) }], { minimumDetectableEffect: 0.3 });
    expect(worse.overall.verdict).toBe("wand_worse");
    expect(worse.overall.summary).toMatch(/^WandStore lowers conversion/);
    const same = experimentReport(50, [{ persona: "explorer", wand: arm(10_000, 0, 505, 0), holdout: arm(10_000, 0, 500, 0) }], { minimumDetectableEffect: 0.3 });
    expect(same.overall.verdict).toBe("no_clear_difference");
  });

  it("puts a sample-ratio mismatch above every other verdict", () => {
    // 10 % configured, 13 % observed over 10,000 shoppers: χ² = 100 → p far below 0.001.
    const r = experimentReport(10, [{ persona: "explorer", wand: arm(8700, 0, 870, 0), holdout: arm(1300, 0, 65, 0) }]);
    expect(r.overall.srm!.mismatch).toBe(true);
    expect(r.overall.verdict).toBe("sample_ratio_mismatch");
    expect(r.overall.summary).toMatch(/^Warning: 13\.0 % of shoppers are in the holdout, but 10 % should be \(chi-square test, p < 0\.001\)/);
  });

  it("has no comparison without a holdout, and no interval or p-value before either arm converts", () => {
    const none = experimentReport(0, [{ persona: "explorer", wand: arm(500, 5, 2, 10), holdout: arm(0, 0, 0, 0) }]);
    expect(none.overall.plan).toBeNull();
    expect(none.overall.srm).toBeNull();
    expect(none.overall.verdict).toBe("not_enough_data");
    expect(none.overall.summary).toMatch(/No experiment is running/);
    const early = experimentReport(10, [{ persona: "explorer", wand: arm(90, 0, 0, 0), holdout: arm(10, 0, 0, 0) }]);
    expect(early.overall.conversion).toMatchObject({ uplift: null, low: null, high: null, pValue: null });
    expect(early.overall.verdict).toBe("not_enough_data");
  });

  it("gives revenue per visitor an interval and p-value only when Σx² is known", () => {
    const without = experimentReport(50, [{ persona: "explorer", wand: arm(100, 0, 8, 350), holdout: arm(100, 0, 5, 200) }]);
    expect(without.overall.revenuePerVisitor).toMatchObject({ holdout: 2, wand: 3.5, low: null, pValue: null });
    expect(without.overall.revenuePerVisitor.uplift).toBeCloseTo(0.75, 12);
    // The same data as the meanComparison reference (experiment-stats.test.ts).
    const withSq = experimentReport(50, [{ persona: "explorer", wand: arm(100, 0, 8, 350, 16_800), holdout: arm(100, 0, 5, 200, 9000) }]);
    expect(withSq.overall.revenuePerVisitor.pValue).toBeCloseTo(0.33710596529439096, 9);
    expect(withSq.overall.revenuePerVisitor.low).toBeCloseTo(-0.44711269686137334, 9);
  });
});
