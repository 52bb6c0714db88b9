import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cardLocaleFor, resolveShopperLocale, type ShopMarkets } from "../../core/locale.ts";
import { LOCALES } from "../../core/locales/index.ts";
import { applyMarketFacts, type MarketFacts } from "../../core/market-prices.ts";
import { expandProductSlots } from "../../core/product-slots.ts";
import { GOOD_HANDLES, PRODUCTS, generateBody, job, pageWith, selectionOf } from "../test/fixtures.ts";
import { startGenerator, type RunningGenerator } from "../test/harness.ts";
import { answer, startMockLlm, status, type MockLlm } from "../test/mock-llm.ts";

/**
 * The page language end to end: a job for "fr" → the prompt the OpenAI-compatible server on
 * 127.0.0.1 receives → the page that is cached (LLM page or template fallback), then expanded as
 * the edge would for a shopper in France.
 */

let llm: MockLlm;
let generator: RunningGenerator;
let templateOnly: RunningGenerator;

beforeAll(async () => {
  llm = await startMockLlm();
  generator = await startGenerator({ LLM_API_KEY: "test-key", LLM_BASE_URL: llm.baseUrl, LLM_TIMEOUT_MS: "5000", LLM_MAX_RETRIES: "0" });
  templateOnly = await startGenerator({});
});
afterAll(async () => {
  await generator.close();
  await templateOnly.close();
  await llm.close();
});

const SHOP: ShopMarkets = {
  primary: { country: "US", language: "en", currency: "USD" },
  markets: [
    { handle: "us", countries: ["US"], currency: "USD", languages: ["en"] },
    { handle: "france", countries: ["FR"], currency: "EUR", languages: ["fr"] },
  ],
  languages: ["en", "fr"],
};

const loyalistSelection = selectionOf("loyalist", PRODUCTS, [
  { id: "new", title: "New arrivals", handles: ["classic-tee", "linen-shirt", "wool-scarf"], badge: "New" },
  { id: "again", title: "More to love", handles: ["canvas-tote", "rain-jacket", "leather-belt"] },
]);
const frenchBody = (persona: "explorer" | "loyalist" = "loyalist") => ({
  ...generateBody(persona),
  job: job(persona, { language: "fr" }),
  ...(persona === "loyalist" ? { selection: loyalistSelection } : {}),
});

describe("a job for French", () => {
  it("the model is told to write French, and the LLM page declares it and speaks it around the body", async () => {
    llm.script(answer(pageWith(GOOD_HANDLES).replace("Fresh finds for curious minds", "Des trouvailles pour les curieux")));
    const { status: code, result } = await generator.generate(frenchBody("explorer"));
    expect(code).toBe(200);
    expect(result.source).toBe("llm");
    const user = llm.requests[0]!.body.messages!.find((m) => m.role === "user")!.content;
    expect(user).toContain("Page language: fr (French).");
    expect(result.html).toContain('<html lang="fr">');
    expect(result.html).toContain(`<a class="skip-link" href="#main">${LOCALES.fr.skipLink}</a>`);
    expect(result.html).not.toContain("Skip to products");
  });

  it("slots carry the French badge, so the French shopper's cards say Nouveau", async () => {
    llm.script(answer(pageWith(["classic-tee", "linen-shirt", "wool-scarf", "canvas-tote"])));
    const { result } = await generator.generate(frenchBody("loyalist"));
    expect(result.source).toBe("llm");
    expect(result.html).toContain('<wand-product handle="classic-tee" data-badge="Nouveau"></wand-product>');
  });

  it("the template fallback is French too (template mode and an LLM failure alike)", async () => {
    const offline = await templateOnly.generate(frenchBody("loyalist"));
    llm.script(status(500));
    const failed = await generator.generate(frenchBody("loyalist"));
    for (const { result } of [offline, failed]) {
      expect(result.source).toBe("template");
      expect(result.html).toContain('<html lang="fr">');
      expect(result.html).toContain(`<h1>${LOCALES.fr.loyalistTitle}</h1>`);
      expect(result.html).toContain(`<h2 id="new-h">${LOCALES.fr.groupNew}</h2>`);
    }
  });

  it("served to a shopper in France: French strings, the market's euro prices, the variant's add to cart", async () => {
    const { result } = await templateOnly.generate(frenchBody("loyalist"));
    const france: MarketFacts = {
      store: "demo-apparel",
      country: "FR",
      currency: "EUR",
      prices: { "classic-tee": { variantId: "40001", price: "23.00", compareAtPrice: "32.00", currency: "EUR" } },
      fetchedAt: 0,
    };
    const locale = resolveShopperLocale({ country: "FR", language: "fr", rootUrl: "/fr" }, SHOP);
    const { products, missing } = applyMarketFacts(PRODUCTS, france);
    const html = expandProductSlots(result.html, { products, persona: "loyalist", baseUrl: locale.rootPath, locale: cardLocaleFor(locale) }).html.replace(/[\u00a0\u202f]/g, " ");
    const tee = html.slice(html.indexOf('data-wand-product="classic-tee"'), html.indexOf("</article>", html.indexOf('data-wand-product="classic-tee"')));
    expect(tee).toContain('<data class="price" value="23.00">23,00 €</data>');
    expect(tee).toContain('<span class="badge">Nouveau</span>');
    expect(tee).toContain('action="/fr/cart/add"');
    expect(tee).toContain('name="id" value="40001"');
    expect(tee).toContain("Ajouter au panier");
    // The products France has no price for yet are reported, for the edge to fetch.
    expect(missing).toEqual(PRODUCTS.filter((p) => p.handle !== "classic-tee").map((p) => p.handle));
  });

  it("a job queued before languages still gets the English page", async () => {
    const { result } = await templateOnly.generate(generateBody("explorer"));
    expect(result.html).toContain('<html lang="en">');
    expect(result.html).toContain("Skip to products");
  });
});
