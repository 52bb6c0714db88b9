/**
 * Markets at the edge (issue 13, ADR 0005), on the production-runtime harness (bench/edge-runtime.ts:
 * the edge bundle on plain `workerd serve`). Shops of the fake Admin API
 * (edge-worker/test/fake-admin-api.ts) with three markets — US (USD, en, primary), France (EUR, fr)
 * and Germany (EUR, de), converted and fixed price-list prices, some translations — get their catalog
 * the way an installed shop does (EdgeApi.startCatalogSync → the CatalogSync Durable Object, whose
 * alarm then reads the markets, the selections' market prices and translations). Three rows
 * (bench/markets-report.ts):
 * 1. llm-calls — 1,000 shoppers of random persona, language and country (unknown and junk ones
 *    too) on the direct route; once the pool is idle, the stand-in generator's calls and page keys;
 * 2. price-lookups — the contextualPricing requests the fake received per market and the variant
 *    ids each asked for, at two catalog sizes, and the fake's requests during the 1,000 page views;
 * 3. hits — memory hits of the same persona page for a primary-market and a French shopper,
 *    alternating rounds on the same workerd.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { PersonaCacheState } from "../core/edge-api.ts";
import { resolveShopperLocale, type ShopMarkets } from "../core/locale.ts";
import { defaultSettings } from "../core/settings.ts";
import { marketFactsKey, translationsKey } from "../core/storage-keys.ts";
import { PERSONAS } from "../core/types.ts";
import { startFakeAdminApi, type FakeAdminApi } from "../edge-worker/test/fake-admin-api.ts";
import { fakeAdminShop, type FakeMarket, type FakeMarketsConfig, type FakeRequestLog } from "../edge-worker/test/fake-admin-control.ts";
import { fakeContextualPrice } from "../edge-worker/test/fake-catalog.ts";
import type { FakeStoreStats } from "../edge-worker/test/fake-generator-api.ts";
import { startFakeGenerator, type FakeGenerator } from "../edge-worker/test/fake-generator.ts";
import { runCatalogSync } from "./catalog-sync-run.ts";
import { describeProfile, profileLoad } from "./cpu-profile.ts";
import { median, roundOrder } from "./edge-harness.ts";
import { rotatingScript, runWrk, runWrkWithCpu, type CpuLoadFigures } from "./edge-load.ts";
import { get, pageSource, waitForCached } from "./edge-requests.ts";
import { bundleEdge, startEdgeRuntime, type EdgeRuntime } from "./edge-runtime.ts";
import { seedInstalledShop, storedSelection } from "./edge-stores.ts";
import { ensureTools } from "./ensure-tools.ts";
import { marketsResults, TARGETS, type MarketsFigures } from "./markets-report.ts";
import { cpuSeconds } from "./process-usage.ts";
import type { BenchResult } from "./types.ts";

const SIZES = (process.env.BENCH_MARKETS_SIZES ?? "1000,20000").split(",").map(Number);
const ROUNDS = Number(process.env.BENCH_MARKETS_ROUNDS ?? process.env.BENCH_EDGE_ROUNDS ?? 7);
const SECONDS = Number(process.env.BENCH_EDGE_SECONDS ?? 4);
const SHOPPERS = 1000;
const IN_FLIGHT = 16;
const SNAPSHOT_TTL_SECONDS = 2;
const PORTS = { edge: 18240, control: 18241, inspector: 18242, admin: 18243, generator: 18244 };
const LANGUAGES = ["en", "fr", "de"];
/** The shop's market countries, countries of no market, and junk (case, length, digits, empty). */
const COUNTRIES = ["US", "FR", "MC", "BE", "DE", "AT", "JP", "ZZ", "GB", "CA", "fr", "De", "FRA", "1A", "", "Q"];

const storeOf = (n: number) => `markets-${n}`;
const domainOf = (n: number) => `${storeOf(n)}.myshopify.com`;
const tokenOf = (n: number) => `shpat_markets_${n}`;
const seedOf = (n: number) => `wand-markets-${n}`;

/** Fixed price-list prices for every 40th product (of the first thousand), as merchants set a few. */
const fixedPrices = (base: number) => Object.fromEntries(Array.from({ length: 25 }, (_, k) => [k * 40, { price: `${base + k}.00`, compareAtPrice: null }]));
const FRANCE: FakeMarket = { handle: "france", countries: ["FR", "MC", "BE"], currency: "EUR", locales: ["fr", "en"], rate: 0.92, fixed: fixedPrices(30) };
const GERMANY: FakeMarket = { handle: "germany", countries: ["DE", "AT"], currency: "EUR", locales: ["de", "en"], rate: 0.95, fixed: fixedPrices(35) };
const translated = (word: string) => Object.fromEntries(Array.from({ length: 200 }, (_, k) => [k * 5, { title: `${word} ${k * 5}` }]));
const MARKETS: FakeMarketsConfig = {
  backupCountry: "US",
  locales: [{ locale: "en", primary: true }, { locale: "fr" }, { locale: "de" }],
  markets: [{ handle: "us", countries: ["US"], currency: "USD", locales: ["en"] }, FRANCE, GERMANY],
  translations: { fr: translated("Article"), de: translated("Artikel") },
};
const MARKET_OF: Record<string, FakeMarket> = { FR: FRANCE, DE: GERMANY };
const HIT_CONFIGS = ["primary", "french", "primaryExplicit", "euroEnglish"] as const;
type HitConfig = (typeof HIT_CONFIGS)[number];

/** A reproducible random sequence (the same shoppers every run). */
function randomSource(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
}

const seedShop = (runtime: EdgeRuntime, n: number): Promise<void> =>
  seedInstalledShop(runtime.control, defaultSettings({ store: storeOf(n), shopName: `Markets ${n}`, shopDomain: domainOf(n) }), {
    token: tokenOf(n),
    scope: "read_products,read_markets,read_locales,read_translations",
  });

const priceRequests = (log: FakeRequestLog[]) => log.filter((r) => r.operation === "WandMarketPrices" && r.status === 200 && !r.throttled);

/** Until the markets step has read Shopify's markets, both markets' prices and both languages' translations, and asks nothing more for 2 s. */
async function marketsSettled(runtime: EdgeRuntime, admin: FakeAdminApi, n: number, timeoutMs = 120_000): Promise<FakeRequestLog[]> {
  const store = storeOf(n);
  const started = Date.now();
  let last = -1;
  let quietSince = Date.now();
  for (;;) {
    if (Date.now() - started > timeoutMs) throw new Error(`${store}: markets not settled in ${timeoutMs} ms`);
    const markets = await runtime.control.rpc<ShopMarkets>("shopMarkets", store);
    const stored = await Promise.all([marketFactsKey(store, "FR"), marketFactsKey(store, "DE"), translationsKey(store, "fr"), translationsKey(store, "de")].map((k) => runtime.control.kvGet(k)));
    const log = (await fakeAdminShop(admin.origin, tokenOf(n)).stats()).requests;
    if (log.length !== last) {
      last = log.length;
      quietSince = Date.now();
    }
    if (markets.languages.length === 3 && stored.every((s) => s.value !== null) && Date.now() - quietSince >= 2000) return log;
    await sleep(200);
  }
}

/** Until no job is pending, every (persona, language) page is fresh and the generator's calls stay unchanged for 2 s. */
async function poolIdle(runtime: EdgeRuntime, generator: FakeGenerator, store: string, timeoutMs = 120_000): Promise<FakeStoreStats> {
  const started = Date.now();
  let calls = -1;
  let quietSince = Date.now();
  for (;;) {
    if (Date.now() - started > timeoutMs) throw new Error(`${store}: the pool was not idle after ${timeoutMs} ms`);
    const stats = (await (await fetch(`${generator.url}/__stats?store=${store}`)).json()) as FakeStoreStats;
    if (stats.calls !== calls) {
      calls = stats.calls;
      quietSince = Date.now();
    }
    const state = await runtime.control.rpc<PersonaCacheState[]>("cacheState", store);
    const done = state.every((p) => !p.queued && p.languages.every((l) => l.state === "fresh"));
    if (done && stats.inProgress === 0 && Date.now() - quietSince >= 2000) return stats;
    await sleep(250);
  }
}

/** The product cards of a page: handle and the price's machine value. */
const cardsOf = (html: string): { handle: string; price: string }[] =>
  [...html.matchAll(/<article class="card" data-wand-product="([^"]+)">([\s\S]*?)<\/article>/g)].map(([, handle, body]) => ({ handle: handle!, price: /<data class="price" value="([^"]+)">/.exec(body!)?.[1] ?? "" }));

/**
 * The shoppers, 16 in flight. A well-formed country or language is never refused (unknown ones get
 * the primary market), and each page's Content-Language must be the one core/locale.ts resolves for
 * the shop's markets; only a malformed value may be answered 400.
 */
async function shoppers(edgeUrl: string, store: string, markets: ShopMarkets, figures: MarketsFigures): Promise<Set<string>> {
  const random = randomSource(13);
  const plan = Array.from({ length: SHOPPERS }, (_, i) => ({ i, persona: PERSONAS[random(PERSONAS.length)]!, language: LANGUAGES[random(LANGUAGES.length)]!, country: COUNTRIES[random(COUNTRIES.length)]! }));
  const served = new Set<string>();
  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const s = plan[next++]!;
      const r = await fetch(`${edgeUrl}/s/${store}?shopper=shopper-${s.i}&persona=${s.persona}&language=${s.language}&country=${encodeURIComponent(s.country)}`);
      await r.arrayBuffer();
      figures.statuses[String(r.status)] = (figures.statuses[String(r.status)] ?? 0) + 1;
      if (r.status === 200) {
        const language = r.headers.get("Content-Language") ?? "?";
        served.add(`${s.persona}/${language}`);
        if (language !== resolveShopperLocale({ country: s.country, language: s.language }, markets).pageLanguage) figures.languageMismatches = (figures.languageMismatches ?? 0) + 1;
      } else if (r.status !== 400 || /^[A-Za-z]{2}$/.test(s.country)) throw new Error(`shopper ${s.i} (country ${JSON.stringify(s.country)}, ${s.language}): HTTP ${r.status}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return served;
}

export async function run(): Promise<BenchResult[]> {
  await ensureTools();
  const dir = await mkdtemp(join(tmpdir(), "wand-markets-"));
  const figures: MarketsFigures = { shoppers: SHOPPERS, statuses: {}, prices: new Map(), sizes: SIZES, rounds: ROUNDS, seconds: SECONDS, errors: {} };
  let admin: FakeAdminApi | null = null;
  let generator: FakeGenerator | null = null;
  let runtime: EdgeRuntime | null = null;
  try {
    const bundleDir = await bundleEdge(join(dir, "bundle"));
    admin = await startFakeAdminApi({ port: PORTS.admin });
    for (const n of SIZES) await fakeAdminShop(admin.origin, tokenOf(n)).configure({ products: n, seed: seedOf(n), currency: "USD", bulkDelayMs: 300, markets: MARKETS });
    generator = await startFakeGenerator({ port: PORTS.generator });
    const vars = { POOL_SIZE: "10", GENERATOR_URL: generator.url, GENERATOR_TIMEOUT_MS: "3600000", SNAPSHOT_TTL_SECONDS: String(SNAPSHOT_TTL_SECONDS), SHOPIFY_ADMIN_API_ORIGIN: admin.origin };
    runtime = await startEdgeRuntime({ dir: join(dir, "edge"), stateDir: join(dir, "state"), bundleDir, edgePort: PORTS.edge, controlPort: PORTS.control, vars, inspectorPort: PORTS.inspector });
    await runtime.control.migrate();

    // ── install sync and markets step of each shop; the price look-ups it made ──
    for (const n of SIZES) {
      try {
        await seedShop(runtime, n);
        const sync = await runCatalogSync({ runtime, inspectorPort: PORTS.inspector, adminOrigin: admin.origin, store: storeOf(n), shopDomain: domainOf(n), token: tokenOf(n), timeoutMs: 600_000 });
        if (sync.state.state !== "ok" || sync.state.liveProducts !== n) throw new Error(`sync ended ${sync.state.state} with ${sync.state.liveProducts} live products: ${sync.state.error ?? ""}`);
        const log = await marketsSettled(runtime, admin, n);
        const prices = priceRequests(log);
        const shown = new Set<string>();
        for (const persona of PERSONAS) for (const p of (await storedSelection(runtime.control, storeOf(n), persona)).products) shown.add(p.handle);
        const countries = [...new Set(prices.map((r) => String(r.variables.country)))];
        figures.prices.set(n, { requests: prices.length, markets: countries.length, maxIds: Math.max(0, ...prices.map((r) => (Array.isArray(r.variables.ids) ? r.variables.ids.length : 0))), shown: shown.size });
        console.log(`  markets sync N=${n}: ${sync.seconds.toFixed(1)} s; ${prices.length} contextualPricing requests (${countries.join(", ")}), ≤ ${figures.prices.get(n)!.maxIds} variant ids each, ${shown.size} products shown`);
      } catch (error) {
        figures.errors.prices = `${figures.errors.prices ? `${figures.errors.prices}; ` : ""}N=${n}: ${error instanceof Error ? error.message : String(error)}\n${runtime.output().slice(-1000)}`;
      }
    }
    const n = SIZES[0]!;
    if (!figures.prices.has(n)) throw new Error(`the ${n}-product shop did not sync`);
    const store = storeOf(n);
    const edgeUrl = runtime.edgeUrl;

    // ── 1,000 shoppers; then the pool's LLM calls and the fake Admin API's requests meanwhile ──
    try {
      const before = (await fakeAdminShop(admin.origin, tokenOf(n)).stats()).requests.length;
      figures.languageMismatches = 0;
      const served = await shoppers(edgeUrl, store, await runtime.control.rpc<ShopMarkets>("shopMarkets", store), figures);
      const stats = await poolIdle(runtime, generator, store);
      const during = (await fakeAdminShop(admin.origin, tokenOf(n)).stats()).requests.slice(before);
      Object.assign(figures, { llmCalls: stats.calls, pageKeys: new Set(stats.jobs.map((j) => j.key)).size, servedPairs: served.size, adminRequestsDuringViews: during.length, priceLookupsDuringViews: priceRequests(during).length });
      console.log(`  markets shoppers: ${JSON.stringify(figures.statuses)}; ${stats.calls} LLM calls, ${figures.pageKeys} page keys, ${during.length} Admin API requests meanwhile`);
      // Every card a French or German shopper sees carries Shopify's price for that market.
      let checked = 0;
      let mismatches = 0;
      for (const country of Object.keys(MARKET_OF)) {
        for (const persona of PERSONAS) {
          const page = await get(`${edgeUrl}/s/${store}?shopper=check&persona=${persona}&country=${country}&language=en`);
          for (const c of cardsOf(page.body)) {
            const i = Number(/^p-(\d+)$/.exec(c.handle)?.[1] ?? Number.NaN);
            checked++;
            if (c.price !== fakeContextualPrice(seedOf(n), i, 0, MARKET_OF[country]!)?.price) mismatches++;
          }
        }
      }
      Object.assign(figures, { cardsChecked: checked, cardMismatches: mismatches });
      if (checked === 0) throw new Error("no product card to check on the market pages");
    } catch (error) {
      figures.errors.calls = error instanceof Error ? error.message : String(error);
    }

    // ── memory hits: primary-market vs French shopper, alternating rounds ──
    try {
      // Diagnostics: "primaryExplicit" (the primary market asked for by name) tells the parameters' cost
      // from the market's, "euroEnglish" (France's euro prices on the English page) the prices' from the language's.
      const paths: Record<HitConfig, string> = {
        primary: `/s/${store}?persona=explorer&shopper=`,
        french: `/s/${store}?persona=explorer&country=FR&language=fr&shopper=`,
        primaryExplicit: `/s/${store}?persona=explorer&country=US&language=en&shopper=`,
        euroEnglish: `/s/${store}?persona=explorer&country=FR&language=en&shopper=`,
      };
      const runs: Record<HitConfig, CpuLoadFigures[]> = { primary: [], french: [], primaryExplicit: [], euroEnglish: [] };
      const scripts = {} as Record<HitConfig, string>;
      for (const who of HIT_CONFIGS) {
        const page = await waitForCached(`${edgeUrl}${paths[who]}warm`);
        if (pageSource(page.body) !== "llm") throw new Error(`${who}: the explorer page is not the AI page (${pageSource(page.body)})`);
        const hit = await get(`${edgeUrl}${paths[who]}warm2`);
        if (hit.cache !== "memory") throw new Error(`${who}: a repeated view was a ${hit.cache} hit, not memory`);
        scripts[who] = await rotatingScript(dir, `markets-${who}`, `${paths[who]}m`, 1_000_000);
      }
      for (let round = 0; round < ROUNDS; round++) {
        for (const who of roundOrder(HIT_CONFIGS, round)) {
          await runWrk(edgeUrl, 1, scripts[who]);
          const f = await runWrkWithCpu(edgeUrl, SECONDS, scripts[who], () => cpuSeconds(runtime!.pid));
          if (f.errors > 0) throw new Error(`${who}: ${f.errors} failed requests`);
          runs[who].push(f);
          console.log(`  markets hits round ${round + 1}/${ROUNDS} ${who}: ${f.rps.toFixed(0)} req/s, p99 ${f.p99Ms.toFixed(2)} ms, ${f.cpuUsPerRequest.toFixed(1)} µs CPU/req`);
        }
      }
      const { primary, french, primaryExplicit, euroEnglish } = runs;
      figures.hits = {
        ratio: median(french.map((f, k) => f.rps / primary[k]!.rps)),
        explicitRatio: median(primaryExplicit.map((f, k) => f.rps / primary[k]!.rps)),
        primaryRps: median(primary.map((f) => f.rps)),
        frenchRps: median(french.map((f) => f.rps)),
        primaryP99Ms: median(primary.map((f) => f.p99Ms)),
        frenchP99Ms: median(french.map((f) => f.p99Ms)),
        primaryCpuUs: median(primary.map((f) => f.cpuUsPerRequest)),
        frenchCpuUs: median(french.map((f) => f.cpuUsPerRequest)),
        explicitCpuUs: median(primaryExplicit.map((f) => f.cpuUsPerRequest)),
        euroEnglishRatio: median(euroEnglish.map((f, k) => f.rps / primary[k]!.rps)),
        euroEnglishCpuUs: median(euroEnglish.map((f) => f.cpuUsPerRequest)),
      };
      // Under the target: where the French hit's time goes, beside the primary one's.
      if (figures.hits.ratio < TARGETS.hitRatio) {
        const profile = (who: HitConfig) =>
          profileLoad({ inspectorPort: PORTS.inspector, service: "edge", mapFile: join(bundleDir, "index.js.map"), url: edgeUrl, warmUrl: `${edgeUrl}${paths[who]}warm`, script: scripts[who], seconds: 3, name: `markets-${who}-hits` });
        const french = await profile("french");
        const primary = await profile("primary");
        figures.profiles = { french: describeProfile(french, 8), primary: describeProfile(primary, 8) };
        console.log(`  french profile (${french.file}): ${figures.profiles.french}\n  primary profile (${primary.file}): ${figures.profiles.primary}`);
      }
    } catch (error) {
      figures.errors.hits = error instanceof Error ? error.message : String(error);
    }
  } catch (error) {
    figures.errors.setup = `${error instanceof Error ? error.message : String(error)}${runtime ? `\n${runtime.output().slice(-2000)}` : ""}`;
  } finally {
    await runtime?.stop();
    await generator?.close();
    await admin?.close();
    await rm(dir, { recursive: true, force: true });
  }
  return marketsResults(figures);
}
