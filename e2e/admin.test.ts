import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAdmin } from "./helpers/admin-page.ts";
import { type AdminStack, startAdminStack } from "./helpers/admin-stack.ts";
import { launchChromium } from "./helpers/chromium.ts";
import { type FakeLlm, startFakeLlm } from "./helpers/journey-fake-llm.ts";

/*
 * The merchant admin in a browser, against the real edge: the generator, the edge and the admin
 * Workers as `npm start` runs them (wrangler dev, one fresh persist directory with the demo shops
 * seeded), the admin in local mode, headless Chromium. Each page is opened, a setting is changed and
 * saved, and the edge's /s/<store> is seen serving the change. The LLM is a fake OpenAI-compatible
 * server (the only thing mocked). Screenshots go to e2e/artifacts/. Ports 18300-18399 (admin range).
 */

const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));
const STORE = "demo-apparel";
const SHOP = "demo-apparel.myshopify.com";

let stack: AdminStack;
let llm: FakeLlm;
let context: BrowserContext;
let profileDir: string;

beforeAll(async () => {
  // An LLM for the generator: only LLM pages are stored (ADR 0004), so "Regenerate" needs one.
  llm = await startFakeLlm({ latencyMs: 200 });
  stack = await startAdminStack({ port: 18310, inspectorPort: 18311, generatorPort: 18314, llm: { baseUrl: llm.baseUrl } });
  await mkdir(ARTIFACTS, { recursive: true });
  profileDir = await mkdtemp(join(tmpdir(), "wand-admin-chromium-"));
  context = await launchChromium(profileDir, { width: 1400, height: 1000 });
  // Only this machine: nothing (App Bridge, CDN images) may be fetched from anywhere else.
  await context.route("**/*", (route) => (new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort()));
});

afterAll(async () => {
  await context?.close();
  await stack?.stop();
  await llm?.close();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
});

const open = (page: Page, path: string): Promise<void> => openAdmin(page, `${stack.adminUrl}${path}`);

async function shopperPage(shopper: string, query = ""): Promise<{ persona: string | null; cache: string | null; html: string }> {
  const response = await fetch(`${stack.edgeUrl}/s/${STORE}?shopper=${shopper}${query}`);
  return { persona: response.headers.get("Wand-Persona"), cache: response.headers.get("Wand-Cache"), html: await response.text() };
}

describe("merchant admin (local mode) against the edge", () => {
  it("Personas: errors inline, then a saved change that the edge serves", async () => {
    const before = await shopperPage("personas-before");
    expect(before.persona).toBe("explorer");

    const page = await context.newPage();
    await open(page, `/app/personas?shop=${SHOP}`);
    // Switching off the default persona without choosing another default is refused, beside the field.
    await page.getByLabel("explorer").uncheck();
    await page.getByRole("button", { name: "Save" }).first().click();
    await expect.poll(() => page.getByText("the default persona must be one of the enabled personas").isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByText("Not saved: please correct the fields marked below").isVisible()).toBe(true);

    await page.getByLabel("Default persona").selectOption("minimalist");
    await page.getByLabel("Primary").fill("#0a7d5a");
    await page.getByLabel("Brand voice").fill("Quiet confidence; short sentences.");
    await page.getByRole("button", { name: "Save" }).first().click();
    await expect.poll(() => page.getByText(/^Saved: settings version \d+$/).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByText("The edge serves the new settings now; pages regenerate in the background.").isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, "admin-personas.png"), fullPage: true });
    await page.close();

    // The edge now picks the new default for a shopper without signals, in the new brand colour…
    await expect
      .poll(async () => {
        const now = await shopperPage(`personas-after-${Date.now()}`);
        return now.persona === "minimalist" && now.html.toLowerCase().includes("--wand-primary:#0a7d5a");
      }, { timeout: 60_000, interval: 1000 })
      .toBe(true);
    // …and never serves a persona that was switched off, even when asked for it.
    expect((await shopperPage("personas-override", "&persona=explorer")).persona).not.toBe("explorer");
  });

  it("Preview: the persona page in a sandboxed frame, the detection explained, a regenerate with progress", async () => {
    const page = await context.newPage();
    await open(page, `/app/preview?shop=${SHOP}&persona=minimalist`);
    await page.getByLabel("UTM source").fill("newsletter");
    await page.getByLabel("Visit count").fill("5");
    await page.getByRole("button", { name: "Show preview" }).click();
    await page.waitForURL(/utm_source=newsletter/);
    await page.waitForLoadState("networkidle");
    expect(page.url()).toContain(`shop=${encodeURIComponent(SHOP)}`);
    expect(await page.getByText(/^would get: (minimalist|dealhunter|loyalist)$/).isVisible()).toBe(true);
    expect(await page.getByRole("heading", { name: "Detection for this shopper" }).isVisible()).toBe(true);

    const frame = page.locator("iframe[title='minimalist persona page preview']");
    expect(await frame.getAttribute("sandbox")).toBe("");
    const body = page.frameLocator("iframe[title='minimalist persona page preview']").locator("body");
    await expect.poll(() => body.getAttribute("data-wand-persona"), { timeout: 20_000 }).toBe("minimalist");
    // The frame runs no script and cannot reach the admin's origin.
    expect(await frame.evaluate((el) => (el as HTMLIFrameElement).contentDocument)).toBeNull();

    await page.getByRole("button", { name: "Regenerate" }).click();
    await expect
      .poll(async () => (await page.getByText("Queued, generating in the background…").isVisible()) || (await page.getByText("Regenerated").isVisible()), { timeout: 20_000 })
      .toBe(true);
    await expect.poll(() => page.getByText("Regenerated", { exact: true }).isVisible(), { timeout: 90_000, interval: 1000 }).toBe(true);
    expect(await page.getByText(/^New page generated .+ \(llm\)\.$/).isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, "admin-preview.png"), fullPage: true });

    // A hostile persona in the URL: a 400 page with text, no markup from the request.
    await open(page, `/app/preview?shop=${SHOP}&persona=${encodeURIComponent('<img id="injected" src=x onerror="document.title=1">')}`);
    expect(await page.getByText("Unknown persona: choose one of minimalist, explorer, dealhunter, loyalist.").isVisible()).toBe(true);
    expect(await page.locator("#injected").count()).toBe(0);
    await page.close();
  });
  it("Dashboard: every persona's cache state, the catalog, and an edge refresh", async () => {
    // Some shopper traffic first, so the edge has something to report.
    await shopperPage("dash-1");
    await shopperPage("dash-2", "&persona=dealhunter");
    const page = await context.newPage();
    await open(page, `/app?shop=${SHOP}`);
    await expect.poll(() => page.getByRole("heading", { name: "Dashboard" }).isVisible()).toBe(true);
    expect(await page.getByText("Local mode: a seeded demo shop, no Shopify connection").isVisible()).toBe(true);
    const table = page.locator(".Polaris-DataTable");
    for (const persona of ["minimalist", "explorer", "dealhunter", "loyalist"]) {
      expect(await table.getByText(persona, { exact: true }).count()).toBe(1);
    }
    expect(await page.getByText(/The edge worker did not answer/).count()).toBe(0);
    // The seeded catalog: its rows are live, shown as imported (no Shopify sync ran), never as "Synced".
    // (The card revalidates itself while a sync runs: wait for the settled state, and say what it showed.)
    await expect
      .poll(async () => (await page.getByText("20 products live on the storefront.").isVisible()) || (await page.locator("body").innerText()).slice(0, 2000), { timeout: 20_000 })
      .toBe(true);
    expect(await page.locator(".Polaris-Badge", { hasText: "Imported" }).count()).toBe(1);
    // (A Polaris badge's text includes its hidden tone label, e.g. "Success Synced": match the word.)
    expect(await page.locator(".Polaris-Badge", { hasText: /\bSynced\b/ }).count()).toBe(0);
    // After the Personas and Preview tests, minimalist pages were generated: figures and a trend.
    const minimalist = table.locator("tr", { hasText: "minimalist" });
    expect(await minimalist.locator(".Polaris-Badge", { hasText: "fresh" }).count()).toBe(1);
    expect(await minimalist.getByText(/^\d+ ms$/).count()).toBe(1);
    await page.getByRole("button", { name: "Refresh edge snapshot" }).click();
    await expect.poll(() => page.getByText("Demo shop: the edge snapshot was refreshed from D1 (20 products).").isVisible(), { timeout: 20_000 }).toBe(true);
    // The page reloads its figures after the action: screenshot once the button is back.
    await expect.poll(() => page.getByRole("button", { name: "Refresh edge snapshot" }).isEnabled(), { timeout: 20_000 }).toBe(true);
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: join(ARTIFACTS, "admin-dashboard.png"), fullPage: true });
    await page.close();
  });
});
