import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Layout, List, Page, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { METHOD } from "../../core/experiment-report.ts";
import { requireAdmin } from "../admin-context.server";
import { ExperimentChart } from "../components/experiment-chart";
import { ExperimentTable, count, money, verdictBadge } from "../components/experiment-table";
import { useAppHref, useShopParam } from "../components/use-app-href";
import { DEFAULT_RANGE_DAYS, MAX_RANGE_DAYS, loadExperimentResults, parseRange } from "../experiment.server";
import { loadSettings } from "../settings.server";

/**
 * The holdout experiment's results (docs/decisions/0003-experiment-statistics.md): per persona and
 * overall, WandStore against the holdout with the uplift's 95 % interval and p-value, the verdict in
 * plain words, the sample-ratio check, the sample still needed, and cumulative conversion per arm.
 * The page always renders: no traffic, an experiment switched off (holdout 0 %) and an edge that does
 * not answer each get their own state.
 */
export const meta: MetaFunction = () => [{ title: "Experiment · WandStore" }];

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request, context);
  const settings = await loadSettings(admin);
  const range = parseRange(new URL(request.url).searchParams);
  const { results, edgeError, orders } = await loadExperimentResults(admin, range, settings.holdoutPercent);
  const visitors = results ? results.arms.wand.visitors + results.arms.holdout.visitors : 0;
  const state = edgeError !== null ? "edge_down" : visitors === 0 && orders === 0 ? "no_traffic" : "results";
  return { range, bounds: { defaultDays: DEFAULT_RANGE_DAYS, maxDays: MAX_RANGE_DAYS }, holdoutPercent: settings.holdoutPercent, method: METHOD, results, edgeError, orders, state } as const;
};

export default function Experiment() {
  const data = useLoaderData<typeof loader>();
  const href = useAppHref();
  const shopParam = useShopParam();
  const [from, setFrom] = useState(data.range.from);
  const [to, setTo] = useState(data.range.to);
  useEffect(() => setFrom(data.range.from), [data.range.from]);
  useEffect(() => setTo(data.range.to), [data.range.to]);
  const r = data.results;
  const overall = r?.report.overall;
  const stillNeeded = overall?.plan ? overall.plan.stillNeeded.wand + overall.plan.stillNeeded.holdout : 0;

  return (
    <Page title="Experiment" subtitle="Does WandStore sell more? Shoppers with WandStore against the holdout, who get the template page">
      <Layout>
        <Layout.Section>
          <Card>
            <Form method="get">
              {shopParam ? <input type="hidden" name="shop" value={shopParam} /> : null}
              <InlineStack gap="300" blockAlign="end">
                <TextField label="From" type="date" name="from" value={from} onChange={setFrom} autoComplete="off" />
                <TextField label="To" type="date" name="to" value={to} onChange={setTo} autoComplete="off" />
                <Button submit>Show</Button>
              </InlineStack>
            </Form>
            <Text as="p" tone="subdued">
              {`UTC days, both included; ${data.bounds.defaultDays} days up to today unless chosen, at most ${data.bounds.maxDays}.`}
            </Text>
          </Card>
        </Layout.Section>

        {data.holdoutPercent === 0 ? (
          <Layout.Section>
            <Banner tone="warning" title="The experiment is off: the holdout is 0 %" action={{ content: "Set a holdout percent", url: href("/app/personas") }}>
              <p>
                Every shopper gets WandStore, so there is no control group to compare with. Set a holdout percent (10 % is a common choice) on the Personas page:
                that share of shoppers is kept on the template page, and this page then shows what WandStore earns against them.
              </p>
            </Banner>
          </Layout.Section>
        ) : null}

        {data.state === "edge_down" ? (
          <Layout.Section>
            <Banner tone="critical" title="The edge worker did not answer: visitors cannot be counted right now">
              <p>{data.edgeError}</p>
              <p>{`${count(data.orders)} orders are recorded for this range; the results appear when the edge answers again (reload the page).`}</p>
            </Banner>
          </Layout.Section>
        ) : null}

        {data.state === "no_traffic" ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  No shoppers in this range yet
                </Text>
                <Text as="p">Results appear here once shoppers visit your WandStore pages and place orders. To get there:</Text>
                <List type="number">
                  <List.Item>Turn on the WandStore app embed in your theme (Online Store → Themes → Customize → App embeds), so the experiment follows each shopper into the cart.</List.Item>
                  <List.Item>Add the WandStore block to a page, or link shoppers to the storefront page.</List.Item>
                  <List.Item>Keep a holdout percent above 0 on the Personas page, so there is a control group.</List.Item>
                </List>
                <Text as="p" tone="subdued">
                  Running WandStore locally? `npm run simulate` sends synthetic shoppers and their orders through the edge and the webhook.
                </Text>
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}

        {data.state === "results" && r && overall ? (
          <>
            {overall.srm?.mismatch ? (
              <Layout.Section>
                <Banner tone="critical" title="Sample ratio mismatch: these results cannot be trusted">
                  <p>{overall.summary}</p>
                </Banner>
              </Layout.Section>
            ) : null}
            <Layout.Section>
              <Card>
                <BlockStack gap="300">
                  <InlineStack align="space-between" blockAlign="center">
                    <Text as="h2" variant="headingMd">
                      Verdict
                    </Text>
                    {verdictBadge(overall.verdict)}
                  </InlineStack>
                  {overall.verdict === "not_enough_data" && overall.plan ? (
                    <Text as="p" variant="headingSm">
                      {`Not enough data yet — ${count(stillNeeded)} more visitors needed for a ${Math.round(r.report.minimumDetectableEffect * 100)} % effect.`}
                    </Text>
                  ) : null}
                  <Text as="p">{overall.summary}</Text>
                  <Text as="p" tone="subdued">{`Method: ${data.method}. Holdout ${data.holdoutPercent} % of shoppers.`}</Text>
                </BlockStack>
              </Card>
            </Layout.Section>
            <Layout.Section>
              <ExperimentTable title="All shoppers" segment={{ report: overall, orders: { wand: r.arms.wand.orders, holdout: r.arms.holdout.orders } }} currency={r.currency} summary={false} />
            </Layout.Section>
            <Layout.Section>
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    Cumulative conversion per arm
                  </Text>
                  <ExperimentChart series={r.series} />
                </BlockStack>
              </Card>
            </Layout.Section>
            {r.report.personas.map((p, i) => (
              <Layout.Section key={p.segment}>
                <ExperimentTable
                  title={`Persona: ${p.segment}`}
                  segment={{ report: p, orders: r.personaOrders[i]!.orders }}
                  currency={r.currency}
                />
              </Layout.Section>
            ))}
            <Layout.Section>
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    Orders outside the comparison
                  </Text>
                  <List>
                    <List.Item>{`Not in the experiment (no WandStore attributes on the order): ${count(r.notInExperiment.orders)}`}</List.Item>
                    <List.Item>{`From shoppers WandStore did not count in this range: ${count(r.unexposed.orders)} orders of ${count(r.unexposed.shoppers)} shoppers`}</List.Item>
                    {r.leftOut.orders > 0 ? <List.Item>{`In another currency than ${r.currency ?? "the shop's"}, or with an unreadable subtotal: ${count(r.leftOut.orders)}`}</List.Item> : null}
                  </List>
                  <Text as="p" tone="subdued">
                    {`Revenue: order subtotals in ${r.currency ?? "the shop's currency"}; WandStore ${money(r.arms.wand.revenue, r.currency)}, holdout ${money(r.arms.holdout.revenue, r.currency)}.`}
                  </Text>
                </BlockStack>
              </Card>
            </Layout.Section>
          </>
        ) : null}
      </Layout>
    </Page>
  );
}
