import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemoStore } from "../scripts/demo/load-catalogs.ts";
import { DEMO, startEdge, type EdgeServer } from "./helpers/storefront-edge.ts";
import { startThemeServer, type ThemeServer } from "./helpers/storefront-theme.ts";
import { launchChromium } from "./helpers/chromium.ts";

/*
 * The theme app extension in a browser: a stand-in theme page with the real block markup and
 * scripts, the app proxy signed and forwarded to the edge worker under `wrangler dev`, headless
 * Chromium. Ports 18410-18429 (storefront range).
 */

const SECRET = "e2e-storefront-secret";
const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));

let edge: EdgeServer;
let theme: ThemeServer;
let context: BrowserContext;
let profileDir: string;
const catalog = loadDemoStore(DEMO).products;

beforeAll(async () => {
  edge = await startEdge({
    port: 18410,
    inspectorPort: 18411,
    // Nothing listens on the generator port: pages stay the template, so what the test sees is stable.
    vars: { SHOPIFY_API_SECRET: SECRET, GENERATOR_URL: "http://127.0.0.1:18419", SHOPIFY_ADMIN_API_ORIGIN: "http://127.0.0.1:18419" },
  });
  theme = await startThemeServer({ port: 18420, edgeUrl: edge.url, secret: SECRET, shop: DEMO.shopDomain });
  profileDir = await mkdtemp(join(tmpdir(), "wand-storefront-chromium-"));
  context = await launchChromium(profileDir, { width: 1280, height: 900 });
  // Only this machine: catalog images on Shopify's CDN are refused rather than fetched.
  await context.route("**/*", (route) => (new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort()));
});

afterAll(async () => {
  await context?.close();
  await theme?.stop();
  await edge?.stop();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
});

/** Opens a theme page and waits for the block's frame to show the persona page. */
async function openStorefront(page: Page, path: string) {
  await page.goto(`${theme.url}${path}`);
  const block = page.locator("wand-storefront");
  await expect.poll(() => block.getAttribute("data-state"), { timeout: 30_000 }).toBe("ready");
  const frame = page.frameLocator("wand-storefront iframe[data-wand-frame]");
  return { block, frame };
}

describe("theme app extension through the app proxy", () => {
  it("shows the landing campaign's persona page in the block, without moving the theme around it", async () => {
    const page = await context.newPage();
    // Layout shifts are recorded from the first paint on.
    await page.addInitScript(() => {
      (window as unknown as { __shifts: number[] }).__shifts = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) (window as unknown as { __shifts: number[] }).__shifts.push((entry as unknown as { value: number }).value);
      }).observe({ type: "layout-shift", buffered: true });
    });
    // The footer's place as soon as the theme page is parsed, before the frame has its page.
    await page.goto(`${theme.url}/?utm_source=newsletter&utm_medium=email&utm_campaign=vip-rewards`, { waitUntil: "domcontentloaded" });
    const footerBefore = await page.locator("#theme-footer").boundingBox();
    const block = page.locator("wand-storefront");
    await expect.poll(() => block.getAttribute("data-state"), { timeout: 30_000 }).toBe("ready");
    const frame = page.frameLocator("wand-storefront iframe[data-wand-frame]");

    await expect.poll(() => frame.locator("body").getAttribute("data-wand-persona")).toBe("loyalist");
    expect(await frame.locator("main").count()).toBe(1);
    expect(await frame.locator("article.card").count()).toBeGreaterThan(2);
    // The block forwarded the landing UTM as the documented parameters, signed by the stand-in.
    const query = theme.forwarded.at(-1)!;
    expect(query.get("wand_utm_campaign")).toBe("vip-rewards");
    expect(query.get("wand_utm_medium")).toBe("email");
    expect(query.get("wand_visits")).toBe("1");
    expect(query.get("wand_sid")).toMatch(/^[0-9a-f]{24}$/);

    // The box had its height before the page arrived; nothing below it moved.
    expect((await block.boundingBox())?.height).toBe(900);
    expect(await page.locator("#theme-footer").boundingBox()).toEqual(footerBefore);
    const shifts = await page.evaluate(() => (window as unknown as { __shifts: number[] }).__shifts);
    expect(shifts.reduce((a, b) => a + b, 0)).toBe(0);

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "storefront-block.png"), fullPage: true });
    await page.close();
  });

  it("adds to cart on the shop's origin with the variant and the persona, and the whole window goes to the cart", async () => {
    const page = await context.newPage();
    const { frame } = await openStorefront(page, "/");
    const card = frame.locator("article.card").filter({ has: frame.locator("button.add:not([disabled])") }).first();
    const handle = await card.getAttribute("data-wand-product");
    const product = catalog.find((p) => p.handle === handle);
    expect(product).toBeDefined();
    const persona = await frame.locator("body").getAttribute("data-wand-persona");

    const before = theme.cartAdds.length;
    await Promise.all([page.waitForURL(`${theme.url}/cart`), card.locator("button.add").click()]);
    expect(theme.cartAdds.length).toBe(before + 1);
    const added = theme.cartAdds.at(-1)!;
    expect(added.fields).toEqual({ id: product!.firstVariantId, quantity: "1", "properties[_wand_persona]": persona });
    // Same origin: the shop's cart cookie travelled with the POST.
    expect(added.cookie).toContain("cart=e2e-cart");
    await page.close();
  });

  it("links to the shop's own product pages, opened in the whole window", async () => {
    const page = await context.newPage();
    const { frame } = await openStorefront(page, "/");
    const link = frame.locator("article.card h3 a").first();
    const href = await link.getAttribute("href");
    expect(href).toMatch(/^\/products\/[a-z0-9-]+$/);
    await Promise.all([page.waitForURL(`${theme.url}${href}`), link.click()]);
    expect(new URL(page.url()).origin).toBe(theme.url);
    await page.close();
  });

  it("carries visits and categories seen from the embed to the proxy, and detection follows them", async () => {
    const page = await context.newPage();
    // A new shopper in this browser: no landing campaign, nothing seen yet.
    await page.goto(`${theme.url}/cart`);
    await page.evaluate(() => localStorage.clear());
    // Three product pages of three categories (the embed records product.type on each).
    for (const [handle, type] of [["a", "Shirts"], ["b", "Hats"], ["c", "Bags"]] as const) {
      await page.goto(`${theme.url}/products/${handle}?type=${type}`);
      await expect.poll(() => page.locator("wand-signals").getAttribute("data-ready")).toBe("");
    }
    // Half an hour later: a new visit. (Shifted on a page without the embed, which would otherwise
    // stamp its last activity as it is left.)
    await page.goto(`${theme.url}/cart`);
    await page.evaluate(() => {
      const record = JSON.parse(localStorage.getItem("wand:signals") ?? "{}") as { last: number };
      record.last -= 31 * 60 * 1000;
      localStorage.setItem("wand:signals", JSON.stringify(record));
    });
    const { frame } = await openStorefront(page, "/");
    const query = theme.forwarded.at(-1)!;
    expect(query.get("wand_cats")).toBe("Shirts,Hats,Bags");
    expect(query.get("wand_visits")).toBe("2");
    expect(query.get("wand_utm_campaign")).toBeNull();
    // Browsing three categories (explorer +2) outweighs a second visit (loyalist +1).
    expect(await frame.locator("body").getAttribute("data-wand-persona")).toBe("explorer");
    await page.close();
  });
});
