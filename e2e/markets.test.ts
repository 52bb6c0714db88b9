import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, FrameLocator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_STORES } from "../core/demo-stores.ts";
import type { CatalogSyncState, PersonaCacheState, PreviewResult } from "../core/edge-api.ts";
import type { ShopMarkets } from "../core/locale.ts";
import { fr } from "../core/locales/fr.ts";
import { startFakeAdminApi, type FakeAdminApi } from "../edge-worker/test/fake-admin-api.ts";
import { fakeAdminShop, type FakeMarket } from "../edge-worker/test/fake-admin-control.ts";
import { fakeContextualPrice, fakeVariants } from "../edge-worker/test/fake-catalog.ts";
import { launchChromium } from "./helpers/chromium.ts";
import { runD1Statements } from "./helpers/d1-rows.ts";
import { summariseLanguages } from "../app/language-pages.ts";
import { FAKE_LLM_TEXT, startMarketsLlm, type MarketsLlm } from "./helpers/markets-llm.ts";
import { type MarketsStack, startMarketsStack } from "./helpers/markets-stack.ts";
import { startThemeServer, type ThemeServer } from "./helpers/storefront-theme.ts";

/*
 * A French shopper through the signed app proxy, end to end: the shop's catalog, markets and
 * contextual prices come from a fake Shopify Admin API on 127.0.0.1 (edge-worker/test/fake-admin-api.ts,
 * US/USD/en primary + France/EUR/fr with converted and fixed price-list prices), synced by the edge's
 * CatalogSync, started through EdgeApi as the admin starts it; a stand-in storefront renders the app block's real
 * Liquid for the French market (routes.root_url "/fr", localization FR/EUR, request.locale fr), signs
 * the proxy request as Shopify does and forwards it to the edge under `wrangler dev`; the generator
 * talks to an OpenAI-compatible fake LLM that writes in the page language its prompt names.
 * Checked: euro prices equal to the fake Shopify's contextual prices, French template text, then the
 * LLM page generated for `fr`, links and the cart form under /fr/, add-to-cart with the variant.
 * Ports 18710-18729 (markets range).
 */

const SECRET = "e2e-markets-proxy-secret";
const TOKEN = "e2e-markets-offline-token";
const SEED = "e2e-markets";
const PRODUCTS = 12;
const SHOP = DEMO_STORES.find((d) => d.store === "demo-apparel")!;
const PORTS = { controlPort: 18710, controlInspectorPort: 18711, edgePort: 18712, inspectorPort: 18713, generatorPort: 18714 };
const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));

const US: FakeMarket = { handle: "us", countries: ["US"], currency: "USD", locales: ["en"] };
/** Every even product has a fixed price in the French price list; the others are converted at 0.9. */
const FRANCE: FakeMarket = {
  handle: "france",
  countries: ["FR"],
  currency: "EUR",
  locales: ["fr"],
  rate: 0.9,
  fixed: Object.fromEntries(Array.from({ length: PRODUCTS / 2 }, (_, k) => [2 * k, { price: `${19 + k}.00`, compareAtPrice: null }])),
};

let llm: MarketsLlm;
let shopify: FakeAdminApi;
let stack: MarketsStack;
let theme: ThemeServer;
let context: BrowserContext;
let profileDir: string;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  llm = await startMarketsLlm({ port: 18716, latencyMs: 200 });
  shopify = await startFakeAdminApi({ port: 18715 });
  await fakeAdminShop(shopify.origin, TOKEN).configure({
    products: PRODUCTS,
    seed: SEED,
    currency: "USD",
    markets: {
      backupCountry: "US",
      locales: [
        { locale: "en", primary: true, published: true },
        { locale: "fr", published: true },
      ],
      markets: [US, FRANCE],
    },
  });
  stack = await startMarketsStack({
    ...PORTS,
    llm: { baseUrl: llm.baseUrl },
    edgeVars: { SHOPIFY_API_SECRET: SECRET, SHOPIFY_ADMIN_API_ORIGIN: shopify.origin },
    // The shop's offline session, as an install stores it: the edge's sync reads the fake with its token.
    afterSeed: (persistDir) =>
      runD1Statements(persistDir, [
        {
          sql: 'INSERT INTO "Session" (id, shop, state, isOnline, scope, accessToken) VALUES (?, ?, ?, 0, ?, ?)',
          params: [`offline_${SHOP.shopDomain}`, SHOP.shopDomain, "e2e", "read_products,read_markets,read_translations", TOKEN],
        },
      ]),
  });
  theme = await startThemeServer({ port: 18717, edgeUrl: stack.edge.edgeUrl, secret: SECRET, shop: SHOP.shopDomain, market: { rootUrl: "/fr", country: "FR", currency: "EUR", language: "fr" } });
  profileDir = await mkdtemp(join(tmpdir(), "wand-markets-chromium-"));
  context = await launchChromium(profileDir, { width: 1280, height: 1000 });
  // Only this machine: the fake catalog's image URLs are refused rather than fetched.
  await context.route("**/*", (route) => (new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort()));
}, 240_000);

afterAll(async () => {
  await context?.close();
  await theme?.stop();
  await stack?.stop();
  await shopify?.close();
  await llm?.close();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
});


interface Card {
  handle: string;
  /** The `<data class="price" value>` amount and the text a shopper reads. */
  amount: string;
  text: string;
  href: string;
}

async function cardsOf(frame: FrameLocator): Promise<Card[]> {
  return frame.locator("article.card").evaluateAll((cards) =>
    cards.map((c) => {
      const price = c.querySelector("data.price");
      return {
        handle: c.getAttribute("data-wand-product") ?? "",
        amount: price?.getAttribute("value") ?? "",
        text: (price?.textContent ?? "").replace(/\s+/g, " ").trim(),
        href: c.querySelector("h3 a")?.getAttribute("href") ?? "",
      };
    }),
  );
}

/** What the fake Shopify charges in France for the card's product (its first variant). */
function shopifyPrice(handle: string): { price: string; fixed: boolean } {
  const i = Number(/^p-(\d+)$/.exec(handle)?.[1]);
  const expected = fakeContextualPrice(SEED, i, 0, FRANCE);
  if (!expected) throw new Error(`no fake product for ${handle}`);
  return { price: expected.price, fixed: FRANCE.fixed?.[i] !== undefined };
}

const euro = (amount: string) => new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" }).format(Number(amount)).replace(/\s+/g, " ");

/** Opens the French storefront's home page and waits for the block's frame. */
async function openFrench(page: Page): Promise<FrameLocator> {
  await page.goto(`${theme.url}/fr/`);
  await expect.poll(() => page.locator("wand-storefront").getAttribute("data-state"), { timeout: 30_000 }).toBe("ready");
  return page.frameLocator("wand-storefront iframe[data-wand-frame]");
}

/** Reloads the French storefront until `ready` holds for its frame (bounded by attempts, not asserted on time). */
async function frenchUntil(page: Page, what: string, ready: (frame: FrameLocator) => Promise<boolean>): Promise<FrameLocator> {
  for (let attempt = 0; attempt < 120; attempt++) {
    const frame = await openFrench(page);
    if (await ready(frame)) return frame;
    await page.waitForTimeout(500);
  }
  throw new Error(`the French storefront never showed ${what}:\n${stack.output().slice(-4000)}`);
}

describe("a French shopper through the signed app proxy", () => {
  it("the shop's sync reads the fake Shopify's catalog and markets", { timeout: 120_000 }, async () => {
    await stack.rpc<CatalogSyncState>("startCatalogSync", SHOP.store, SHOP.shopDomain, "manual");
    await expect.poll(async () => (await stack.rpc<CatalogSyncState>("catalogSyncState", SHOP.store)).state, { timeout: 90_000, interval: 500 }).toBe("ok");
    expect((await stack.rpc<CatalogSyncState>("catalogSyncState", SHOP.store)).liveProducts).toBe(PRODUCTS);
    // What the admin's pickers offer: the markets as the sync read them from Shopify.
    const markets = await stack.rpc<ShopMarkets>("shopMarkets", SHOP.store);
    expect(markets.primary).toEqual({ country: "US", language: "en", currency: "USD" });
    const france = markets.markets.find((m) => m.countries.includes("FR"));
    expect(france?.currency).toBe("EUR");
    // The market's languages, its default first.
    expect(france?.languages[0]).toBe("fr");
  });

  it("sees euro prices equal to Shopify's (converted and fixed), French template text and links under /fr/", { timeout: 120_000 }, async () => {
    const page = await context.newPage();
    const frame = await frenchUntil(page, "euro prices", async (f) => (await cardsOf(f)).some((c) => c.text.includes("€")));
    // The block asked for the proxy under the French locale prefix, with the storefront's market.
    expect(theme.proxiedPaths.at(-1)).toBe("/fr/apps/wand");
    const query = theme.forwarded.at(-1)!;
    expect([query.get("country"), query.get("language"), query.get("currency"), query.get("root_url")]).toEqual(["FR", "fr", "EUR", "/fr"]);

    const body = frame.locator("body");
    expect(await frame.locator("html").getAttribute("lang")).toBe("fr");
    expect(await body.getAttribute("data-wand-source")).toBe("template");
    const text = await body.innerText();
    expect(text).toContain(fr.explorerTitle);
    expect(text).toContain(fr.addToCart);

    const cards = await cardsOf(frame);
    expect(cards.length).toBeGreaterThan(2);
    for (const card of cards) {
      const expected = shopifyPrice(card.handle);
      expect({ handle: card.handle, amount: card.amount, text: card.text }).toEqual({ handle: card.handle, amount: expected.price, text: euro(expected.price) });
      expect(card.href).toBe(`/fr/products/${card.handle}`);
    }
    // Both kinds of French price are on the page: price-list prices and converted ones.
    expect(new Set(cards.map((c) => shopifyPrice(c.handle).fixed))).toEqual(new Set([true, false]));
    await page.close();
  });

  it("then gets the LLM page generated in French, with the same prices", { timeout: 120_000 }, async () => {
    const page = await context.newPage();
    const frame = await frenchUntil(page, "an LLM page", async (f) => (await f.locator("body").getAttribute("data-wand-source")) === "llm");
    expect(llm.languages()).toContain("fr");
    expect(await frame.locator("html").getAttribute("lang")).toBe("fr");
    expect(await frame.locator("h1").first().innerText()).toBe(FAKE_LLM_TEXT.fr!.title);
    const cards = await cardsOf(frame);
    expect(cards.length).toBeGreaterThan(0);
    for (const card of cards) {
      expect(card.amount).toBe(shopifyPrice(card.handle).price);
      expect(card.text).toBe(euro(card.amount));
      expect(card.href).toBe(`/fr/products/${card.handle}`);
    }
    await page.screenshot({ path: join(ARTIFACTS, "markets-fr.png"), fullPage: true });
    await page.close();
  });

  it("EdgeApi's preview and cacheState, which the admin's preview and dashboard read, report the French market and its AI page", { timeout: 60_000 }, async () => {
    // The Preview page's call (app/routes/app.preview.tsx) for the market and language pickers.
    const preview = await stack.rpc<PreviewResult>("preview", SHOP.store, "explorer", {}, { country: "FR", language: "fr" });
    expect(preview.locale).toMatchObject({ country: "FR", market: "france", currency: "EUR", language: "fr", pageLanguage: "fr", reasons: [] });
    expect(preview.html).toMatch(/<html[^>]* lang="fr"/);
    expect(preview.html).toContain("€");
    // The dashboard's pages per language (app/routes/app._index.tsx): French has its AI page now.
    const states = await stack.rpc<PersonaCacheState[]>("cacheState", SHOP.store);
    const explorer = states.find((s) => s.persona === "explorer");
    expect(explorer?.languages.map((l) => l.language)).toEqual(["en", "fr"]);
    expect(explorer?.languages.find((l) => l.language === "fr")?.state).toBe("fresh");
    const french = summariseLanguages(states.map((s) => ({ persona: s.persona, enabled: s.enabled, languages: s.languages }))).find((l) => l.language === "fr");
    expect(french?.fresh).toBeGreaterThanOrEqual(1);
  });

  it("adds to cart in the French market with the card's variant, and the whole window goes to the French cart", { timeout: 60_000 }, async () => {
    const page = await context.newPage();
    const frame = await openFrench(page);
    const card = frame.locator("article.card").filter({ has: frame.locator("button.add:not([disabled])") }).first();
    const handle = (await card.getAttribute("data-wand-product"))!;
    const i = Number(/^p-(\d+)$/.exec(handle)?.[1]);
    const variant = /(\d+)$/.exec(fakeVariants(SEED, i)[0]!.id)![1];
    const persona = await frame.locator("body").getAttribute("data-wand-persona");
    expect(await card.locator("form").getAttribute("action")).toBe("/fr/cart/add");

    const before = theme.cartAdds.length;
    await Promise.all([page.waitForURL(`${theme.url}/fr/cart`), card.locator("button.add").click()]);
    expect(theme.cartAdds.length).toBe(before + 1);
    const added = theme.cartAdds.at(-1)!;
    expect(added.path).toBe("/fr/cart/add");
    expect(added.fields).toMatchObject({ id: variant, quantity: "1", "properties[_wand_persona]": persona });
    await page.close();
  });
});
