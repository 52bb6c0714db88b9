import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Page, Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_STORES } from "../core/demo-stores.ts";
import type { Persona } from "../core/types.ts";
import { loadDemoStore } from "../scripts/demo/load-catalogs.ts";
import { axeViolations, cartForms, launchShopperBrowser, loadLazyImages, type ShopperBrowser } from "./helpers/journey-browser.ts";
import { startFakeLlm, type FakeLlm } from "./helpers/journey-fake-llm.ts";
import { repoRoot, startStack, type Stack } from "./helpers/journey-stack.ts";

/**
 * The shopper's journey in headless Chromium against the servers `npm start` runs (the generator and
 * the edge under `wrangler dev`, on ports of their own with a fresh state): a first visit gets the
 * template page at once, a later visit the generated page from cache; each persona is reached through
 * the signal that selects it; the add-to-cart form posts the right variant with the persona for
 * attribution; axe-core finds nothing serious; every persona page of every demo store is kept as a
 * screenshot in e2e/artifacts/. The demo stores include demo-large (6,000 products as D1 rows), so
 * the same journey runs on a catalog far past what one page or prompt can hold. The LLM is a fake
 * OpenAI-compatible server (the only thing mocked).
 */

const ARTIFACTS = resolve(repoRoot, "e2e/artifacts");
const PORTS = { edgePort: 18510, generatorPort: 18511, inspectorPort: 18512 };
let stack: Stack;
let llm: FakeLlm;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  llm = await startFakeLlm({ latencyMs: 300 });
  stack = await startStack({ ...PORTS, llm: { baseUrl: llm.baseUrl }, opsToken: "journey-ops-token" });
});

afterAll(async () => {
  await stack?.stop();
  await llm?.close();
});

interface Visit {
  response: Response;
  cache: string | null;
  persona: string | null;
  source: string | null;
}

async function visit(page: Page, url: string, referer?: string): Promise<Visit> {
  const response = await page.goto(url, { waitUntil: "load", ...(referer ? { referer } : {}) });
  if (!response) throw new Error(`no response for ${url}`);
  const body = page.locator("body");
  return {
    response,
    cache: response.headers()["wand-cache"] ?? null,
    persona: response.headers()["wand-persona"] ?? null,
    source: await body.getAttribute("data-wand-source"),
  };
}

/** Visits again until the edge serves a cached page (bounded by attempts; the wait between is no assertion). */
async function visitUntilCached(page: Page, url: string, referer?: string): Promise<Visit> {
  for (let attempt = 0; attempt < 120; attempt++) {
    const v = await visit(page, url, referer);
    if (v.cache !== "miss") return v;
    await page.waitForTimeout(250);
  }
  throw new Error(`${url} was still a miss after 120 visits:\n${stack.output().slice(-3000)}`);
}

async function expectAccessible(page: Page, what: string): Promise<void> {
  const serious = (await axeViolations(page)).filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`), what).toEqual([]);
}

/** How a shopper of each persona arrives: the signal that selects the persona. */
const ARRIVALS: { persona: Persona; signal: string; query: string; referer?: string; returning?: boolean }[] = [
  { persona: "dealhunter", signal: "a sale campaign link (UTM)", query: "utm_source=newsletter&utm_campaign=black-friday-sale" },
  { persona: "minimalist", signal: "a search engine referrer", query: "", referer: "https://www.google.com/search?q=linen+shirt" },
  { persona: "explorer", signal: "the explicit override (beats the referrer)", query: "persona=explorer", referer: "https://www.google.com/" },
  { persona: "loyalist", signal: "a second visit after a browser restart (visit cookie)", query: "", returning: true },
];

describe.each(DEMO_STORES.map((d) => ({ ...d, data: loadDemoStore(d) })))("shopper journey on $store", ({ store, shopDomain, data }) => {
  const variantIds = new Set(data.products.map((p) => p.firstVariantId));

  it.each(ARRIVALS)("$persona through $signal: template first, then the generated page with a working cart form", async (arrival) => {
    const url = `${stack.edgeUrl}/s/${store}${arrival.query ? `?${arrival.query}` : ""}`;
    let browser: ShopperBrowser = await launchShopperBrowser();
    try {
      if (arrival.returning) {
        // First session: the shop's default persona; then the browser is closed and opened again.
        const first = await visit(await browser.context.newPage(), url);
        expect(first.persona).toBe(data.settings.defaultPersona);
        await browser.close();
        browser = await launchShopperBrowser(browser.profileDir);
      }
      const page = await browser.context.newPage();

      // The first visit for this persona: the template page, at once, while the AI page is generated.
      const first = await visit(page, url, arrival.referer);
      expect(first.response.status()).toBe(200);
      expect(first.persona).toBe(arrival.persona);
      expect(first.cache).toBe("miss");
      expect(first.source).toBe("template");
      expect(await page.locator("body").getAttribute("data-wand-persona")).toBe(arrival.persona);
      // A bounded selection: the template page stays small whatever the catalog's size (ADR 0001).
      expect((await first.response.body()).byteLength).toBeLessThanOrEqual(100_000);
      if (arrival.persona === "dealhunter") await expectAccessible(page, `${store} template page`);

      // A later visit: the generated page, from cache.
      const later = await visitUntilCached(page, url, arrival.referer);
      expect(["memory", "kv", "r2"]).toContain(later.cache);
      expect(later.persona).toBe(arrival.persona);
      expect(later.source).toBe("llm");
      expect(later.response.headers()["content-security-policy"]).toMatch(/script-src 'none'/);

      // Add to cart: a plain POST form to the shop's /cart/add with a catalog variant and the persona.
      const forms = await cartForms(page);
      expect(forms.length).toBeGreaterThanOrEqual(3);
      for (const form of forms) {
        expect(form.method).toBe("post");
        expect(form.action).toBe(`https://${shopDomain}/cart/add`);
        expect(variantIds.has(form.variantId ?? "")).toBe(true);
        expect(form.quantity).toBe("1");
        expect(form.persona).toBe(arrival.persona);
      }
      // Each form has its submit button; a shopper (or a screen reader) finds them by name.
      expect(forms.every((f) => f.hasSubmit)).toBe(true);
      expect(await page.getByRole("button", { name: /^add to cart/i }).count()).toBeGreaterThanOrEqual(1);

      await expectAccessible(page, `${store} ${arrival.persona} generated page`);
      await loadLazyImages(page);
      await page.screenshot({ path: resolve(ARTIFACTS, `journey-${store}-${arrival.persona}.png`), fullPage: true });
    } finally {
      await browser.dispose();
    }
  });
});
