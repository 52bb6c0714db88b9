import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismaFor } from "../db.server";
import { createTestD1, type TestD1 } from "../test/d1";
import { createHarness, embeddedDocument, embeddedFetch, form, type Harness, installShop, thrownResponse } from "../test/harness";
import { loader as cacheStateLoader } from "./app.cache-state";
import { action, loader } from "./app.preview";

let d1: TestD1;
let h: Harness;

beforeAll(async () => {
  d1 = await createTestD1();
  h = createHarness(d1);
  await installShop(h, "preview-shop");
});
afterAll(async () => {
  await d1?.dispose();
});

describe("Preview", () => {
  it("renders the default persona's page and explains the detection for the sample shopper", async () => {
    const data = await loader({ request: await embeddedDocument("preview-shop", "/app/preview?utm_source=newsletter&visits=4&categories=Hats,%20Shirts&orders=3&spent=250&tags=vip"), context: h.context, params: {} });
    expect(data.persona).toBe("explorer");
    expect(data.preview?.html).toContain('data-wand-persona="explorer"');
    expect(data.preview?.decision).toMatchObject({ persona: "loyalist", reasons: ["utm_source=newsletter"] });
    expect(h.edge.callsOf("preview").at(-1)).toEqual([
      "preview-shop",
      "explorer",
      {
        utm: { source: "newsletter", medium: null, campaign: null },
        referrer: null,
        visitCount: 4,
        categoriesSeen: ["Hats", "Shirts"],
        customer: { ordersCount: 3, totalSpent: 250, tags: ["vip"] },
      },
      // No market or language chosen: the edge takes the shop's primary ones.
      { country: null, language: null },
    ]);
  });

  it("shows the persona asked for", async () => {
    const data = await loader({ request: await embeddedDocument("preview-shop", "/app/preview?persona=dealhunter"), context: h.context, params: {} });
    expect(data.persona).toBe("dealhunter");
    expect(data.preview?.html).toContain('data-wand-persona="dealhunter"');
  });

  it("points at the wrong sample-shopper fields instead of asking the edge", async () => {
    const calls = h.edge.callsOf("preview").length;
    const data = await loader({ request: await embeddedDocument("preview-shop", "/app/preview?visits=many&spent=-5"), context: h.context, params: {} });
    expect(Object.keys(data.signalErrors).sort()).toEqual(["spent", "visits"]);
    expect(data.preview).toBeNull();
    expect(h.edge.callsOf("preview").length).toBe(calls);
  });

  it("answers 400 to an unknown persona, without echoing it (error pages must not carry request markup)", async () => {
    const hostile = encodeURIComponent('<img src=x onerror="alert(1)">');
    const response = await thrownResponse(async () => loader({ request: await embeddedDocument("preview-shop", `/app/preview?persona=${hostile}`), context: h.context, params: {} }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { wandError: string };
    expect(body.wandError).toBe("Unknown persona: choose one of minimalist, explorer, dealhunter, loyalist.");
  });

  it("regenerates through the edge and the cache state shows the progress", async () => {
    const request = await embeddedFetch("preview-shop", "/app/preview", { method: "POST", body: form({ intent: "regenerate", persona: "minimalist" }) });
    const result = await action({ request, context: h.context, params: {} });
    expect(result).toEqual({ ok: true, result: { key: "ui/preview-shop/minimalist/v1", status: "queued" } });
    expect(h.edge.callsOf("regenerate")).toEqual([["preview-shop", "minimalist"]]);
    const poll = async () => (await cacheStateLoader({ request: await embeddedFetch("preview-shop", "/app/cache-state"), context: h.context, params: {} })).states?.find((s) => s.persona === "minimalist");
    expect(await poll()).toMatchObject({ queued: true });
    expect(await poll()).toMatchObject({ queued: false, state: "fresh", source: "llm" });
  });

  it("refuses to regenerate an unknown persona", async () => {
    const request = await embeddedFetch("preview-shop", "/app/preview", { method: "POST", body: form({ intent: "regenerate", persona: "../../other-shop" }) });
    expect((await thrownResponse(() => action({ request, context: h.context, params: {} }))).status).toBe(400);
  });
});

describe("Preview by market and language", () => {
  const TWO_MARKETS = {
    primary: { country: "US", language: "en", currency: "USD" },
    markets: [
      { handle: "us", countries: ["US"], currency: "USD", languages: ["en"] },
      { handle: "france", countries: ["FR"], currency: "EUR", languages: ["fr"] },
    ],
    languages: ["en", "fr"],
  };
  const open = async (query: string) => loader({ request: await embeddedDocument("market-shop", `/app/preview${query}`), context: h.context, params: {} });

  beforeAll(async () => {
    await installShop(h, "market-shop");
    h.edge.markets.set("market-shop", TWO_MARKETS);
  });

  it("offers the shop's market countries and published languages", async () => {
    const data = await open("");
    expect(data.countries.map((c) => [c.value, c.label])).toEqual([
      ["US", "United States · USD (market us)"],
      ["FR", "France · EUR (market france)"],
    ]);
    expect(data.languages.map((l) => l.value)).toEqual(["en", "fr"]);
    expect(data.preview?.locale).toMatchObject({ country: "US", currency: "USD", pageLanguage: "en", reasons: [] });
  });

  it("renders the French market's page and shows the locale resolved", async () => {
    const data = await open("?persona=minimalist&country=fr&language=fr");
    expect(h.edge.callsOf("preview").at(-1)).toEqual(["market-shop", "minimalist", expect.any(Object), { country: "FR", language: "fr" }]);
    expect(data.preview?.locale).toMatchObject({ country: "FR", market: "france", currency: "EUR", language: "fr", pageLanguage: "fr", formatLocale: "fr-FR", reasons: [] });
    expect(data.preview?.html).toContain('lang="fr"');
    // No French AI page yet: the preview says template, not the English page's state.
    expect(data.languagePage).toEqual({ language: "fr", state: "missing", generatedAt: null });
  });

  it("explains what the edge replaced: a country outside the markets, a language without pages", async () => {
    const outside = await open("?country=JP&language=fr");
    expect(outside.preview?.locale).toMatchObject({ country: "US", currency: "USD" });
    expect(outside.preview?.locale.reasons).toContain(`country "JP" is not in the shop's markets: US`);

    await prismaFor(h.env.DB).shopSettings.update({ where: { store: "market-shop" }, data: { generatedLanguages: '["en"]' } });
    try {
      const noPages = await open("?country=FR&language=fr");
      expect(noPages.preview?.locale).toMatchObject({ language: "fr", pageLanguage: "en" });
      expect(noPages.preview?.locale.reasons).toContain("no pages in fr: the shop's primary language en");
      expect(noPages.languagePage?.language).toBe("en");
    } finally {
      await prismaFor(h.env.DB).shopSettings.update({ where: { store: "market-shop" }, data: { generatedLanguages: "[]" } });
    }
  });

  it("shows the French page's own state once it is generated", async () => {
    h.edge.languagePages.set("market-shop/explorer/fr", { state: "fresh", generatedAt: "2026-12-01T09:00:00.000Z" });
    const data = await open("?country=FR&language=fr");
    expect(data.languagePage).toEqual({ language: "fr", state: "fresh", generatedAt: "2026-12-01T09:00:00.000Z" });
  });

  it("points at a malformed country or language instead of asking the edge", async () => {
    const calls = h.edge.callsOf("preview").length;
    const data = await open(`?country=${encodeURIComponent("<France>")}&language=${encodeURIComponent("fr_FR!")}`);
    expect(data.localeErrors).toEqual({ country: "a two-letter country code such as FR", language: "a language tag such as fr or pt-BR" });
    expect(data.preview).toBeNull();
    expect(h.edge.callsOf("preview").length).toBe(calls);
  });
});
