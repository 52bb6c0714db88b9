import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json" with { type: "json" };
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { StaticRouterProvider, createStaticHandler, createStaticRouter } from "react-router-dom/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { METHOD } from "../../core/experiment-report.ts";
import { ExperimentChart } from "../components/experiment-chart";
import { ExperimentTable } from "../components/experiment-table";
import { prismaFor } from "../db.server";
import { createTestD1, type TestD1 } from "../test/d1";
import { createHarness, embeddedDocument, type Harness, installShop, thrownResponse } from "../test/harness";
import Experiment, { loader } from "./app.experiment";

let d1: TestD1;
let h: Harness;
const STORE = "exp-shop";
const SHOP = `${STORE}.myshopify.com`;
const hash = (n: number) => n.toString(16).padStart(16, "0");

beforeAll(async () => {
  d1 = await createTestD1();
  h = createHarness(d1);
  await installShop(h, STORE);
  await installShop(h, "other-shop");
});
afterAll(async () => {
  await d1?.dispose();
});
beforeEach(async () => {
  h.edge.failing = null;
  h.edge.exposures.delete(STORE);
  await prismaFor(d1.db).experimentOrder.deleteMany({});
  await prismaFor(d1.db).shopSettings.update({ where: { store: STORE }, data: { holdoutPercent: 50 } });
});

const results = async (query = "from=2026-11-01&to=2026-11-10") => loader({ request: await embeddedDocument(STORE, `/app/experiment?${query}`), context: h.context, params: {} });

async function addOrder(o: { id: string; shop?: string; shopper?: string | null; arm?: string | null; persona?: string | null; subtotal: string; at: string }) {
  await prismaFor(d1.db).experimentOrder.create({
    data: { shop: o.shop ?? SHOP, orderId: o.id, arm: o.arm ?? null, persona: o.persona ?? null, shopper: o.shopper ?? null, subtotal: o.subtotal, currency: "USD", orderedAt: new Date(o.at) },
  });
}

describe("Experiment results page", () => {
  it("shows per arm the visitors the edge counted and the orders D1 holds for the range", async () => {
    // 6 wand visitors (explorer), 4 holdout visitors (explorer), on the 2nd; one of each arm buys.
    h.edge.exposures.set(STORE, [
      ...Array.from({ length: 6 }, (_, i) => ({ day: "2026-11-02", shopper: hash(i + 1), arm: "wand" as const, persona: "explorer" as const, events: i < 3 ? (["product_added_to_cart"] as const).slice() : [] })),
      ...Array.from({ length: 4 }, (_, i) => ({ day: "2026-11-02", shopper: hash(i + 101), arm: "holdout" as const, persona: "explorer" as const })),
    ]);
    await addOrder({ id: "1", shopper: hash(1), arm: "wand", persona: "explorer", subtotal: "40.00", at: "2026-11-03T10:00:00Z" });
    await addOrder({ id: "2", shopper: hash(1), arm: "wand", persona: "explorer", subtotal: "10.00", at: "2026-11-04T10:00:00Z" });
    await addOrder({ id: "3", shopper: hash(101), arm: "holdout", persona: "explorer", subtotal: "20.00", at: "2026-11-05T10:00:00Z" });
    await addOrder({ id: "4", subtotal: "99.00", at: "2026-11-05T10:00:00Z" });
    // Outside the range, and another shop's order: neither counts.
    await addOrder({ id: "5", shopper: hash(2), arm: "wand", persona: "explorer", subtotal: "5.00", at: "2026-11-11T00:00:00Z" });
    await addOrder({ id: "6", shop: "other-shop.myshopify.com", shopper: hash(3), arm: "wand", persona: "explorer", subtotal: "5.00", at: "2026-11-05T00:00:00Z" });

    const data = await results();
    expect(data.state).toBe("results");
    expect(data.method).toBe(METHOD);
    expect(data.range).toEqual({ from: "2026-11-01", to: "2026-11-10" });
    expect(data.results!.arms).toEqual({
      wand: { visitors: 6, orders: 2, converted: 1, revenue: 50 },
      holdout: { visitors: 4, orders: 1, converted: 1, revenue: 20 },
    });
    expect(data.results!.notInExperiment.orders).toBe(1);
    expect(data.results!.report.overall.wand.addToCartRate).toBe(3 / 6);
    expect(data.results!.report.overall.verdict).toBe("not_enough_data");
    // The edge was asked for the range and about exactly the in-range buyers of this shop.
    expect(h.edge.callsOf("experimentCounts").at(-1)).toEqual([STORE, "2026-11-01", "2026-11-10", [hash(1), hash(101)]]);
    expect(data.results!.series.at(-1)).toEqual({ day: "2026-11-10", visitors: { wand: 6, holdout: 4 }, conversions: { wand: 1, holdout: 1 } });
  });

  it("says so when there is no traffic yet", async () => {
    const data = await results();
    expect(data.state).toBe("no_traffic");
    expect(data.results!.arms.wand.visitors).toBe(0);
  });

  it("shows the experiment as off with a holdout of 0 %", async () => {
    await prismaFor(d1.db).shopSettings.update({ where: { store: STORE }, data: { holdoutPercent: 0 } });
    h.edge.exposures.set(STORE, [{ day: "2026-11-02", shopper: hash(1), arm: "wand", persona: "explorer" }]);
    const data = await results();
    expect(data.holdoutPercent).toBe(0);
    expect(data.results!.report.overall.plan).toBeNull();
    expect(data.results!.report.overall.summary).toMatch(/^No experiment is running/);
  });

  it("still renders when the edge is down, with the orders it has", async () => {
    await addOrder({ id: "7", shopper: hash(1), arm: "wand", persona: "explorer", subtotal: "40.00", at: "2026-11-03T10:00:00Z" });
    h.edge.failing = "edge unreachable";
    const data = await results();
    expect(data).toMatchObject({ state: "edge_down", edgeError: "edge unreachable", results: null, orders: 1 });
  });

  it("answers 400 to a bad or unbounded date range", async () => {
    for (const [query, message] of [
      ["from=2026-13-01", "The from date must be a calendar day written YYYY-MM-DD."],
      ["from=2026-11-05&to=2026-11-01", "The from date must not be after the to date."],
      ["from=2024-01-01&to=2026-11-01", "A date range covers at most 400 days."],
    ]) {
      const response = await thrownResponse(async () => results(query));
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ wandError: message });
    }
  });
});

describe("Experiment components (as the server renders them)", () => {
  const render = (el: ReturnType<typeof createElement>) => renderToStaticMarkup(createElement(AppProvider, { i18n: en }, el));

  it("a segment table: both arms side by side, uplift with its interval and the p-value", async () => {
    h.edge.exposures.set(
      STORE,
      Array.from({ length: 200 }, (_, i) => ({ day: "2026-11-02", shopper: hash(i + 1), arm: i % 2 === 0 ? ("wand" as const) : ("holdout" as const), persona: "loyalist" as const })),
    );
    // Odd-numbered shoppers are wand, even ones holdout: 20 wand buyers, 10 holdout buyers.
    for (let i = 0; i < 30; i++) {
      const n = i < 20 ? 2 * i + 1 : 2 * (i - 20) + 2;
      await addOrder({ id: `t${i}`, shopper: hash(n), arm: n % 2 === 1 ? "wand" : "holdout", persona: "loyalist", subtotal: "10.00", at: "2026-11-03T10:00:00Z" });
    }
    const data = await results();
    const r = data.results!;
    const html = render(createElement(ExperimentTable, { title: "All shoppers", segment: { report: r.report.overall, orders: { wand: r.arms.wand.orders, holdout: r.arms.holdout.orders } }, currency: r.currency }));
    expect(html).toContain("All shoppers");
    // 100 visitors each; conversion 10 % vs 20 %: +100 %, with the report's own interval and p.
    const c = r.report.overall.conversion;
    expect(c.uplift).toBeCloseTo(1, 12);
    const pct = (x: number) => `${x >= 0 ? "+" : "−"}${(Math.abs(x) * 100).toFixed(1)} %`;
    expect(html).toContain(`${pct(c.uplift!)} (${pct(c.low!)} to ${pct(c.high!)})`);
    expect(html).toContain(c.pValue!.toFixed(3));
    expect(html).toContain("10.00 %");
    expect(html).toContain("20.00 %");
    expect(html).toContain("$2.00");
    expect(html).toContain("Not enough data yet");
  });

  it("the chart: one line per arm, its figures in an accessible label and a table", () => {
    const html = render(
      createElement(ExperimentChart, {
        series: [
          { day: "2026-11-01", visitors: { wand: 10, holdout: 10 }, conversions: { wand: 1, holdout: 0 } },
          { day: "2026-11-02", visitors: { wand: 20, holdout: 18 }, conversions: { wand: 3, holdout: 1 } },
        ],
      }),
    );
    expect(html).toContain('data-arm="wand"');
    expect(html).toContain('data-arm="holdout"');
    expect(html).toContain("WandStore 15.0 % (3 of 20), Holdout 5.6 % (1 of 18)");
    expect(html).toContain("<td>3 / 20</td>");
  });
});

/** The page as the server renders it for the loader's data (Remix renders route components through React Router). */
async function renderPage(data: Awaited<ReturnType<typeof loader>>): Promise<string> {
  const handler = createStaticHandler([{ id: "experiment", path: "/app/experiment", Component: Experiment, loader: () => data }]);
  const context = await handler.query(new Request(`http://127.0.0.1/app/experiment?shop=${SHOP}`));
  if (context instanceof Response) throw new Error(`unexpected response ${context.status}`);
  const router = createStaticRouter(handler.dataRoutes, context);
  return renderToStaticMarkup(createElement(AppProvider, { i18n: en }, createElement(StaticRouterProvider, { router, context, hydrate: false })));
}

describe("Experiment page states (server-rendered)", () => {
  it("results: the verdict with the visitors still needed, the method, the tables and the chart", async () => {
    h.edge.exposures.set(STORE, [
      { day: "2026-11-02", shopper: hash(1), arm: "wand", persona: "explorer" },
      { day: "2026-11-02", shopper: hash(2), arm: "holdout", persona: "minimalist" },
    ]);
    const data = await results();
    const html = await renderPage(data);
    const needed = data.results!.report.overall.plan!.stillNeeded;
    expect(html).toContain(`Not enough data yet — ${(needed.wand + needed.holdout).toLocaleString("en-US")} more visitors needed for a 10 % effect.`);
    expect(html).toContain(`Method: ${METHOD}. Holdout 50 % of shoppers.`);
    expect(html).toContain('data-segment="all"');
    expect(html).toContain("Persona: explorer");
    expect(html).toContain("Persona: minimalist");
    expect(html).toContain('data-testid="experiment-chart"');
    expect(html).not.toContain("Sample ratio mismatch");
    expect(html).toContain('value="2026-11-01"');
  });

  it("a sample ratio mismatch: the warning banner above everything", async () => {
    // 10 % configured, 50 % observed over 400 shoppers: far past the chi-square threshold.
    await prismaFor(d1.db).shopSettings.update({ where: { store: STORE }, data: { holdoutPercent: 10 } });
    h.edge.exposures.set(
      STORE,
      Array.from({ length: 400 }, (_, i) => ({ day: "2026-11-02", shopper: hash(i + 1), arm: i % 2 ? ("wand" as const) : ("holdout" as const), persona: "explorer" as const })),
    );
    const data = await results();
    expect(data.results!.report.overall.verdict).toBe("sample_ratio_mismatch");
    const html = await renderPage(data);
    expect(html).toContain("Sample ratio mismatch: these results cannot be trusted");
    expect(html).toContain("50.0 % of shoppers are in the holdout, but 10 % should be");
  });

  it("no traffic, experiment off and edge down each say what is going on", async () => {
    expect(await renderPage(await results())).toContain("No shoppers in this range yet");

    await prismaFor(d1.db).shopSettings.update({ where: { store: STORE }, data: { holdoutPercent: 0 } });
    const off = await renderPage(await results());
    expect(off).toContain("The experiment is off: the holdout is 0 %");
    expect(off).toContain(`href="/app/personas?shop=${encodeURIComponent(SHOP)}"`);

    h.edge.failing = "edge unreachable";
    const down = await renderPage(await results());
    expect(down).toContain("The edge worker did not answer: visitors cannot be counted right now");
    expect(down).toContain("edge unreachable");
    expect(down).toContain("0 orders are recorded for this range");
  });
});
