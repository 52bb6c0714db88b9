import { Badge, BlockStack, Card, DataTable, InlineStack, Text } from "@shopify/polaris";
import type { Comparison, SegmentReport, Verdict } from "../../core/experiment-report.ts";

/**
 * One segment of the experiment (all shoppers, or one persona) against the holdout: the figures of
 * both arms, the relative uplift with its 95 % interval and the p-value per measure, and the verdict
 * in plain words. Rows are measures, so the holdout and WandStore stand side by side.
 */
export interface SegmentView {
  report: SegmentReport;
  orders: { wand: number; holdout: number };
}

const VERDICT_BADGES: Record<Verdict, { label: string; tone: "success" | "critical" | "attention" | "info" | undefined }> = {
  wand_better: { label: "WandStore wins", tone: "success" },
  wand_worse: { label: "WandStore loses", tone: "critical" },
  no_clear_difference: { label: "No clear difference", tone: "info" },
  not_enough_data: { label: "Not enough data yet", tone: "attention" },
  sample_ratio_mismatch: { label: "Sample ratio mismatch", tone: "critical" },
};

export function verdictBadge(verdict: Verdict) {
  const b = VERDICT_BADGES[verdict];
  return <Badge tone={b.tone}>{b.label}</Badge>;
}

export const percent = (x: number | null, digits = 1) => (x === null ? "—" : `${(x * 100).toFixed(digits)} %`);
const signed = (x: number) => `${x >= 0 ? "+" : "−"}${percent(Math.abs(x))}`;

function upliftText(c: Comparison): string {
  if (c.uplift === null) return "—";
  return c.low !== null && c.high !== null ? `${signed(c.uplift)} (${signed(c.low)} to ${signed(c.high)})` : signed(c.uplift);
}

function pValueText(p: number | null): string {
  return p === null ? "—" : p < 0.001 ? "< 0.001" : p.toFixed(3);
}

export function money(amount: number | null, currency: string | null): string {
  if (amount === null) return "—";
  if (!currency) return amount.toFixed(2);
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

export const count = (n: number) => new Intl.NumberFormat("en-US").format(n);

export function ExperimentTable(props: { segment: SegmentView; title: string; currency: string | null; summary?: boolean }) {
  const { report: r, orders } = props.segment;
  const rows = [
    ["Visitors", count(r.holdout.visitors), count(r.wand.visitors), "", ""],
    ["Orders", count(orders.holdout), count(orders.wand), "", ""],
    ["Buyers", count(r.holdout.converted), count(r.wand.converted), "", ""],
    ["Add-to-cart rate", percent(r.holdout.addToCartRate), percent(r.wand.addToCartRate), upliftText(r.addToCart), pValueText(r.addToCart.pValue)],
    ["Conversion rate", percent(r.holdout.conversionRate, 2), percent(r.wand.conversionRate, 2), upliftText(r.conversion), pValueText(r.conversion.pValue)],
    [
      "Revenue per visitor",
      money(r.holdout.revenuePerVisitor, props.currency),
      money(r.wand.revenuePerVisitor, props.currency),
      upliftText(r.revenuePerVisitor),
      pValueText(r.revenuePerVisitor.pValue),
    ],
  ];
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            {props.title}
          </Text>
          {verdictBadge(r.verdict)}
        </InlineStack>
        <div data-segment={r.segment}>
          <DataTable
            columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
            headings={["", "Holdout", "WandStore", "Uplift (95 % interval)", "p-value"]}
            rows={rows}
          />
        </div>
        {props.summary === false ? null : <Text as="p">{r.summary}</Text>}
      </BlockStack>
    </Card>
  );
}
