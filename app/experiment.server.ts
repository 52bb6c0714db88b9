import { MAX_BUYER_LOOKUP, type BuyerExposure, type EdgeApiContract, type ExperimentCountsWithBuyers } from "../core/edge-api.ts";
import { ARMS, MAX_RANGE_DAYS, SHOPPER_HASH_PATTERN, isArm, isDay, type Arm } from "../core/experiment.ts";
import { experimentReport, type ExperimentReport } from "../core/experiment-report.ts";
import { segmentsFrom, type AttributedOrder } from "../core/experiment-segments.ts";
import { isPersona, type Persona } from "../core/types.ts";
import type { OrderFields } from "./orders.server";
import type { AdminContext } from "./admin-context.server";
import { db } from "./db.server";
import { tryEdge } from "./edge-call.server";
import { edgeApi } from "./env.server";
import { httpError } from "./http-error";

/**
 * The results page's figures (docs/decisions/0003-experiment-statistics.md): the edge's distinct
 * visitors and funnel shoppers of a date range, and the orders the orders/create webhook stored in
 * D1 (ExperimentOrder) for the same days, turned into core/experiment-report.ts's ArmCounts.
 *
 * An order counts for the experiment when its buyer (the `_wand_shopper` hash the page declared) was
 * counted as a visitor in the range: then it counts in that visitor's arm and persona (the first
 * exposure in the range, as the visitor counts do), so buyers never outnumber visitors and a changed
 * persona cannot move a buyer out of its visitor's segment. Orders without WandStore attributes are
 * "not in the experiment"; orders of shoppers the edge did not count in the range are reported on
 * their own. Converted shoppers and revenue are per distinct buyer, so Σx² per visitor is exact.
 */

/** Longest range the page reads: the edge's own bound. */
export { MAX_RANGE_DAYS };
export const DEFAULT_RANGE_DAYS = 30;

const DAY_MS = 86_400_000;

export interface DateRange {
  from: string;
  to: string;
}

/** An ExperimentOrder row as the report reads it: the order's fields as the webhook stored them. */
export type OrderRow = Omit<OrderFields, "test">;

export interface ArmTotals {
  visitors: number;
  /** Orders of this arm's visitors (every order, not distinct buyers). */
  orders: number;
  /** Distinct visitors with at least one order. */
  converted: number;
  revenue: number;
}

export interface SegmentOrders {
  persona: Persona;
  orders: Record<Arm, number>;
}

/** Cumulative figures up to and including `day`. */
export interface DayPoint {
  day: string;
  visitors: Record<Arm, number>;
  conversions: Record<Arm, number>;
}

export interface ExperimentResults extends DateRange {
  holdoutPercent: number;
  /** The currency revenue is summed in (the orders' own); null without orders. */
  currency: string | null;
  report: ExperimentReport;
  arms: Record<Arm, ArmTotals>;
  personaOrders: SegmentOrders[];
  /** Orders without WandStore's cart attributes. */
  notInExperiment: { orders: number };
  /** Orders carrying WandStore's attributes whose shopper the edge did not count in this range. */
  unexposed: { orders: number; shoppers: number };
  /** Orders in another currency than `currency` (or with an unreadable subtotal): left out of every figure. */
  leftOut: { orders: number };
  series: DayPoint[];
}

/** The page's range from `from`/`to` (YYYY-MM-DD, inclusive UTC days); default the last 30 days up to today. */
export function parseRange(params: URLSearchParams, now = Date.now()): DateRange {
  const today = new Date(now).toISOString().slice(0, 10);
  const bad = (name: string) => httpError(400, `The ${name} date must be a calendar day written YYYY-MM-DD.`);
  const to = params.get("to") || today;
  if (!isDay(to)) throw bad("to");
  const from = params.get("from") || addDays(to, -(DEFAULT_RANGE_DAYS - 1));
  if (!isDay(from)) throw bad("from");
  if (from > to) throw httpError(400, "The from date must not be after the to date.");
  if (daysBetween(from, to) + 1 > MAX_RANGE_DAYS) throw httpError(400, `A date range covers at most ${MAX_RANGE_DAYS} days.`);
  return { from, to };
}

/** Reads the edge's counts and the shop's orders of the range; the edge being down is an outcome, not an error. */
export async function loadExperimentResults(
  admin: AdminContext,
  range: DateRange,
  holdoutPercent: number,
): Promise<{ results: ExperimentResults | null; edgeError: string | null; orders: number }> {
  const orders = await db(admin.env).experimentOrder.findMany({
    where: { shop: admin.shopDomain, orderedAt: { gte: new Date(`${range.from}T00:00:00Z`), lt: new Date(Date.parse(`${range.to}T00:00:00Z`) + DAY_MS) } },
    select: { orderId: true, arm: true, persona: true, shopper: true, subtotal: true, currency: true, orderedAt: true },
  });
  const buyers = [...new Set(orders.flatMap((o) => (attribution(o) ? [o.shopper!] : [])))];
  const counts = await tryEdge(() => countsWithBuyers(edgeApi(admin.env), admin.store, range, buyers));
  if (!counts.ok) return { results: null, edgeError: counts.error, orders: orders.length };
  return { results: experimentResults({ ...range, holdoutPercent, counts: counts.value, orders }), edgeError: null, orders: orders.length };
}

/** One edge call per `chunk` buyers (the edge's MAX_BUYER_LOOKUP); the counts come with the first. */
export async function countsWithBuyers(
  edge: Pick<EdgeApiContract, "experimentCounts">,
  store: string,
  range: DateRange,
  buyers: readonly string[],
  chunk = MAX_BUYER_LOOKUP,
): Promise<ExperimentCountsWithBuyers> {
  const first = await edge.experimentCounts(store, range.from, range.to, buyers.slice(0, chunk));
  const found: BuyerExposure[] = [...first.buyers];
  for (let i = chunk; i < buyers.length; i += chunk) {
    found.push(...(await edge.experimentCounts(store, range.from, range.to, buyers.slice(i, i + chunk))).buyers);
  }
  return { ...first, buyers: found };
}

export interface ResultsInput extends DateRange {
  holdoutPercent: number;
  counts: ExperimentCountsWithBuyers;
  orders: readonly OrderRow[];
}

/** The page's figures from the edge's counts and the range's orders (pure: the unit tests' subject). */
export function experimentResults(input: ResultsInput): ExperimentResults {
  const { counts, orders } = input;
  const exposed = new Map(counts.buyers.map((b) => [b.shopper, b]));
  const currency = mainCurrency(orders);

  const attributed: (AttributedOrder & { day: string; exposureDay: string })[] = [];
  let notInExperiment = 0;
  let leftOut = 0;
  const unexposedOrders: OrderRow[] = [];
  for (const o of orders) {
    const mark = attribution(o);
    if (!mark) {
      notInExperiment++;
      continue;
    }
    const subtotal = Number(o.subtotal);
    if (o.currency !== currency || !Number.isFinite(subtotal) || subtotal < 0) {
      leftOut++;
      continue;
    }
    const visitor = exposed.get(mark.shopper);
    if (!visitor) {
      unexposedOrders.push(o);
      continue;
    }
    // The visitor's arm and persona, not the order's: see the header.
    attributed.push({ shopper: mark.shopper, arm: visitor.arm, persona: visitor.persona, subtotal, day: dayOf(o.orderedAt), exposureDay: visitor.day });
  }

  const { segments } = segmentsFrom(counts, attributed);
  const report = experimentReport(input.holdoutPercent, segments);
  const zero = (): Record<Arm, number> => ({ wand: 0, holdout: 0 });
  const orderCount = (arm: Arm, persona?: Persona) => attributed.filter((o) => o.arm === arm && (persona === undefined || o.persona === persona)).length;
  const arms = Object.fromEntries(
    ARMS.map((arm) => {
      const s = report.overall[arm];
      return [arm, { visitors: s.visitors, orders: orderCount(arm), converted: s.converted, revenue: s.revenue }];
    }),
  ) as Record<Arm, ArmTotals>;

  // Cumulative series: a visitor on the first day of the range they were seen, a conversion on the
  // day of their first order in the range (not before they were counted as a visitor).
  const days = dayList(input.from, input.to);
  const newVisitors = new Map(days.map((d) => [d, zero()]));
  for (const e of counts.exposures) {
    const slot = newVisitors.get(e.day);
    if (slot) slot[e.arm] += e.visitors;
  }
  const firstBuy = new Map<string, { arm: Arm; day: string }>();
  for (const o of attributed) {
    const day = o.day > o.exposureDay ? o.day : o.exposureDay;
    const seen = firstBuy.get(o.shopper);
    if (!seen || day < seen.day) firstBuy.set(o.shopper, { arm: o.arm, day });
  }
  const newConversions = new Map(days.map((d) => [d, zero()]));
  for (const { arm, day } of firstBuy.values()) {
    const slot = newConversions.get(day);
    if (slot) slot[arm]++;
  }
  const running = { visitors: zero(), conversions: zero() };
  const series = days.map((day): DayPoint => {
    for (const arm of ARMS) {
      running.visitors[arm] += newVisitors.get(day)![arm];
      running.conversions[arm] += newConversions.get(day)![arm];
    }
    return { day, visitors: { ...running.visitors }, conversions: { ...running.conversions } };
  });

  return {
    from: input.from,
    to: input.to,
    holdoutPercent: input.holdoutPercent,
    currency,
    report,
    arms,
    // Index for index with report.personas (the results page reads them side by side).
    personaOrders: report.personas.map((p) => ({ persona: p.segment as Persona, orders: { wand: orderCount("wand", p.segment as Persona), holdout: orderCount("holdout", p.segment as Persona) } })),
    notInExperiment: { orders: notInExperiment },
    unexposed: { orders: unexposedOrders.length, shoppers: new Set(unexposedOrders.map((o) => o.shopper)).size },
    leftOut: { orders: leftOut },
    series,
  };
}

/** The order's WandStore attribution as H2's webhook stored it, or null ("not in the experiment"). */
function attribution(o: Pick<OrderRow, "arm" | "persona" | "shopper">): { arm: Arm; persona: Persona; shopper: string } | null {
  if (!isArm(o.arm) || !isPersona(o.persona) || typeof o.shopper !== "string" || !SHOPPER_HASH_PATTERN.test(o.shopper)) return null;
  return { arm: o.arm, persona: o.persona, shopper: o.shopper };
}

/** The currency most of the experiment's orders are in (a shop's orders carry its one currency). */
function mainCurrency(orders: readonly OrderRow[]): string | null {
  const inExperiment = orders.filter((o) => attribution(o));
  const tally = new Map<string, number>();
  for (const o of inExperiment.length > 0 ? inExperiment : orders) tally.set(o.currency, (tally.get(o.currency) ?? 0) + 1);
  return [...tally].sort(([a, x], [b, y]) => y - x || a.localeCompare(b))[0]?.[0] ?? null;
}

function addDays(day: string, n: number): string {
  const t = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(t) ? day : new Date(t + n * DAY_MS).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

function dayList(from: string, to: string): string[] {
  const n = daysBetween(from, to) + 1;
  return Array.from({ length: n }, (_, i) => addDays(from, i));
}

function dayOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}
