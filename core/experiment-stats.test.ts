import { describe, expect, it } from "vitest";
import {
  meanComparison,
  normalQuantile,
  relativeUpliftInterval,
  requiredVisitors,
  sampleRatioCheck,
  twoProportionZTest,
  twoSidedP,
} from "./experiment-stats.ts";

/*
 * Reference values. Where a printed table gives the number it is named; every other value was
 * computed once, independently of this code and of jstat, with python3's standard library
 * (statistics.NormalDist for Φ and Φ⁻¹, math.erfc for tails, math.comb for binomials; the chi-square
 * tail with one degree of freedom is erfc(√(x/2))), and is written here with the expression used.
 */

describe("distributions (through jstat)", () => {
  it("gives the standard normal quantiles of the textbook tables", () => {
    // z table: 1.960 for 97.5 %, 0.842 for 80 %, 2.576 for 99.5 %. NormalDist().inv_cdf: 1.959963984540054, 0.8416212335729143.
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 9);
    expect(normalQuantile(0.8)).toBeCloseTo(0.8416212335729143, 9);
    expect(normalQuantile(0.995)).toBeCloseTo(2.576, 3);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });

  it("gives two-sided p-values: 0.05 at 1.96, 0.3173 at 1 (erfc(1/√2) = 0.31731050786291404)", () => {
    expect(twoSidedP(1.959963984540054)).toBeCloseTo(0.05, 9);
    expect(twoSidedP(-1)).toBeCloseTo(0.31731050786291404, 9);
    expect(twoSidedP(0)).toBe(1);
  });
});

describe("two-proportion z-test (pooled)", () => {
  it("matches a hand-checked case: 200/10,000 against 250/10,000", () => {
    // pooled p = 450/20000; z = 0.005 / √(p(1−p)·2/10000) = 2.3839951328405053; p = erfc(z/√2) = 0.01712582887219502
    const t = twoProportionZTest(200, 10_000, 250, 10_000)!;
    expect(t.z).toBeCloseTo(2.3839951328405053, 9);
    expect(t.pValue).toBeCloseTo(0.01712582887219502, 9);
  });

  it("is signed by the treatment: 48/1,000 (holdout) against 30/1,000 (wand)", () => {
    // z = −2.079043182695128, p = 0.037613381587654635
    const t = twoProportionZTest(48, 1000, 30, 1000)!;
    expect(t.z).toBeCloseTo(-2.079043182695128, 9);
    expect(t.pValue).toBeCloseTo(0.037613381587654635, 9);
  });

  it("has nothing to test without visitors or without variation, and refuses impossible counts", () => {
    expect(twoProportionZTest(0, 0, 5, 100)).toBeNull();
    expect(twoProportionZTest(0, 100, 0, 100)).toBeNull();
    expect(() => twoProportionZTest(11, 10, 1, 10)).toThrow(RangeError);
    expect(() => twoProportionZTest(-1, 10, 1, 10)).toThrow(RangeError);
  });
});

describe("relative uplift with a 95 % interval (delta method on the log ratio)", () => {
  it("matches the log-ratio (Katz) interval: 200/10,000 → 250/10,000", () => {
    // exp(log(1.25) ± 1.959964·√(1/250 − 1/10000 + 1/200 − 1/10000)) − 1 = 0.040064397676184305 … 0.502310821802086
    const i = relativeUpliftInterval(200, 10_000, 250, 10_000)!;
    expect(i.uplift).toBeCloseTo(0.25, 12);
    expect(i.low).toBeCloseTo(0.040064397676184305, 9);
    expect(i.high).toBeCloseTo(0.502310821802086, 9);
  });

  it("is asymmetric around a loss and stays above −100 %: 48/1,000 → 30/1,000", () => {
    // −0.375 with −0.6005472769115254 … −0.022099544146853556
    const i = relativeUpliftInterval(48, 1000, 30, 1000)!;
    expect(i.uplift).toBeCloseTo(-0.375, 12);
    expect(i.low).toBeCloseTo(-0.6005472769115254, 9);
    expect(i.high).toBeCloseTo(-0.022099544146853556, 9);
  });

  it("is undefined while an arm has no conversion", () => {
    expect(relativeUpliftInterval(0, 100, 3, 100)).toBeNull();
    expect(relativeUpliftInterval(3, 100, 0, 100)).toBeNull();
  });
});

describe("revenue per visitor (Welch z-test, log-ratio interval)", () => {
  it("matches python's statistics.variance on explicit per-visitor revenues", () => {
    // holdout: 95 × 0 and 20, 30, 40, 50, 60; wand: 92 × 0 and 25, 30, 35, 40, 45, 50, 55, 70.
    // z = 0.9598991674036461, p = 0.33710596529439096, uplift 0.75, interval −0.44711269686137334 … 4.539103507378125
    const m = meanComparison({ n: 100, sum: 200, sumSquares: 9000 }, { n: 100, sum: 350, sumSquares: 16_800 })!;
    expect(m.z).toBeCloseTo(0.9598991674036461, 9);
    expect(m.pValue).toBeCloseTo(0.33710596529439096, 9);
    expect(m.interval!.uplift).toBeCloseTo(0.75, 12);
    expect(m.interval!.low).toBeCloseTo(-0.44711269686137334, 9);
    expect(m.interval!.high).toBeCloseTo(4.539103507378125, 9);
  });

  it("has no result for an arm of fewer than two visitors or no revenue at all", () => {
    expect(meanComparison({ n: 1, sum: 5, sumSquares: 25 }, { n: 10, sum: 5, sumSquares: 25 })).toBeNull();
    expect(meanComparison({ n: 10, sum: 0, sumSquares: 0 }, { n: 10, sum: 0, sumSquares: 0 })).toBeNull();
  });
});

describe("sample size for a minimum detectable effect", () => {
  it("needs 31,234 shoppers per arm for +10 % on a 5 % baseline, 50/50, α 0.05 two-sided, power 0.8", () => {
    // (1.959964·√(2·p̄q̄) + 0.841621·√(p_c q_c + p_t q_t))² / (p_t − p_c)² = 31233.44 → 31,234 (the figure
    // the usual online two-proportion calculators print for these inputs).
    expect(requiredVisitors({ baselineRate: 0.05, relativeEffect: 0.1, alpha: 0.05, power: 0.8, holdoutShare: 0.5 })).toEqual({ holdout: 31_234, wand: 31_234 });
  });

  it("puts more shoppers in the larger arm when the holdout is small", () => {
    // k = 9: n_holdout = 29986.78 → 29,987, n_wand = 9 × 29986.78 = 269881.008 → 269,882
    expect(requiredVisitors({ baselineRate: 0.03, relativeEffect: 0.1, alpha: 0.05, power: 0.8, holdoutShare: 0.1 })).toEqual({ holdout: 29_987, wand: 269_882 });
    // k = 4, +15 % on 5 %: 9006.68 → 9,007 and 36026.73 → 36,027
    expect(requiredVisitors({ baselineRate: 0.05, relativeEffect: 0.15, alpha: 0.05, power: 0.8, holdoutShare: 0.2 })).toEqual({ holdout: 9007, wand: 36_027 });
  });

  it("refuses plans that cannot exist", () => {
    expect(() => requiredVisitors({ baselineRate: 0, relativeEffect: 0.1, alpha: 0.05, power: 0.8, holdoutShare: 0.5 })).toThrow(RangeError);
    expect(() => requiredVisitors({ baselineRate: 0.95, relativeEffect: 0.1, alpha: 0.05, power: 0.8, holdoutShare: 0.5 })).toThrow(RangeError);
    expect(() => requiredVisitors({ baselineRate: 0.05, relativeEffect: 0.1, alpha: 0.05, power: 0.8, holdoutShare: 1 })).toThrow(RangeError);
  });
});

describe("sample-ratio mismatch (chi-square, 1 degree of freedom)", () => {
  it("flags 1,100 of 10,000 in a 10 % holdout: χ² = 11.11, p = 0.000858", () => {
    // χ² = 100²/1000 + 100²/9000 = 11.111…; p = erfc(√(χ²/2)) = 0.0008581206663936747
    const c = sampleRatioCheck(1100, 8900, 10)!;
    expect(c.chiSquare).toBeCloseTo(11.111111111111, 9);
    expect(c.pValue).toBeCloseTo(0.0008581206663936747, 9);
    expect(c.mismatch).toBe(true);
    expect(c.observedHoldoutShare).toBeCloseTo(0.11, 12);
  });

  it("agrees with the χ² table: 10.828 is the 0.001 critical value for one degree of freedom", () => {
    // 15,000 visitors at 20 %: 3,000 expected in the holdout. 3,000 + d with d²(1/3000 + 1/12000) = 10.828 → d = 161.2.
    expect(sampleRatioCheck(3161, 11_839, 20)!.mismatch).toBe(false); // χ² = 10.800
    expect(sampleRatioCheck(3162, 11_838, 20)!.mismatch).toBe(true); // χ² = 10.935
  });

  it("does not flag ordinary noise, and has nothing to check without a holdout", () => {
    // 1,030 of 10,000 at 10 %: χ² = 1, p = 0.3173
    const c = sampleRatioCheck(1030, 8970, 10)!;
    expect(c.pValue).toBeCloseTo(0.31731050786291404, 9);
    expect(c.mismatch).toBe(false);
    expect(sampleRatioCheck(0, 500, 0)).toBeNull();
    expect(sampleRatioCheck(500, 0, 100)).toBeNull();
    expect(sampleRatioCheck(0, 0, 10)).toBeNull();
  });
});
