/// <reference path="./jstat.d.ts" />
import jStat from "jstat";

/**
 * The statistics of the holdout experiment (docs/decisions/0003-experiment-statistics.md), as pure
 * functions of counts. "Control" is the holdout arm, "treatment" the wand arm.
 *
 * - Rates (add to cart, conversion): the two-proportion z-test with the pooled standard error, two
 *   sided, for the p-value; the relative uplift p_t / p_c − 1 with a 95 % interval from the delta
 *   method on log(p_t / p_c) (Katz's log interval for a ratio of proportions), which stays inside
 *   (−100 %, ∞) and is asymmetric as a ratio's uncertainty is.
 * - Revenue per visitor: a large-sample (Welch) z-test on the difference of means, and the delta
 *   method on the log ratio of the means for the interval; it needs Σx² per visitor.
 * - Sample size: the normal-approximation formula for two proportions with unequal arms (Fleiss,
 *   Statistical Methods for Rates and Proportions, without continuity correction).
 * - Sample-ratio mismatch: Pearson's chi-square goodness-of-fit test of the observed split against the
 *   configured holdout share, one degree of freedom.
 * Distributions come from jstat; nothing here hand-rolls a CDF or quantile.
 */

/** The standard normal p-quantile. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`a quantile needs 0 < p < 1, got ${p}`);
  return jStat.normal.inv(p, 0, 1);
}

/** Two-sided p-value of a standard normal statistic: P(|Z| ≥ |z|). */
export function twoSidedP(z: number): number {
  // The lower tail at −|z| avoids the cancellation of 1 − Φ(|z|) for large |z|.
  return Math.min(1, 2 * jStat.normal.cdf(-Math.abs(z), 0, 1));
}

export interface ZTest {
  z: number;
  pValue: number;
}

/**
 * Two-proportion z-test of x_t / n_t against x_c / n_c with the pooled standard error. Null when
 * there is nothing to test (an empty arm, or no variation at all: every rate 0 or every rate 1).
 */
export function twoProportionZTest(xc: number, nc: number, xt: number, nt: number): ZTest | null {
  checkCounts(xc, nc);
  checkCounts(xt, nt);
  if (nc === 0 || nt === 0) return null;
  const pooled = (xc + xt) / (nc + nt);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / nc + 1 / nt));
  if (!(se > 0)) return null;
  const z = (xt / nt - xc / nc) / se;
  return { z, pValue: twoSidedP(z) };
}

export interface Interval {
  /** Point estimate of the relative uplift (0.12 = +12 %). */
  uplift: number;
  low: number;
  high: number;
}

/**
 * Relative uplift p_t / p_c − 1 of two proportions with a `level` interval by the delta method on the
 * log ratio: Var(log p̂_t/p̂_c) ≈ 1/x_t − 1/n_t + 1/x_c − 1/n_c. Null while either arm has no success
 * (the ratio or its logarithm is undefined).
 */
export function relativeUpliftInterval(xc: number, nc: number, xt: number, nt: number, level = 0.95): Interval | null {
  checkCounts(xc, nc);
  checkCounts(xt, nt);
  if (xc === 0 || xt === 0) return null;
  const logRatio = Math.log(xt / nt / (xc / nc));
  const se = Math.sqrt(1 / xt - 1 / nt + 1 / xc - 1 / nc);
  const z = normalQuantile(1 - (1 - level) / 2);
  return { uplift: Math.exp(logRatio) - 1, low: Math.exp(logRatio - z * se) - 1, high: Math.exp(logRatio + z * se) - 1 };
}

/** A per-visitor metric summed over an arm: n visitors, Σx and Σx² (non-buyers contribute 0). */
export interface MeanSample {
  n: number;
  sum: number;
  sumSquares: number;
}

export interface MeanComparison extends ZTest {
  interval: Interval | null;
}

/**
 * Difference of two means (revenue per visitor): Welch's large-sample z-test, and the relative uplift
 * of the means with a delta-method interval on their log ratio. Null when an arm has fewer than two
 * visitors or neither arm varies.
 */
export function meanComparison(control: MeanSample, treatment: MeanSample, level = 0.95): MeanComparison | null {
  if (control.n < 2 || treatment.n < 2) return null;
  const mc = control.sum / control.n;
  const mt = treatment.sum / treatment.n;
  const vc = sampleVariance(control);
  const vt = sampleVariance(treatment);
  const se = Math.sqrt(vc / control.n + vt / treatment.n);
  if (!(se > 0)) return null;
  const z = (mt - mc) / se;
  let interval: Interval | null = null;
  if (mc > 0 && mt > 0) {
    const logRatio = Math.log(mt / mc);
    const seLog = Math.sqrt(vc / (control.n * mc * mc) + vt / (treatment.n * mt * mt));
    const q = normalQuantile(1 - (1 - level) / 2);
    interval = { uplift: mt / mc - 1, low: Math.exp(logRatio - q * seLog) - 1, high: Math.exp(logRatio + q * seLog) - 1 };
  }
  return { z, pValue: twoSidedP(z), interval };
}

function sampleVariance(s: MeanSample): number {
  const mean = s.sum / s.n;
  return Math.max(0, (s.sumSquares - s.n * mean * mean) / (s.n - 1));
}

export interface SampleSizePlan {
  /** Baseline (holdout) rate the plan assumes. */
  baselineRate: number;
  /** Smallest relative change to detect (0.1 = ±10 %). */
  relativeEffect: number;
  alpha: number;
  power: number;
  /** Share of shoppers in the holdout, 0 < share < 1. */
  holdoutShare: number;
}

/**
 * Visitors each arm needs for the two-sided two-proportion z-test at level alpha to detect a change of
 * the baseline rate by relativeEffect with the given power, with arms in the configured ratio
 * (k = n_wand / n_holdout):
 *   n_holdout = ( z_{1−α/2}·√(p̄q̄(1 + 1/k)) + z_{1−β}·√(p_c q_c + p_t q_t / k) )² / (p_t − p_c)²
 * with p̄ = (p_c + k·p_t) / (1 + k).
 */
export function requiredVisitors(plan: SampleSizePlan): { holdout: number; wand: number } {
  const { baselineRate: pc, relativeEffect, alpha, power, holdoutShare } = plan;
  const pt = pc * (1 + relativeEffect);
  if (!(pc > 0 && pc < 1) || !(pt > 0 && pt < 1) || relativeEffect === 0) {
    throw new RangeError(`no sample size for a baseline of ${pc} and a relative effect of ${relativeEffect}`);
  }
  if (!(holdoutShare > 0 && holdoutShare < 1)) throw new RangeError(`the holdout share must be between 0 and 1, got ${holdoutShare}`);
  const k = (1 - holdoutShare) / holdoutShare;
  const pbar = (pc + k * pt) / (1 + k);
  const za = normalQuantile(1 - alpha / 2);
  const zb = normalQuantile(power);
  const root = za * Math.sqrt(pbar * (1 - pbar) * (1 + 1 / k)) + zb * Math.sqrt(pc * (1 - pc) + (pt * (1 - pt)) / k);
  const holdout = (root * root) / ((pt - pc) * (pt - pc));
  return { holdout: Math.ceil(holdout), wand: Math.ceil(holdout * k) };
}

export interface SampleRatioCheck {
  expectedHoldoutShare: number;
  observedHoldoutShare: number;
  chiSquare: number;
  pValue: number;
  /** True when p < threshold (0.001 by default): the split is not what the assignment should give. */
  mismatch: boolean;
}

/**
 * Pearson's chi-square test (1 degree of freedom) of the observed visitors per arm against the
 * configured holdout percent. Null when the percent leaves one arm empty by design or nobody came.
 */
export function sampleRatioCheck(holdoutVisitors: number, wandVisitors: number, holdoutPercent: number, threshold = 0.001): SampleRatioCheck | null {
  checkCounts(holdoutVisitors, holdoutVisitors);
  checkCounts(wandVisitors, wandVisitors);
  const total = holdoutVisitors + wandVisitors;
  if (!(holdoutPercent > 0 && holdoutPercent < 100) || total === 0) return null;
  const share = holdoutPercent / 100;
  const eh = total * share;
  const ew = total - eh;
  const chiSquare = (holdoutVisitors - eh) ** 2 / eh + (wandVisitors - ew) ** 2 / ew;
  const pValue = Math.max(0, 1 - jStat.chisquare.cdf(chiSquare, 1));
  return { expectedHoldoutShare: share, observedHoldoutShare: holdoutVisitors / total, chiSquare, pValue, mismatch: pValue < threshold };
}

function checkCounts(successes: number, trials: number): void {
  if (!Number.isSafeInteger(successes) || !Number.isSafeInteger(trials) || successes < 0 || successes > trials) {
    throw new RangeError(`counts must be integers with 0 ≤ successes ≤ trials, got ${successes} of ${trials}`);
  }
}
