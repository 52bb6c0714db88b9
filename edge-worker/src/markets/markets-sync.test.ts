import { createExecutionContext, env, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cacheKey, cacheVariant } from "../../../core/cache-key.ts";
import { singleMarketShop } from "../../../core/locale.ts";
import { htmlToText } from "../../../core/html-text.ts";
import { PROMPT_VERSION } from "../../../core/prompt-version.ts";
import type { GenerationJob } from "../../../core/types.ts";
import type { FakeMarket } from "../../test/fake-admin-control.ts";
import { hurryToEnd, testShop } from "../../test/catalog-helpers.ts";
import { FRANCE, MARKETS, N, indexOf, marketsSettled, selectedProducts, syncedShop } from "../../test/markets-helpers.ts";
import { fakeContextualPrice, fakeRestPayload } from "../../test/fake-catalog.ts";
import { eventually, generator, seedStore, uniqueStore } from "../../test/helpers.ts";
import { readSelection } from "../catalog/selection-store.ts";
import { EdgeApi } from "../edge-api.ts";
import { poolMemberFor } from "../pool-routing.ts";
import { loadMarketFacts, readMarketFacts, writeMarketFacts } from "./market-facts-store.ts";
import { forgetMarketsAsks } from "./markets-refresh.ts";
import { MarketsStateStore } from "./markets-state.ts";
import { loadShopMarkets, readShopMarkets, writeShopMarkets } from "./markets-store.ts";
import { selectionInLanguage } from "./selection-language.ts";
import { loadTranslations } from "./translations-store.ts";

/**
 * The markets step of the catalog sync against the fake Admin API (test/markets-helpers.ts): a shop
 * selling in the US (USD, English) and in France and Monaco (EUR, French).
 */
const api = () => new EdgeApi(createExecutionContext(), env);

describe("markets sync", () => {
  it("stores the shop's markets and languages from Shopify, after the catalog", { timeout: 60_000 }, async () => {
    const shop = await syncedShop("markets", MARKETS);
    const expected = {
      primary: { country: "US", language: "en", currency: "USD" },
      markets: [
        { handle: "us", countries: ["US"], currency: "USD", languages: ["en"] },
        { handle: "france", countries: ["FR", "MC"], currency: "EUR", languages: ["fr", "en"] },
      ],
      languages: ["en", "fr"],
    };
    expect(await api().shopMarkets(shop.store)).toEqual(expected);
    const row = await env.DB.prepare("SELECT markets, source FROM ShopMarkets WHERE store = ?").bind(shop.store).first<{ markets: string; source: string }>();
    expect(row && { markets: JSON.parse(row.markets) as unknown, source: row.source }).toEqual({ markets: expected, source: "shopify" });
    // The KV snapshot gone, the edge reads D1 (and writes the snapshot back).
    await env.CACHE.delete(`markets/${shop.store}`);
    expect((await readShopMarkets(env, shop.store)).markets).toEqual(expected);
    expect(await env.CACHE.get(`markets/${shop.store}`, "json")).toMatchObject({ markets: expected });
  });

  it("stores each selected product's price in France as Shopify's contextual price, converted or fixed, with one request per market", { timeout: 60_000 }, async () => {
    const shop = await syncedShop("prices", MARKETS);
    const selected = await selectedProducts(shop.store);
    const facts = await loadMarketFacts(env, shop.store, "FR", null);
    expect(facts).toMatchObject({ store: shop.store, country: "FR", currency: "EUR" });
    let fixed = 0;
    for (const p of selected) {
      const i = indexOf(p.handle);
      const shopify = fakeContextualPrice(shop.token, i, 0, FRANCE)!;
      expect(facts!.prices[p.handle], p.handle).toEqual({ variantId: p.firstVariantId, price: shopify.price, compareAtPrice: shopify.compareAtPrice, currency: "EUR" });
      if (FRANCE.fixed![i]) fixed++;
    }
    // Both kinds of price were checked.
    expect(fixed).toBeGreaterThan(0);
    expect(fixed).toBeLessThan(selected.length);
    expect(Object.keys(facts!.prices).sort()).toEqual(selected.map((p) => p.handle).sort());
    // Monaco is in the same market: the same prices. The primary market and a country of no market: the shop's own.
    expect(await loadMarketFacts(env, shop.store, "MC", null)).toEqual(facts);
    expect(await loadMarketFacts(env, shop.store, "US", null)).toBeNull();
    expect(await loadMarketFacts(env, shop.store, "JP", null)).toBeNull();

    // What it cost Shopify: one markets read, one price request for the one priced market, asking
    // for the selected products' first variants only; one translations request (French; German is unpublished).
    const requests = (await shop.admin.stats()).requests;
    const prices = requests.filter((r) => r.operation === "WandMarketPrices");
    expect(prices).toHaveLength(1);
    expect(prices[0]!.variables).toMatchObject({ country: "FR" });
    expect((prices[0]!.variables.ids as string[]).sort()).toEqual(selected.map((p) => `gid://shopify/ProductVariant/${p.firstVariantId}`).sort());
    expect(selected.length).toBeLessThanOrEqual(96);
    expect(requests.filter((r) => r.operation === "WandShopMarkets")).toHaveLength(1);
    expect(requests.filter((r) => r.operation === "WandTranslations").map((r) => r.variables.locale)).toEqual(["fr"]);
    expect((await shop.sync.marketsState()).requests).toEqual({ markets: 1, prices: 1, translations: 1 });
  });

  it("stores the merchant's French translations of the selected products; the pool's French job carries them, base text where there are none", { timeout: 60_000 }, async () => {
    const shop = await syncedShop("translations", MARKETS);
    const selected = await selectedProducts(shop.store);
    const fr = await loadTranslations(env, shop.store, "fr", null);
    expect(await loadTranslations(env, shop.store, "en", null)).toBeNull();
    for (const p of selected) {
      const i = indexOf(p.handle);
      const t = MARKETS.translations!.fr![i];
      expect(fr!.products[p.handle], p.handle).toEqual(t ? { title: t.title, description: htmlToText(t.body_html!) } : undefined);
    }

    const persona = "explorer";
    const settings = (await env.DB.prepare("SELECT settingsVersion FROM ShopSettings WHERE store = ?").bind(shop.store).first<{ settingsVersion: number }>())!;
    const base = await readSelection(env, shop.store, persona);
    const translated = await selectionInLanguage(env, base, "fr", { fresh: true });
    expect(translated.merchVersion).not.toBe(base.merchVersion);
    const variant = cacheVariant({ merchVersion: translated.merchVersion, settingsVersion: settings.settingsVersion, promptVersion: PROMPT_VERSION });
    const job: GenerationJob = {
      key: cacheKey({ store: shop.store, persona, scope: "persona", variant, language: "fr" }),
      store: shop.store,
      persona,
      variant,
      merchVersion: translated.merchVersion,
      settingsVersion: settings.settingsVersion,
      promptVersion: PROMPT_VERSION,
      language: "fr",
      enqueuedAt: Date.now(),
      attempt: 0,
    };
    // A key must say the job's language.
    await runInDurableObject(poolMemberFor(env, job.key), async (member) => {
      await expect(member.enqueue({ ...job, language: "en" })).rejects.toThrow(/does not match/);
    });
    expect((await poolMemberFor(env, job.key).enqueue(job)).status).toBe("queued");
    const sent = await eventually(async () => (await generator(shop.store).stats()).jobs.find((j) => j.key === job.key));
    expect(sent.language).toBe("fr");
    expect(Object.keys(sent.titles).sort()).toEqual(base.products.map((p) => p.handle).sort());
    for (const p of base.products) {
      const t = MARKETS.translations!.fr![indexOf(p.handle)];
      expect(sent.titles[p.handle], p.handle).toBe(t?.title ?? p.title);
    }
    // Both were checked: translated and base titles.
    expect(base.products.some((p) => MARKETS.translations!.fr![indexOf(p.handle)])).toBe(true);
    expect(base.products.some((p) => !MARKETS.translations!.fr![indexOf(p.handle)])).toBe(true);
    await eventually(async () => (await env.PAGES.head(job.key)) !== null);
  });

  it("a product webhook refreshes the market's prices after the selection refresh", { timeout: 60_000 }, async () => {
    const shop = await syncedShop("webhook", MARKETS);
    const [product] = await selectedProducts(shop.store);
    const i = indexOf(product!.handle);
    const before = (await readMarketFacts(env, shop.store, "FR"))!;
    // The merchant sets a new fixed euro price in the price list and changes the base price.
    const changed: FakeMarket = { ...FRANCE, fixed: { ...FRANCE.fixed, [i]: { price: "77.70", compareAtPrice: "99.00" } } };
    await shop.admin.update({ markets: { ...MARKETS, markets: [MARKETS.markets[0]!, changed] } });
    const at = "2026-11-30T12:00:00.000Z";
    await shop.sync.productEvent({ eventId: `${shop.store}-1`, topic: "products/update", triggeredAt: at, payload: fakeRestPayload(shop.token, i, { updatedAt: at, price: "12.34" }) });
    const after = await eventually(async () => {
      const f = await readMarketFacts(env, shop.store, "FR");
      return f !== null && f.fetchedAt > before.fetchedAt ? f : undefined;
    });
    expect(after.prices[product!.handle]).toEqual({ variantId: product!.firstVariantId, price: "77.70", compareAtPrice: "99.00", currency: "EUR" });
  });

  it("facts older than their TTL are served while the CatalogSync object reads them again", { timeout: 60_000 }, async () => {
    const shop = await syncedShop("stale", MARKETS);
    const current = (await readMarketFacts(env, shop.store, "FR"))!;
    const old = { ...current, fetchedAt: 1_000, prices: { ...current.prices } };
    await writeMarketFacts(env, old);
    await runInDurableObject(shop.sync, (_instance, state) => {
      const markets = new MarketsStateStore(state.storage.sql);
      markets.update({ doneAt: { ...markets.read().doneAt, prices: 1_000 } });
    });
    forgetMarketsAsks();
    const ctx = createExecutionContext();
    // The request gets what is stored at once; the refresh is asked in its waitUntil.
    expect(await loadMarketFacts(env, shop.store, "FR", ctx)).toEqual(old);
    await waitOnExecutionContext(ctx);
    const fresh = await eventually(async () => {
      const f = await readMarketFacts(env, shop.store, "FR");
      return f !== null && f.fetchedAt > 1_000 ? f : undefined;
    });
    expect(fresh.prices).toEqual(current.prices);
    // Read recently: another stale-looking request asks nothing of Shopify.
    const before = (await shop.admin.stats()).requests.length;
    forgetMarketsAsks();
    expect(await shop.sync.refreshMarkets({ work: ["prices"], onlyIfStale: true })).toEqual({ owed: [] });
    expect((await shop.admin.stats()).requests.length).toBe(before);
  });

  it("seeded markets stay while a shop has no session, and give way to Shopify's at its full sync once it has one", { timeout: 60_000 }, async () => {
    const seeded = singleMarketShop({ country: "DE", language: "de", currency: "EUR" });
    const demo = uniqueStore("seeded-demo");
    await seedStore(demo);
    await writeShopMarkets(env, demo, seeded, "seed", Date.now());
    const demoSync = env.CATALOG_SYNC.getByName(demo);
    await demoSync.refreshMarkets({ work: ["markets", "prices"] });
    await eventually(async () => (await demoSync.marketsState()).due.length === 0);
    expect(await readShopMarkets(env, demo)).toMatchObject({ markets: seeded, source: "seed" });
    expect((await demoSync.marketsState()).lastError).toBeNull();

    const store = uniqueStore("seeded-installed");
    await seedStore(store, { products: [] });
    await writeShopMarkets(env, store, seeded, "seed", Date.now());
    const shop = await testShop(store, { products: N, currency: "USD", markets: MARKETS });
    await shop.sync.start({ shopDomain: shop.shopDomain, trigger: "install" });
    await hurryToEnd(shop);
    await marketsSettled(shop);
    expect(await readShopMarkets(env, store)).toMatchObject({ source: "shopify", markets: { primary: { country: "US", language: "en", currency: "USD" } } });
  });

  it("a shop with one market gets one market, no price or translation requests; a shop never synced gets its primary market", { timeout: 60_000 }, async () => {
    const shop = await syncedShop("single");
    expect(await api().shopMarkets(shop.store)).toEqual(singleMarketShop({ country: "US", language: "en", currency: "USD" }));
    expect((await shop.admin.stats()).requests.map((r) => r.operation).filter((o) => o === "WandMarketPrices" || o === "WandTranslations")).toEqual([]);

    const store = uniqueStore("unsynced");
    await seedStore(store);
    expect(await loadShopMarkets(env, store, null)).toEqual(singleMarketShop({ country: "US", language: "en", currency: "USD" }));
    expect(await loadMarketFacts(env, store, "FR", null)).toBeNull();
  });
});
