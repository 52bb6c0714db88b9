import type { Arm } from "./experiment.ts";
import {
  meanComparison,
  relativeUpliftInterval,
  requiredVisitors,
  sampleRatioCheck,
  twoProportionZTest,
  type SampleRatioCheck,
} from "./experiment-stats.ts";
import type { Persona } from "./types.ts";

/**
 * The uplift report of the holdout experiment: per arm and per persona, visitors, add-to-cart rate,
 * conversion rate and revenue per visitor; the relative uplift of `wand` over `holdout` with a 95 %
 * interval and a p-value (two-proportion z-test); the sample-ratio-mismatch check; and, until the
 * planned sample is reached, "not enough data yet" with the visitors still needed.
 *
 * Why a fixed horizon: the z-test's error rates hold when the result is read once, at the planned
 * sample size. A dashboard is read every day, so before the plan is met the verdict is "not enough
 * data yet" even when today's p-value happens to be small (the figures are still shown).
 */

export const METHOD =
  "Two-proportion z-test (pooled, two-sided) for the p-value; 95 % interval of the relative uplift by the delta method on the log ratio";

/** What the report needs per arm of one segment. Counts are distinct shoppers. */
export interface ArmCounts {
  /** Distinct shoppers served (exposed) in the range. */
  visitors: number;
  /** Of them, shoppers with at least one add to cart. */
  addedToCart: number;
  /** Of them, shoppers with at least one order. */
  converted: number;
  /** Order subtotals of these shoppers, in the shop's currency (major units). */
  revenue: number;
  /** Σ over visitors of (their revenue)²; without it revenue per visitor has no interval or p-value. */
  revenueSquares?: number;
}

export interface SegmentInput {
  persona: Persona;
  wand: ArmCounts;
  holdout: ArmCounts;
}

export interface ReportOptions {
  /** Smallest relative change in conversion the plan must detect; default 0.10 (10 %). */
  minimumDetectableEffect?: number;
  /** Two-sided significance level; default 0.05. */
  alpha?: number;
  /** Power of the plan; default 0.8. */
  power?: number;
  /** Conversion rate the plan assumes; default the holdout's observed rate, else DEFAULT_BASELINE. */
  baselineRate?: number;
}

/** Baseline conversion assumed while the holdout has no order yet (a typical online-store rate). */
export const DEFAULT_BASELINE = 0.02;

export interface ArmSummary extends ArmCounts {
  addToCartRate: number | null;
  conversionRate: number | null;
  revenuePerVisitor: number | null;
}

export interface Comparison {
  holdout: number | null;
  wand: number | null;
  /** wand / holdout − 1 */
  uplift: number | null;
  low: number | null;
  high: number | null;
  pValue: number | null;
}

export type Verdict = "sample_ratio_mismatch" | "not_enough_data" | "wand_better" | "wand_worse" | "no_clear_difference";

export interface SegmentReport {
  segment: Persona | "all";
  wand: ArmSummary;
  holdout: ArmSummary;
  conversion: Comparison;
  addToCart: Comparison;
  revenuePerVisitor: Comparison;
  srm: SampleRatioCheck | null;
  /** Null when the holdout percent leaves an arm empty by design (0 or 100). */
  plan: { baselineRate: number; required: Record<Arm, number>; stillNeeded: Record<Arm, number>; enough: boolean } | null;
  verdict: Verdict;
  /** The verdict in plain words, naming the method. */
  summary: string;
}

export interface ExperimentReport {
  method: string;
  holdoutPercent: number;
  alpha: number;
  power: number;
  minimumDetectableEffect: number;
  overall: SegmentReport;
  personas: SegmentReport[];
}

export function experimentReport(holdoutPercent: number, segments: SegmentInput[], options: ReportOptions = {}): ExperimentReport {
  const alpha = options.alpha ?? 0.05;
  const power = options.power ?? 0.8;
  const mde = options.minimumDetectableEffect ?? 0.1;
  const settings = { holdoutPercent, alpha, power, mde, baselineRate: options.baselineRate };
  const total = (arm: Arm): ArmCounts => {
    const rows = segments.map((s) => s[arm]);
    const squares = rows.every((r) => r.revenueSquares !== undefined);
    return {
      visitors: rows.reduce((n, r) => n + r.visitors, 0),
      addedToCart: rows.reduce((n, r) => n + r.addedToCart, 0),
      converted: rows.reduce((n, r) => n + r.converted, 0),
      revenue: rows.reduce((n, r) => n + r.revenue, 0),
      ...(squares ? { revenueSquares: rows.reduce((n, r) => n + (r.revenueSquares ?? 0), 0) } : {}),
    };
  };
  return {
    method: METHOD,
    holdoutPercent,
    alpha,
    power,
    minimumDetectableEffect: mde,
    // Each shopper is attributed to one persona (the first served in the range), so the personas' counts add up.
    overall: segmentReport("all", total("wand"), total("holdout"), settings),
    personas: segments.map((s) => segmentReport(s.persona, s.wand, s.holdout, settings)),
  };
}

interface Settings {
  holdoutPercent: number;
  alpha: number;
  power: number;
  mde: number;
  baselineRate: number | undefined;
}

function segmentReport(segment: Persona | "all", wand: ArmCounts, holdout: ArmCounts, s: Settings): SegmentReport {
  const conversion = rateComparison(holdout.converted, holdout.visitors, wand.converted, wand.visitors);
  const addToCart = rateComparison(holdout.addedToCart, holdout.visitors, wand.addedToCart, wand.visitors);
  const rpv = revenueComparison(holdout, wand);
  const srm = sampleRatioCheck(holdout.visitors, wand.visitors, s.holdoutPercent);
  const plan = planFor(holdout, wand, s);

  let verdict: Verdict;
  if (srm?.mismatch) verdict = "sample_ratio_mismatch";
  else if (!plan || !plan.enough || conversion.pValue === null || conversion.uplift === null) verdict = "not_enough_data";
  else if (conversion.pValue < s.alpha && conversion.low !== null && conversion.low > 0) verdict = "wand_better";
  else if (conversion.pValue < s.alpha && conversion.high !== null && conversion.high < 0) verdict = "wand_worse";
  else verdict = "no_clear_difference";

  return {
    segment,
    wand: summarise(wand),
    holdout: summarise(holdout),
    conversion,
    addToCart,
    revenuePerVisitor: rpv,
    srm,
    plan,
    verdict,
    summary: sentence(verdict, conversion, srm, plan, s),
  };
}

function summarise(c: ArmCounts): ArmSummary {
  const rate = (x: number) => (c.visitors > 0 ? x / c.visitors : null);
  return { ...c, addToCartRate: rate(c.addedToCart), conversionRate: rate(c.converted), revenuePerVisitor: rate(c.revenue) };
}

function rateComparison(xc: number, nc: number, xt: number, nt: number): Comparison {
  const test = twoProportionZTest(xc, nc, xt, nt);
  const interval = relativeUpliftInterval(xc, nc, xt, nt);
  return {
    holdout: nc > 0 ? xc / nc : null,
    wand: nt > 0 ? xt / nt : null,
    uplift: interval?.uplift ?? (xc > 0 && nt > 0 ? xt / nt / (xc / nc) - 1 : null),
    low: interval?.low ?? null,
    high: interval?.high ?? null,
    pValue: test?.pValue ?? null,
  };
}

function revenueComparison(holdout: ArmCounts, wand: ArmCounts): Comparison {
  const mean = (c: ArmCounts) => (c.visitors > 0 ? c.revenue / c.visitors : null);
  const out: Comparison = { holdout: mean(holdout), wand: mean(wand), uplift: null, low: null, high: null, pValue: null };
  const hc = mean(holdout);
  const wc = mean(wand);
  if (hc !== null && wc !== null && hc > 0) out.uplift = wc / hc - 1;
  if (holdout.revenueSquares === undefined || wand.revenueSquares === undefined) return out;
  const m = meanComparison(
    { n: holdout.visitors, sum: holdout.revenue, sumSquares: holdout.revenueSquares },
    { n: wand.visitors, sum: wand.revenue, sumSquares: wand.revenueSquares },
  );
  if (!m) return out;
  return { ...out, pValue: m.pValue, low: m.interval?.low ?? null, high: m.interval?.high ?? null };
}

function planFor(holdout: ArmCounts, wand: ArmCounts, s: Settings): SegmentReport["plan"] {
  if (!(s.holdoutPercent > 0 && s.holdoutPercent < 100)) return null;
  const observed = holdout.visitors > 0 && holdout.converted > 0 ? holdout.converted / holdout.visitors : null;
  const baselineRate = s.baselineRate ?? observed ?? DEFAULT_BASELINE;
  // A baseline so high that +MDE would pass 100 % cannot be planned for; cap it where the plan still exists.
  const planned = Math.min(baselineRate, 0.99 / (1 + s.mde));
  const required = requiredVisitors({ baselineRate: planned, relativeEffect: s.mde, alpha: s.alpha, power: s.power, holdoutShare: s.holdoutPercent / 100 });
  const stillNeeded = { wand: Math.max(0, required.wand - wand.visitors), holdout: Math.max(0, required.holdout - holdout.visitors) };
  return { baselineRate: planned, required, stillNeeded, enough: stillNeeded.wand === 0 && stillNeeded.holdout === 0 };
}

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)} %`;
const signedPct = (x: number) => `${x >= 0 ? "+" : "−"}${pct(Math.abs(x))}`;
const pText = (p: number) => (p < 0.001 ? "p < 0.001" : `p = ${p.toFixed(3)}`);
const count = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

function sentence(verdict: Verdict, c: Comparison, srm: SampleRatioCheck | null, plan: SegmentReport["plan"], s: Settings): string {
  const figures =
    c.uplift !== null && c.low !== null && c.high !== null && c.pValue !== null
      ? ` Conversion ${signedPct(c.uplift)} (95 % interval ${signedPct(c.low)} to ${signedPct(c.high)}, ${pText(c.pValue)}, two-proportion z-test).`
      : "";
  switch (verdict) {
    case "sample_ratio_mismatch":
      return (
        `Warning: ${pct(srm!.observedHoldoutShare)} of shoppers are in the holdout, but ${pct(srm!.expectedHoldoutShare, 0)} should be ` +
        `(chi-square test, ${pText(srm!.pValue)}). Shoppers are being lost or double-counted in one arm, so these results cannot be trusted yet.`
      );
    case "not_enough_data":
      if (!plan) return `No experiment is running: the holdout is ${s.holdoutPercent} % of shoppers, so there is no comparison to make.`;
      return (
        `Not enough data yet: about ${count(plan.stillNeeded.holdout)} more shoppers in the holdout and ${count(plan.stillNeeded.wand)} more with WandStore ` +
        `are needed to detect a ${pct(s.mde, 0)} change in conversion (baseline ${pct(plan.baselineRate)}, ${pct(s.alpha, 0)} significance, ${pct(s.power, 0)} power).${figures}`
      );
    case "wand_better":
      return `WandStore raises conversion: shoppers with WandStore converted more often than the holdout.${figures}`;
    case "wand_worse":
      return `WandStore lowers conversion: shoppers with WandStore converted less often than the holdout.${figures}`;
    case "no_clear_difference":
      return `No clear difference in conversion between WandStore and the holdout.${figures}`;
  }
}
