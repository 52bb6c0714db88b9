import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_API_KEY, type SimulationSummary, deliver, simulate, webhookHmac } from "../scripts/simulate.ts";
import { openAdmin } from "./helpers/admin-page.ts";
import { type AdminStack, startAdminStack } from "./helpers/admin-stack.ts";
import { launchChromium } from "./helpers/chromium.ts";
import { axeViolations } from "./helpers/journey-browser.ts";

/*
 * The holdout experiment end to end, as `npm start` runs it: the generator, the edge and the admin
 * Workers in wrangler dev (fresh persist directory, demo shops seeded), the admin in local mode with
 * the app's key and secret. The simulator (scripts/simulate.ts) saves a 50 % holdout through the
 * Personas action, sends 120 shoppers through the edge's /s/<store> (each page's Wand-Exposure
 * header is what it reads), funnel events through /pixel, and their orders through the real orders/create
 * webhook route with valid HMACs. The Experiment page in Chromium must show exactly the visitors and
 * orders per arm that were sent, and redelivering every webhook must change nothing.
 * Ports 18760-18769.
 */

const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));
const STORE = "demo-apparel";
const SHOP = "demo-apparel.myshopify.com";
const SECRET = "e2e-experiment-app-secret";
const SHOPPERS = 120;

let stack: AdminStack;
let context: BrowserContext;
let profileDir: string;
let sent: SimulationSummary;

beforeAll(async () => {
  stack = await startAdminStack({
    port: 18760,
    inspectorPort: 18761,
    generatorPort: 18764,
    adminVars: { SHOPIFY_API_KEY: LOCAL_API_KEY, SHOPIFY_API_SECRET: SECRET },
  });
  await mkdir(ARTIFACTS, { recursive: true });
  profileDir = await mkdtemp(join(tmpdir(), "wand-experiment-chromium-"));
  context = await launchChromium(profileDir, { width: 1400, height: 1000 });
  await context.route("**/*", (route) => (new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort()));
}, 240_000);

afterAll(async () => {
  await context?.close();
  await stack?.stop();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
});

const open = (page: Page, path: string): Promise<void> => openAdmin(page, `${stack.adminUrl}${path}`);

/** The cells of one measure's row in a segment's table: [label, holdout, wand, uplift, p]. */
async function row(page: Page, segment: string, label: string): Promise<string[]> {
  const tr = page.locator(`[data-segment="${segment}"] tr`).filter({ has: page.getByText(label, { exact: true }) });
  return (await tr.first().locator("th, td").allInnerTexts()).map((t) => t.trim());
}

/** What the page shows per arm: visitors and orders, overall and per persona. */
async function shown(page: Page) {
  const figures: Record<string, { visitors: string[]; orders: string[] }> = {};
  for (const segment of ["all", "minimalist", "explorer", "dealhunter", "loyalist"]) {
    if ((await page.locator(`[data-segment="${segment}"]`).count()) === 0) continue;
    figures[segment] = { visitors: (await row(page, segment, "Visitors")).slice(1, 3), orders: (await row(page, segment, "Orders")).slice(1, 3) };
  }
  return figures;
}

describe("the experiment, from simulated shoppers to the results page", () => {
  it("shows exactly the visitors and orders per arm the simulator sent, and redelivered webhooks change nothing", async () => {
    const page = await context.newPage();
    // Before any traffic: the experiment is off (holdout 0 % on the demo shop) and there is nothing yet.
    await open(page, `/app/experiment?shop=${SHOP}`);
    expect(await page.getByText("The experiment is off: the holdout is 0 %").isVisible()).toBe(true);
    expect(await page.getByText("No shoppers in this range yet").isVisible()).toBe(true);

    sent = await simulate({
      edgeUrl: stack.edgeUrl,
      adminUrl: stack.adminUrl,
      store: STORE,
      shopDomain: SHOP,
      secret: SECRET,
      shoppers: SHOPPERS,
      uplift: 0.15,
      rate: 0.15,
      seed: 7,
      holdout: 50,
      log: () => undefined,
    });
    // Both arms occur, and there is something to count in each.
    for (const arm of ["wand", "holdout"] as const) {
      expect(sent.visitors[arm]).toBeGreaterThan(20);
      expect(sent.orders[arm]).toBeGreaterThan(0);
    }

    // Exposures are written in the background: reload until the page has them all.
    const expected = { visitors: [String(sent.visitors.holdout), String(sent.visitors.wand)], orders: [String(sent.orders.holdout), String(sent.orders.wand)] };
    await expect
      .poll(
        async () => {
          await open(page, `/app/experiment?shop=${SHOP}`);
          return (await shown(page)).all ?? null;
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toEqual(expected);
    expect(await page.getByText("The experiment is off").count()).toBe(0);
    expect(await page.getByText(`Not in the experiment (no WandStore attributes on the order): ${sent.notInExperiment}`).isVisible()).toBe(true);
    expect(await page.getByText("From shoppers WandStore did not count in this range: 0 orders of 0 shoppers").isVisible()).toBe(true);
    // The method is named, the verdict said in words, and each persona has its table.
    expect(await page.getByText(/^Method: Two-proportion z-test/).isVisible()).toBe(true);
    expect(await page.getByText(/^Not enough data yet — [\d,]+ more visitors needed for a 10 % effect\.$/).isVisible()).toBe(true);
    const before = await shown(page);
    expect(Object.keys(before).sort()).toEqual(["all", "dealhunter", "explorer", "loyalist", "minimalist"]);
    // Personas add up to the whole.
    for (const i of [0, 1]) {
      const personas = ["minimalist", "explorer", "dealhunter", "loyalist"].map((p) => Number(before[p]!.visitors[i]));
      expect(personas.reduce((a, b) => a + b, 0)).toBe(Number(before.all!.visitors[i]));
    }
    expect(await page.locator('[data-testid="experiment-chart"] polyline[data-arm="wand"]').count()).toBe(1);
    // The chart's figures are in its accessible name; axe-core finds nothing serious on the page.
    expect(await page.getByRole("img", { name: /^Cumulative conversion rate per day/ }).count()).toBe(1);
    const serious = (await axeViolations(page)).filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(serious).toEqual([]);

    // Shopify redelivers: every webhook again, same ids and bodies, all acknowledged; nothing changes.
    for (const d of sent.deliveries) await deliver(stack.adminUrl, d);
    await open(page, `/app/experiment?shop=${SHOP}`);
    expect(await shown(page)).toEqual(before);
    expect(await page.getByText(`Not in the experiment (no WandStore attributes on the order): ${sent.notInExperiment}`).isVisible()).toBe(true);

    // A forged webhook (wrong secret) is refused and stores nothing.
    const forged = { ...sent.deliveries[0]!, body: sent.deliveries[0]!.body.replace(/"id":\d+/, '"id":1234567') };
    forged.headers = { ...forged.headers, "X-Shopify-Hmac-Sha256": webhookHmac(forged.body, "not-the-secret"), "X-Shopify-Event-Id": "forged-1", "X-Shopify-Webhook-Id": "forged-1" };
    const refused = await fetch(`${stack.adminUrl}/webhooks/orders/create`, { method: "POST", headers: forged.headers, body: forged.body });
    expect(refused.status).toBe(401);
    await open(page, `/app/experiment?shop=${SHOP}`);
    expect(await shown(page)).toEqual(before);

    await page.screenshot({ path: join(ARTIFACTS, "experiment.png"), fullPage: true });
    await page.close();
  });
});
