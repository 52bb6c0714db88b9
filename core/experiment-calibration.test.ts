import { describe, expect, it } from "vitest";
import { experimentReport } from "./experiment-report.ts";
import { relativeUpliftInterval, requiredVisitors } from "./experiment-stats.ts";
import { seededRandom } from "./seeded-random.ts";

/*
 * Calibration of the method on simulated experiments (statistics only, seeded, so every run is the
 * same). Each simulated shopper converts with a Bernoulli draw from a seeded PRNG.
 *
 * Slack for 200 runs: if the interval's true coverage is 95 %, the number of A/A runs covering 0 is
 * Binomial(200, 0.95): P(X ≤ 185) = 0.078, so requiring ≥ 186 (93 %) rarely fails a correct method.
 * If the plan's true power is 80 %, detections are Binomial(200, 0.8): P(X ≤ 145) = 0.0066 and
 * P(X ≥ 176) = 0.0020 (python3, math.comb), so 146 … 175 detections is what a correct plan gives;
 * fewer means the plan promises power it lacks, more means it asks for far more shoppers than needed.
 */

const rng = seededRandom;

function conversions(random: () => number, visitors: number, rate: number): number {
  let x = 0;
  for (let i = 0; i < visitors; i++) if (random() < rate) x++;
  return x;
}

const RUNS = 200;
const HOLDOUT_PERCENT = 20;
const BASELINE = 0.05;

describe("calibration on 200 seeded simulations", () => {
  const plan = requiredVisitors({ baselineRate: BASELINE, relativeEffect: 0.15, alpha: 0.05, power: 0.8, holdoutShare: HOLDOUT_PERCENT / 100 });

  it("A/A (no true effect): the 95 % interval covers 0 in at least 93 % of runs", () => {
    const random = rng(20261201);
    let covered = 0;
    for (let run = 0; run < RUNS; run++) {
      const interval = relativeUpliftInterval(
        conversions(random, plan.holdout, BASELINE),
        plan.holdout,
        conversions(random, plan.wand, BASELINE),
        plan.wand,
      )!;
      if (interval.low <= 0 && interval.high >= 0) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(186);
  });

  it("a true +15 % conversion uplift at the planned sample size is detected with the stated 80 % power", () => {
    const random = rng(7);
    let detected = 0;
    for (let run = 0; run < RUNS; run++) {
      const holdoutConverted = conversions(random, plan.holdout, BASELINE);
      const wandConverted = conversions(random, plan.wand, BASELINE * 1.15);
      const report = experimentReport(
        HOLDOUT_PERCENT,
        [
          {
            persona: "explorer",
            holdout: { visitors: plan.holdout, addedToCart: 0, converted: holdoutConverted, revenue: 0 },
            wand: { visitors: plan.wand, addedToCart: 0, converted: wandConverted, revenue: 0 },
          },
        ],
        // The plan assumed the true baseline; the report must judge these runs by the same plan.
        { minimumDetectableEffect: 0.15, baselineRate: BASELINE },
      );
      expect(report.overall.plan!.enough).toBe(true);
      if (report.overall.verdict === "wand_better") detected++;
    }
    expect(detected).toBeGreaterThanOrEqual(146);
    expect(detected).toBeLessThanOrEqual(175);
  });
});
