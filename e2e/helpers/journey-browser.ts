import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium } from "./chromium.ts";
import { repoRoot } from "./journey-stack.ts";

/**
 * Headless Chromium for the shopper journey: Debian's chromium through playwright-core, a persistent
 * profile in a fresh temporary directory (a shopper's own browser: cookies survive a restart, session
 * cookies do not), and no network beyond 127.0.0.1 — product images on the shop's CDN are answered
 * with a local placeholder so pages render fully offline.
 */

const PLACEHOLDER_IMAGE =
  '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600" viewBox="0 0 600 600"><rect width="600" height="600" fill="#d9d4cc"/><path d="M170 400l90-120 70 90 50-60 80 90z" fill="#b3aa9c"/><circle cx="400" cy="220" r="40" fill="#b3aa9c"/></svg>';

export interface ShopperBrowser {
  context: BrowserContext;
  profileDir: string;
  /** Closes the browser, keeping the profile (a restart: persistent cookies stay, session cookies go). */
  close(): Promise<void>;
  /** Closes the browser and deletes the profile. */
  dispose(): Promise<void>;
}

export async function launchShopperBrowser(profileDir = mkdtempSync(join(tmpdir(), "wand-journey-profile-"))): Promise<ShopperBrowser> {
  const context = await launchChromium(profileDir, { width: 1280, height: 900 });
  await context.route(/^https:\/\//, async (route) => {
    if (route.request().resourceType() === "image") await route.fulfill({ status: 200, contentType: "image/svg+xml", body: PLACEHOLDER_IMAGE });
    else await route.abort("internetdisconnected");
  });
  let closed = false;
  const close = async () => {
    if (!closed) await context.close();
    closed = true;
  };
  return {
    context,
    profileDir,
    close,
    dispose: async () => {
      await close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

const AXE_SOURCE = readFileSync(resolve(repoRoot, "node_modules/axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core on the page. The page's CSP forbids every script, so axe is evaluated through the
 * DevTools protocol (not a <script> element the CSP would block); the page itself stays script-free.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const run = await axe.run(document, { resultTypes: ["violations"] });
    return run.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return result;
}

/** Scrolls every image into view (they load lazily) and waits until all have loaded, for a full-page screenshot. */
export async function loadLazyImages(page: Page): Promise<void> {
  const images = page.locator("img");
  for (let i = 0, n = await images.count(); i < n; i++) await images.nth(i).scrollIntoViewIfNeeded();
  await page.waitForFunction(() => Array.from(document.images).every((img) => img.complete));
  await page.mouse.wheel(0, -1_000_000);
}

export interface CartForm {
  method: string;
  action: string;
  variantId: string | null;
  quantity: string | null;
  persona: string | null;
  hasSubmit: boolean;
}

/** Every add-to-cart form on the page, as the browser sees it. */
export async function cartForms(page: Page): Promise<CartForm[]> {
  return page.$$eval("form", (forms) =>
    forms
      .filter((f) => (f.getAttribute("action") ?? "").includes("/cart/add"))
      .map((f) => ({
        method: (f.getAttribute("method") ?? "get").toLowerCase(),
        action: f.action,
        variantId: f.querySelector<HTMLInputElement>('input[name="id"]')?.value ?? null,
        quantity: f.querySelector<HTMLInputElement>('input[name="quantity"]')?.value ?? null,
        persona: f.querySelector<HTMLInputElement>('input[name="properties[_wand_persona]"]')?.value ?? null,
        hasSubmit: f.querySelector('button[type="submit"], input[type="submit"]') !== null,
      })),
  );
}
