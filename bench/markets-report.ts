import type { BenchResult } from "./types.ts";

/**
 * bench/markets.ts's figures as result rows (`markets/<part>`), with the targets of issue 13's
 * "Done when". A part that measured nothing, or not everything, carries an error (the run fails)
 * next to the figures it did get: no figure is ever filled in.
 */
export interface PriceFigures {
  /** contextualPricing requests (WandMarketPrices) the fake Admin API received from install to settled. */
  requests: number;
  /** Markets priced (every market but the primary one). */
  markets: number;
  /** Largest number of variant ids one request asked for. */
  maxIds: number;
  /** Distinct products the four persona selections hold (what pages can show). */
  shown: number;
}

export interface MarketsFigures {
  shoppers: number;
  statuses: Record<string, number>;
  llmCalls?: number;
  pageKeys?: number;
  /** (persona, page language) pairs the shoppers' answers named (Content-Language). */
  servedPairs?: number;
  /** Pages whose Content-Language was not the one core/locale.ts resolves for the shopper's values. */
  languageMismatches?: number;
  /** Requests of any kind the fake Admin API received while the shoppers' views ran, until idle. */
  adminRequestsDuringViews?: number;
  priceLookupsDuringViews?: number;
  /** Cards checked against the fake's contextual price, and those that differed. */
  cardsChecked?: number;
  cardMismatches?: number;
  prices: Map<number, PriceFigures>;
  sizes: number[];
  hits?: { primaryRps: number; frenchRps: number; ratio: number; explicitRatio: number; primaryP99Ms: number; frenchP99Ms: number; primaryCpuUs: number; frenchCpuUs: number; explicitCpuUs: number; euroEnglishRatio: number; euroEnglishCpuUs: number };
  /** CPU profiles (describeProfile) of French and primary hits, taken when the French hits were under the target. */
  profiles?: { french: string; primary: string };
  rounds: number;
  seconds: number;
  errors: Partial<Record<"setup" | "calls" | "prices" | "hits", string>>;
}

export const TARGETS = { llmCalls: 12, hitRatio: 0.9, idsSpread: 1.1 };

const label = (n: number): string => (n >= 1000 ? `${n / 1000}k` : String(n));

function put(metrics: Record<string, number>, units: Record<string, string>, name: string, value: number | undefined, unit: string): void {
  if (value === undefined || !Number.isFinite(value)) return;
  metrics[name] = value;
  units[name] = unit;
}

function errorOf(f: MarketsFigures, key: keyof MarketsFigures["errors"]): { error?: string } {
  const reasons = [f.errors.setup, f.errors[key]].filter(Boolean);
  return reasons.length ? { error: `${key}: ${reasons.join("; ")}` } : {};
}

export function marketsResults(f: MarketsFigures): BenchResult[] {
  const results: BenchResult[] = [];
  {
    const metrics: Record<string, number> = {};
    const units: Record<string, string> = {};
    put(metrics, units, "llmCalls", f.llmCalls, "generator calls");
    put(metrics, units, "distinctPageKeys", f.pageKeys, "keys");
    put(metrics, units, "personaLanguagesServed", f.servedPairs, "(persona, language) pairs");
    for (const [status, count] of Object.entries(f.statuses)) put(metrics, units, `answers_${status}`, count, "responses");
    put(metrics, units, "pageLanguageMismatches", f.languageMismatches, "pages");
    put(metrics, units, "cardsChecked", f.cardsChecked, "cards");
    put(metrics, units, "cardPriceMismatches", f.cardMismatches, "cards");
    const pass = f.llmCalls !== undefined && f.llmCalls <= TARGETS.llmCalls && f.pageKeys !== undefined && f.pageKeys <= TARGETS.llmCalls && f.cardMismatches === 0 && f.languageMismatches === 0;
    results.push({
      name: "markets/llm-calls",
      metrics,
      units,
      notes:
        `One shop on the fake Admin API with 3 markets (US/USD/en primary, France FR+MC+BE/EUR/fr+en, Germany DE+AT/EUR/de+en; converted prices and fixed price-list prices for some products; fr and de translations of some) and ${f.sizes[0]?.toLocaleString("en-US")} products synced through the real CatalogSync (EdgeApi.startCatalogSync) on plain workerd serve. ` +
        `${f.shoppers.toLocaleString("en-US")} shoppers (16 in flight) on the direct route, each with a random persona of 4 (&persona=), a random language of en/fr/de and a random country of the shop's, unknown ones (JP, ZZ, GB, CA) and junk (lower case, mixed case, 3 letters, digits, empty, one letter; only malformed values may be answered 400, and each page's Content-Language must be core/locale.ts resolveShopperLocale's page language for the shop's markets). ` +
        "Then waited until the pool was idle (no job pending, every (persona, language) page fresh in EdgeApi.cacheState, the stand-in generator's calls unchanged for 2 s). LLM calls = the stand-in generator's /generate calls for the store; page keys = distinct job keys it received. " +
        "Cards checked: every persona page for a French and a German shopper, each card's price against the fake's contextualPricing price for that market (converted or fixed).",
      target: { metric: "llmCalls", max: TARGETS.llmCalls, description: `≤ ${TARGETS.llmCalls} LLM calls (4 personas × 3 languages) and ≤ ${TARGETS.llmCalls} page keys for ${f.shoppers} shoppers from any country; every card's price equal to Shopify's for its market` },
      pass,
      ...errorOf(f, "calls"),
    });
  }
  {
    const metrics: Record<string, number> = {};
    const units: Record<string, string> = {};
    for (const [n, p] of f.prices) {
      put(metrics, units, `priceRequests_${label(n)}`, p.requests, "contextualPricing requests");
      put(metrics, units, `priceRequestsPerMarket_${label(n)}`, p.markets ? p.requests / p.markets : Number.NaN, "requests/market");
      put(metrics, units, `variantIdsPerRequest_${label(n)}`, p.maxIds, "variant ids (max)");
      put(metrics, units, `productsShown_${label(n)}`, p.shown, "products (4 selections)");
    }
    const all = [...f.prices.values()];
    const idsVsShown = all.length ? Math.max(...all.map((p) => p.maxIds / Math.max(1, p.shown))) : Number.NaN;
    const sorted = [...f.prices.entries()].sort((a, b) => a[0] - b[0]);
    const spread = sorted.length >= 2 ? sorted.at(-1)![1].maxIds / Math.max(1, sorted[0]![1].maxIds) : Number.NaN;
    put(metrics, units, "variantIdsVsProductsShown", idsVsShown, "× (max over N)");
    put(metrics, units, "variantIdsSpread", spread, `× (N=${label(sorted.at(-1)?.[0] ?? 0)} / N=${label(sorted[0]?.[0] ?? 0)})`);
    put(metrics, units, "priceLookupsPerPageView", f.priceLookupsDuringViews !== undefined ? f.priceLookupsDuringViews / f.shoppers : undefined, "requests/view");
    put(metrics, units, "adminRequestsDuringViews", f.adminRequestsDuringViews, "requests");
    const missing = f.sizes.filter((n) => !f.prices.has(n));
    const pass = idsVsShown <= 1 && spread <= TARGETS.idsSpread && f.priceLookupsDuringViews === 0 && f.adminRequestsDuringViews === 0 && missing.length === 0;
    const e = errorOf(f, "prices");
    results.push({
      name: "markets/price-lookups",
      metrics,
      units,
      notes:
        `Per catalog size (${f.sizes.map((n) => n.toLocaleString("en-US")).join(" and ")} products, each a shop of its own synced in the same workerd): the WandMarketPrices (contextualPricing(context: {country})) requests the fake Admin API received from the install sync until the markets step owed nothing, and the variant ids each asked for; products shown = distinct products of the four persona selections the edge stored. ` +
        `Per page view: requests of any operation the fake received while the ${f.shoppers.toLocaleString("en-US")} shoppers of markets/llm-calls were served, until the pool was idle.`,
      target: { metric: "variantIdsVsProductsShown", max: 1, description: `variant ids per market ≤ the products the four personas show, not growing with N (largest / smallest N ≤ ${TARGETS.idsSpread}×), 0 price look-ups per page view` },
      pass,
      ...(missing.length ? { error: `${e.error ? `${e.error}; ` : ""}not measured for N = ${missing.join(", ")}` } : e),
    });
  }
  {
    const metrics: Record<string, number> = {};
    const units: Record<string, string> = {};
    const h = f.hits;
    if (h) {
      Object.assign(metrics, { frenchVsPrimaryRps: h.ratio, primaryExplicitVsPrimaryRps: h.explicitRatio, primaryRps: h.primaryRps, frenchRps: h.frenchRps, primaryP99Ms: h.primaryP99Ms, frenchP99Ms: h.frenchP99Ms, primaryCpuUs: h.primaryCpuUs, frenchCpuUs: h.frenchCpuUs, primaryExplicitCpuUs: h.explicitCpuUs, euroEnglishVsPrimaryRps: h.euroEnglishRatio, euroEnglishCpuUs: h.euroEnglishCpuUs });
      Object.assign(units, { frenchVsPrimaryRps: "×", primaryExplicitVsPrimaryRps: "×", primaryRps: "req/s (workerd)", frenchRps: "req/s (workerd)", primaryP99Ms: "ms (workerd)", frenchP99Ms: "ms (workerd)", primaryCpuUs: "µs CPU/req (workerd)", frenchCpuUs: "µs CPU/req (workerd)", primaryExplicitCpuUs: "µs CPU/req (workerd)", euroEnglishVsPrimaryRps: "×", euroEnglishCpuUs: "µs CPU/req (workerd)" });
    }
    results.push({
      name: "markets/hits",
      metrics,
      units,
      notes: `Memory hits of the explorer AI page of the ${f.sizes[0]?.toLocaleString("en-US")}-product markets shop (rotating shoppers, wrk -t1 -c16): a primary-market shopper (no locale parameters: en, USD, the hit path as before markets) vs a French shopper (&country=FR&language=fr: the fr page, euro prices from the market's facts expanded at serve time) and, to tell the parameters' cost from the market's, a primary-market shopper asking for it by name (&country=US&language=en) and, to tell the prices' cost from the language's, a shopper in France reading English (&country=FR&language=en: the en page with euro prices), ${f.rounds} alternating rounds × ${f.seconds} s on the same workerd serve (SNAPSHOT_TTL_SECONDS=2, so snapshots expire inside every round); ratios per round vs the primary shopper, medians. CPU per hit from the workerd process's CPU time.${f.profiles ? ` Under the target, CPU profiles of 3 s of each (workerd inspector, 100 µs sampling) — French: ${f.profiles.french} Primary: ${f.profiles.primary}` : ""}`,
      target: { metric: "frenchVsPrimaryRps", min: TARGETS.hitRatio, description: `French shopper's memory hits ≥ ${TARGETS.hitRatio}× the primary-market shopper's req/s` },
      pass: h !== undefined && h.ratio >= TARGETS.hitRatio,
      ...(h ? errorOf(f, "hits") : { error: `hits: ${[f.errors.setup, f.errors.hits ?? "not measured"].filter(Boolean).join("; ")}` }),
    });
  }
  return results;
}
