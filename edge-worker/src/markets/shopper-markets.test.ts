import { SELF, createExecutionContext, env, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { parseCacheKey } from "../../../core/cache-key.ts";
import { resolveShopperLocale, type ShopMarkets } from "../../../core/locale.ts";
import { fr } from "../../../core/locales/fr.ts";
import { en } from "../../../core/locales/en.ts";
import { formatMoney } from "../../../core/money.ts";
import { PERSONAS, type Persona } from "../../../core/types.ts";
import { fakeContextualPrice } from "../../test/fake-catalog.ts";
import { eventually, generator, htmlOf, page, seedStore, uniqueStore } from "../../test/helpers.ts";
import { FRANCE, MARKETS, indexOf, syncedShop } from "../../test/markets-helpers.ts";
import { signProxyQuery } from "../app-proxy/verify.ts";
import { readSelection } from "../catalog/selection-store.ts";
import { EdgeApi } from "../edge-api.ts";
import { handleOps } from "../ops-api.ts";
import { servePersonaPage } from "../shopper-page.ts";
import { readMarketFacts, writeMarketFacts } from "./market-facts-store.ts";
import { forgetMarketsAsks } from "./markets-refresh.ts";
import { MarketsStateStore } from "./markets-state.ts";
import { writeShopMarkets } from "./markets-store.ts";

/**
 * Markets on the shopper path (issue 13): the proxy's signed `country`/`language`/`currency`/
 * `root_url` and the direct route's `?country=&language=` choose the market (prices in the cards,
 * formatted for the shopper) and the page language (the only locale value in a cache key).
 */
const SECRET = "wand-test-proxy-secret"; // the edge project's SHOPIFY_API_SECRET binding
const api = () => new EdgeApi(createExecutionContext(), env);

/** A request as Shopify's proxy forwards it: the extension's parameters, then Shopify's, signed. */
async function signed(shopDomain: string, params: Record<string, string>, tamper?: Record<string, string>): Promise<string> {
  const query = new URLSearchParams(params);
  query.set("shop", shopDomain);
  query.set("logged_in_customer_id", "");
  query.set("path_prefix", "/apps/wand");
  query.set("timestamp", String(Math.floor(Date.now() / 1000)));
  query.set("signature", await signProxyQuery(query, SECRET));
  for (const [k, v] of Object.entries(tamper ?? {})) query.set(k, v);
  return `https://edge.test/proxy?${query}`;
}

interface Card {
  handle: string;
  price: string;
  shown: string;
  href: string;
  action: string | null;
  variant: string | null;
  title: string;
}

/** The product cards of a served page, as a shopper reads them. */
function cardsOf(html: string): Card[] {
  return [...html.matchAll(/<article class="card" data-wand-product="([^"]+)">([\s\S]*?)<\/article>/g)].map(([, handle, body]) => ({
    handle: handle!,
    price: /<data class="price" value="([^"]+)">/.exec(body!)?.[1] ?? "",
    shown: /<data class="price" value="[^"]+">([^<]+)<\/data>/.exec(body!)?.[1] ?? "",
    href: /<h3 class="card-title"><a href="([^"]+)">/.exec(body!)?.[1] ?? "",
    title: /<h3 class="card-title"><a href="[^"]+">([^<]+)<\/a>/.exec(body!)?.[1] ?? "",
    action: /<form method="post" action="([^"]+)">/.exec(body!)?.[1] ?? null,
    variant: /<input type="hidden" name="id" value="([^"]+)">/.exec(body!)?.[1] ?? null,
  }));
}

describe("markets on the shopper path", () => {
  it("a French shopper through the signed proxy sees Shopify's euro prices, French text, links and add-to-cart under /fr/; then the page generated for fr", { timeout: 60_000 }, async () => {
    const shop = await syncedShop("proxy-fr", MARKETS);
    const url = await signed(shop.shopDomain, { country: "FR", language: "fr", currency: "EUR", root_url: "/fr", wand_sid: "french-shopper" });
    const res = await SELF.fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Language")).toBe("fr");
    expect(res.headers.get("Wand-Cache")).toBe("miss");
    const html = await htmlOf(res);
    expect(html).toContain('<html lang="fr"');
    expect(html).toContain(fr.explorerTitle);
    expect(html).toContain(fr.addToCart);
    expect(html).not.toContain(en.addToCart);

    const selection = await readSelection(env, shop.store, "explorer");
    const cards = cardsOf(html);
    expect(cards.map((c) => c.handle).sort()).toEqual(selection.products.map((p) => p.handle).sort());
    for (const c of cards) {
      const product = selection.products.find((p) => p.handle === c.handle)!;
      const shopify = fakeContextualPrice(shop.token, indexOf(c.handle), 0, FRANCE)!;
      expect(c.price, c.handle).toBe(shopify.price);
      expect(c.shown, c.handle).toBe(formatMoney(shopify.price, "EUR", "fr-FR"));
      expect(c.href).toBe(`/fr/products/${c.handle}`);
      const t = MARKETS.translations!.fr![indexOf(c.handle)];
      expect(c.title).toBe(t?.title ?? product.title);
      if (product.available) expect([c.action, c.variant]).toEqual(["/fr/cart/add", product.firstVariantId]);
    }
    expect(cards.some((c) => FRANCE.fixed![indexOf(c.handle)])).toBe(true);

    // The LLM page for French is generated in the background; the next French shopper gets it,
    // with the cards still expanded from the euro facts at serve time.
    const job = await eventually(async () => (await generator(shop.store).stats()).jobs.find((j) => j.language === "fr"));
    expect(job.key).toMatch(new RegExp(`^ui/${shop.store}/explorer/fr/[0-9a-f]{16}$`));
    const again = await eventually(async () => {
      const r = await SELF.fetch(await signed(shop.shopDomain, { country: "FR", language: "fr", currency: "EUR", root_url: "/fr", wand_sid: "french-shopper" }));
      const body = await htmlOf(r);
      return r.headers.get("Wand-Cache") !== "miss" && body;
    });
    expect(again).toContain(`data-fake-generator="${job.key}"`);
    expect(cardsOf(again).map((c) => [c.price, c.href.startsWith("/fr/products/")])).toEqual(cards.map((c) => [c.price, true]));

    // A shopper without context: the primary market, dollars, English, links at the shop's root.
    const english = await htmlOf(await SELF.fetch(await signed(shop.shopDomain, { wand_sid: "us-shopper" })));
    expect(english).toContain(en.addToCart);
    for (const c of cardsOf(english)) {
      expect(c.shown).toBe(formatMoney(selection.products.find((p) => p.handle === c.handle)!.price, "USD", "en-US"));
      expect(c.href).toBe(`/products/${c.handle}`);
    }
  });

  it("a French memory hit is answered without a promise and reads nothing: markets, prices and translations come from the isolate's copies", { timeout: 60_000 }, async () => {
    const shop = await syncedShop("memo-hit", MARKETS);
    const french = { country: "FR", language: "fr" };
    // The French page generated and stored (the test project keeps no isolate copies: TTL 0).
    await htmlOf(await page(`/s/${shop.store}?shopper=m&persona=explorer&country=FR&language=fr`));
    await eventually(async () => (await env.PAGES.list({ prefix: `ui/${shop.store}/explorer/fr/` })).objects.length > 0);
    const reads: string[] = [];
    const counted = <T extends object>(target: T, name: string): T =>
      new Proxy(target, {
        get(t, prop) {
          const value: unknown = Reflect.get(t, prop);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            if (["get", "getWithMetadata", "head", "list", "prepare"].includes(String(prop))) reads.push(`${name} ${String(prop)} ${String(args[0]).slice(0, 60)}`);
            return (value as (...a: unknown[]) => unknown).apply(t, args);
          };
        },
      });
    const memoEnv = { ...env, SNAPSHOT_TTL_SECONDS: "60", CACHE: counted(env.CACHE, "kv"), PAGES: counted(env.PAGES, "r2"), DB: counted(env.DB, "d1") } as Env;
    const serve = () => servePersonaPage(memoEnv, createExecutionContext(), { store: shop.store, shopperId: "m", signals: { override: "explorer" }, baseUrl: "", allowOverride: true, locale: french });
    const first = await serve();
    await htmlOf(first);
    reads.length = 0;
    const hit = serve();
    expect(hit).toBeInstanceOf(Response);
    const res = hit as Response;
    expect(res.headers.get("Wand-Cache")).toBe("memory");
    expect(res.headers.get("Content-Language")).toBe("fr");
    const cards = cardsOf(await htmlOf(res));
    expect(cards.length).toBeGreaterThan(0);
    for (const c of cards) expect(c.price).toBe(fakeContextualPrice(shop.token, indexOf(c.handle), 0, FRANCE)!.price);
    expect(reads).toEqual([]);
  });

  it("a card the market's facts lack shows the shop's own price, labelled, and makes the sync read the facts again", { timeout: 60_000 }, async () => {
    const shop = await syncedShop("lacking", MARKETS);
    const selection = await readSelection(env, shop.store, "explorer");
    const facts = (await readMarketFacts(env, shop.store, "FR"))!;
    const gone = selection.products[0]!;
    const { [gone.handle]: _dropped, ...rest } = facts.prices;
    await writeMarketFacts(env, { ...facts, prices: rest });
    // Read two minutes ago: within the TTL, so only the lack makes it read again.
    await runInDurableObject(shop.sync, (_instance, state) => {
      const markets = new MarketsStateStore(state.storage.sql);
      markets.update({ doneAt: { ...markets.read().doneAt, prices: Date.now() - 120_000 } });
    });
    forgetMarketsAsks();
    const html = await htmlOf(await page(`/s/${shop.store}?shopper=lack&persona=explorer&country=FR&language=fr`));
    const card = cardsOf(html).find((c) => c.handle === gone.handle)!;
    // Never a number converted here: the shop's price, in the shop's currency, in the French format.
    expect(card.shown).toBe(formatMoney(gone.price, "USD", "fr-FR"));
    const refreshed = await eventually(async () => {
      const f = await readMarketFacts(env, shop.store, "FR");
      return f?.prices[gone.handle] && f;
    });
    expect(refreshed.prices[gone.handle]?.price).toBe(fakeContextualPrice(shop.token, indexOf(gone.handle), 0, FRANCE)!.price);
  });

  it("reads context bounded and validated; unknown values fall back to the primary market and language", { timeout: 60_000 }, async () => {
    const shop = await syncedShop("context", MARKETS);
    const direct = (q: string) => page(`/s/${shop.store}?shopper=ctx${q}`);

    const french = await direct("&country=fr&language=FR");
    expect(french.status).toBe(200);
    expect(french.headers.get("Content-Language")).toBe("fr");
    expect(cardsOf(await htmlOf(french))[0]!.shown).toContain("€");

    // Well-formed but not the shop's: the primary market and language, not an error.
    const unknown = await direct("&country=ZZ&language=xx");
    expect(unknown.status).toBe(200);
    expect(unknown.headers.get("Content-Language")).toBe("en");
    expect(cardsOf(await htmlOf(unknown))[0]!.shown).toContain("$");

    for (const [q, reason] of [
      ["&country=FRA", /country/],
      [`&language=${"a".repeat(40)}`, /language/],
      ["&language=fr<script>", /language/],
      ["&country=FR&country=DE", /given more than once/],
    ] as const) {
      const res = await direct(q);
      expect(res.status, q).toBe(400);
      expect(await htmlOf(res), q).toMatch(reason);
    }

    // The proxy's values are Shopify's: signed. A changed country is a changed request.
    expect((await SELF.fetch(await signed(shop.shopDomain, { country: "US", wand_sid: "x" }, { country: "FR" }))).status).toBe(401);
    // The market's currency wins over a stated one; a locale prefix of no published language is ignored.
    const odd = await SELF.fetch(await signed(shop.shopDomain, { country: "FR", currency: "USD", language: "fr", root_url: "/xx", wand_sid: "x" }));
    const oddCards = cardsOf(await htmlOf(odd));
    expect(oddCards[0]!.shown).toContain("€");
    expect(oddCards[0]!.href).toBe(`/products/${oddCards[0]!.handle}`);
    const long = await SELF.fetch(await signed(shop.shopDomain, { country: "F".repeat(100), language: "fr", wand_sid: "x" }));
    expect(long.status).toBe(200);
    expect(long.headers.get("Content-Language")).toBe("en");
  });

  it("1,000 shoppers over 4 personas × 3 languages from random countries make at most 12 page keys and LLM calls", { timeout: 120_000 }, async () => {
    const store = uniqueStore("languages");
    await seedStore(store);
    const markets: ShopMarkets = {
      primary: { country: "US", language: "en", currency: "USD" },
      markets: [
        { handle: "us", countries: ["US"], currency: "USD", languages: ["en"] },
        { handle: "europe", countries: ["FR", "BE", "DE", "AT"], currency: "EUR", languages: ["fr", "de", "en"] },
        { handle: "canada", countries: ["CA"], currency: "CAD", languages: ["en", "fr"] },
      ],
      languages: ["en", "fr", "de"],
    };
    await writeShopMarkets(env, store, markets, "seed", Date.now());
    const countries = ["US", "FR", "BE", "DE", "AT", "CA", "JP", "ZZ", "GB"];
    const languages = ["en", "fr", "de"];
    let seed = 17;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const expected = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const persona: Persona = PERSONAS[i % 4]!;
      const language = languages[Math.floor(i / 4) % 3]!;
      const country = countries[random(countries.length)]!;
      const res = await page(`/s/${store}?shopper=s${i}&persona=${persona}&language=${language}&country=${country}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Language")).toBe(resolveShopperLocale({ country, language }, markets).pageLanguage);
      await res.body?.cancel();
      expected.add(`${persona}/${resolveShopperLocale({ country, language }, markets).pageLanguage}`);
    }
    const stored = await eventually(async () => {
      const keys = (await env.PAGES.list({ prefix: `ui/${store}/` })).objects.map((o) => o.key);
      return keys.length >= expected.size && keys;
    });
    // English pages keep the keys they had before languages (no segment); every other language has its own.
    expect(new Set(stored.map((k) => `${parseCacheKey(k)!.persona}/${parseCacheKey(k)!.language ?? "en"}`))).toEqual(expected);
    const stats = await generator(store).stats();
    expect(stats.calls).toBe(expected.size);
    expect(new Set(stats.jobs.map((j) => j.key)).size).toBe(expected.size);
  });

  it("previews by market and language, and reports pages per language", { timeout: 60_000 }, async () => {
    const shop = await syncedShop("preview", MARKETS);
    const preview = await api().preview(shop.store, "explorer", {}, { country: "FR", language: "fr" });
    expect(preview.locale).toMatchObject({ country: "FR", market: "france", currency: "EUR", pageLanguage: "fr" });
    expect(preview.html).toContain(fr.addToCart);
    expect(cardsOf(preview.html)[0]!.shown).toContain("€");
    const unknown = await api().preview(shop.store, "explorer", {}, { country: "JP" });
    expect(unknown.locale).toMatchObject({ country: "US", pageLanguage: "en" });
    expect(unknown.locale.reasons.join(" ")).toMatch(/JP/);

    await eventually(async () => (await env.PAGES.list({ prefix: `ui/${shop.store}/explorer/fr/` })).objects.length > 0);
    const state = (await api().cacheState(shop.store)).find((s) => s.persona === "explorer")!;
    expect(state.languages.map((l) => l.language)).toEqual(["en", "fr"]);
    expect(state.languages.find((l) => l.language === "fr")).toMatchObject({ state: "fresh" });
    expect(state.languages[0]).toMatchObject({ language: "en", state: state.state, generatedAt: state.generatedAt });

    // The cache CLI's listing (ops API) counts the French page as current, not as a stale leftover.
    const ctx = createExecutionContext();
    const listing = await handleOps(new Request(`https://edge.example/ops/stores/${shop.store}/pages`, { headers: { Authorization: "Bearer ops-markets-token" } }), { ...env, OPS_TOKEN: "ops-markets-token" } as Env, ctx);
    await waitOnExecutionContext(ctx);
    const pages = ((await listing.json()) as { pages: { key: string; current: boolean }[] }).pages;
    const french = pages.find((p) => p.key.includes("/explorer/fr/"));
    expect(french).toMatchObject({ current: true });
  });

  it("forgets a shopper's own pages in every language", { timeout: 60_000 }, async () => {
    const shop = await syncedShop("forget", MARKETS);
    await env.DB.prepare("UPDATE ShopSettings SET scope = 'shopper', settingsVersion = settingsVersion + 1 WHERE store = ?").bind(shop.store).run();
    await api().refreshSnapshot(shop.store);
    for (const q of ["", "&country=FR&language=fr"]) await htmlOf(await page(`/s/${shop.store}?shopper=gone-shopper${q}`));
    await eventually(async () => (await env.PAGES.list({ prefix: `ui/${shop.store}/` })).objects.length >= 2);
    const keys = (await env.PAGES.list({ prefix: `ui/${shop.store}/` })).objects.map((o) => o.key);
    expect(keys.some((k) => k.includes("/fr/s-"))).toBe(true);
    await api().forgetShopper(shop.store, "gone-shopper");
    expect((await env.PAGES.list({ prefix: `ui/${shop.store}/` })).objects).toEqual([]);
    expect((await env.CACHE.list({ prefix: `ui/${shop.store}/` })).keys).toEqual([]);
  });
});
