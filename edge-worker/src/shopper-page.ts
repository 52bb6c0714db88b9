import { cacheKey, cacheVariant } from "../../core/cache-key.ts";
import { armOf, exposureContent, EXPOSURE_HEADER, type Arm } from "../../core/experiment.ts";
import { buildCsp } from "../../core/page-shell.ts";
import { detectPersona } from "../../core/persona.ts";
import { PROMPT_VERSION } from "../../core/prompt-version.ts";
import { renderTemplatePage } from "../../core/template.ts";
import type { LocaleQuery } from "../../core/locale.ts";
import { messagesFor } from "../../core/locales/index.ts";
import { keyLanguage, loadPageMarket, peekPageMarket, type PageMarket } from "./markets/page-locale.ts";
import type { MarketCards } from "./markets/market-cards.ts";
import type { GenerationJob, Persona, PersonaDecision, PersonaSelection, PersonaSignals, ShopSettings } from "../../core/types.ts";
import { HttpError, notFound } from "./http-error.ts";
import { liveFactsNow, withLiveFacts } from "./live-cards.ts";
import { MemoryLru } from "./memory-cache.ts";
import { lookupPage, memoryPage, type CachedPage, type PageLookup } from "./page-cache.ts";
import { exposureGeneration, recordExposure } from "./experiment/record-exposure.ts";
import { enqueueInBackground } from "./pool-routing.ts";
import { recordRequest } from "./stats.ts";
import { loadSelection, loadSettings, peekSelection, peekSettings } from "./store-data.ts";
import { armInput, preparedPage, preparedPageNow, renderForm, renderedNow, shopperTouches, type PreparedPage } from "./touches.ts";

/**
 * The shopper's page (DESIGN.md, "The shopper's request"), shared by the direct route `/s/<store>`
 * and the app-proxy route: identify settings → detect the persona → its selection → key → look up
 * the cache → on a miss the template at once plus an enqueue in ctx.waitUntil → product cards from
 * the live facts → per-shopper touches → headers.
 *
 * A cached page (template or LLM page) carries product slots, never product facts
 * (core/product-slots.ts). Every page served — hit, stale, miss, holdout, preview — has its slots
 * expanded from the persona selection's live facts, so a price or stock change is on the next page
 * served after the snapshot TTL without an LLM call. The expanded and prepared form is memoised per
 * page and facts version: while nothing changes, a hit is memory lookups and hands the runtime the
 * memoised string.
 *
 * Wand-Cache is memory | kv | r2 | stale | miss, or `holdout` for a shopper in the merchant's
 * control group (the template page, on purpose; nothing is enqueued for them).
 *
 * The experiment (docs/decisions/0003-experiment-statistics.md): the arm is core/experiment.ts armOf,
 * the one holdout rule. A shopper in the experiment — the store has a holdout (holdoutPercent > 0:
 * with 0 there is no control group, so nothing is counted and pages carry no arm) and the shopper has
 * an id of their own — is recorded once per day in the background (recordExposure, never awaited),
 * the response declares it in its Wand-Exposure header (EXPOSURE_HEADER: the page body is the same
 * bytes for every shopper of a persona, arm and touches; the app proxy turns the header into the
 * framed page's meta), and the arm is in every add-to-cart form, as a touch.
 */
export interface PersonaPageRequest {
  store: string;
  /** Stable id of the shopper (verified customer id, first-party cookie or `?shopper=`). */
  shopperId: string;
  signals: PersonaSignals;
  /** "" → the page stays relative (app proxy, shop's own origin); else links become absolute. */
  baseUrl: string;
  /** Whether `signals.override` may choose the persona (direct route and previews; not the proxy). */
  allowOverride: boolean;
  verifiedCustomerId?: string;
  /** The store's settings when the caller has just loaded them (saves a second lookup). */
  settings?: ShopSettings;
  /**
   * Fixed headers the caller adds to every such response (the direct route's session cookies), part
   * of the header template; `key` names the set.
   */
  headers?: { key: string; pairs: [string, string][] };
  /** A Set-Cookie for this shopper alone (the direct route's new shopper id): not part of the template. */
  shopperCookie?: string;
  /**
   * true: the caller serves this same request object again (the direct route keeps one per shopper,
   * URL and settings snapshot), so a memory hit keeps its plan for it — and may start it from the plan
   * of another request with the same `signals` object and arm, which must then have the same base
   * URL, headers and locale query (the direct route's requests of one URL shape do). A request made per HTTP request
   * (the app proxy's) gets none: it would never be read again.
   */
  reused?: boolean;
  /**
   * false: the shopper has no id of their own (the app proxy's shared "anonymous" bucket) and is
   * served by the holdout rule but not counted in the experiment. Default true.
   */
  inExperiment?: boolean;
  /**
   * The shopper's market context as the request states it (raw, untrusted: the proxy's signed
   * country/language/currency/root_url, the direct route's ?country=&language=). Resolved against
   * the shop's markets (markets/page-locale.ts): the market's prices in the cards, the page language
   * in the cache key, the locale prefix before links. Absent: the shop's primary market and language.
   */
  locale?: LocaleQuery;
}

const NO_LOCALE: LocaleQuery = {};

export type CacheOutcome = PageLookup["layer"] | "miss" | "holdout";

/** A page as cached: product slots not expanded yet. */
export interface ResolvedPage {
  html: string;
  /** Identifies these exact bytes (for per-isolate memos of derived forms). */
  pageId: string;
  cache: CacheOutcome;
  settings: ShopSettings;
  selection: PersonaSelection;
  decision: PersonaDecision;
  key: string;
}

// Rendered templates (always relative, slots not expanded) per store, persona, variant and facts
// version: a miss storm renders once. The template leaves out groups whose products are all gone,
// which a deletion changes without changing the variant, hence the facts version in the key.
const templates = new MemoryLru<string>(64, 8 * 1024 * 1024, 60_000);

/** `language`: the page language (its fixed strings from core/locales; the selection comes translated). */
export function templatePage(selection: PersonaSelection, settings: ShopSettings, persona: Persona, variant: string, language?: string): string {
  const memoKey = templateId(settings.store, persona, variant, selection.factsVersion, language);
  let html = templates.get(memoKey);
  if (html === undefined) {
    html = renderTemplatePage({ selection, settings, persona, baseUrl: "", ...(language ? { language } : {}) });
    templates.set(memoKey, html, html.length);
  }
  return html;
}

function templateId(store: string, persona: Persona, variant: string, factsVersion: string, language?: string): string {
  return `template ${store}/${persona}/${variant}/${factsVersion}${language ? `/${language}` : ""}`;
}

// A key's page can be regenerated (admin "regenerate"): its generation time tells the versions apart.
function pageIdOf(lookup: PageLookup): string {
  return `page ${lookup.page.meta.key} ${lookup.page.meta.generatedAt}`;
}

const variants = new Map<string, string>();

/**
 * The cache variant of a persona page: its selection's merchandising, the settings and the prompt
 * version — never prices or stock (memoised: it is needed on every hit).
 */
export function currentVariant(settings: ShopSettings, selection: PersonaSelection): string {
  const memoKey = `${selection.merchVersion} ${settings.settingsVersion}`;
  let variant = variants.get(memoKey);
  if (variant === undefined) {
    variant = cacheVariant({ merchVersion: selection.merchVersion, settingsVersion: settings.settingsVersion, promptVersion: PROMPT_VERSION });
    if (variants.size >= 1000) variants.clear();
    variants.set(memoKey, variant);
  }
  return variant;
}

/**
 * `language`: the page language (ShopperLocale.pageLanguage): the LLM writes in it and the key has
 * its segment (none for English, markets/page-locale.ts keyLanguage). `selection` is in that
 * language (its products' translations): its merchVersion is the one the variant was computed from.
 */
export function generationJob(o: { settings: ShopSettings; selection: PersonaSelection; persona: Persona; shopperId?: string; variant: string; language?: string }): GenerationJob {
  const shopper = o.settings.scope === "shopper" ? o.shopperId : undefined;
  return {
    key: pageKey(o.settings, o.persona, o.shopperId, o.variant, o.language),
    ...(o.language ? { language: o.language } : {}),
    store: o.settings.store,
    persona: o.persona,
    ...(shopper ? { shopper } : {}),
    variant: o.variant,
    merchVersion: o.selection.merchVersion,
    settingsVersion: o.settings.settingsVersion,
    promptVersion: PROMPT_VERSION,
    enqueuedAt: Date.now(),
    attempt: 0,
  };
}

/**
 * Finds the page of a persona: a cached one, else the template with generation enqueued. Used by
 * the shopper routes and by EdgeApi.preview. Storage faults degrade to the template page.
 */
export async function resolvePersonaPage(
  env: Env,
  ctx: ExecutionContext,
  o: { settings: ShopSettings; selection: PersonaSelection; decision: PersonaDecision; shopperId?: string; language?: string },
): Promise<ResolvedPage> {
  const { settings, selection, decision, language } = o;
  const variant = currentVariant(settings, selection);
  const key = pageKey(settings, decision.persona, o.shopperId, variant, language);
  let lookup: PageLookup | null = null;
  try {
    lookup = await lookupPage(env, ctx, key, settings.store, decision.persona);
  } catch (error) {
    console.warn("page lookup failed, serving the template", key, error);
  }
  if (lookup && lookup.layer !== "stale") {
    return { html: lookup.page.html, pageId: pageIdOf(lookup), cache: lookup.layer, settings, selection, decision, key };
  }
  // Stale or miss: regenerate in the background; the response never waits for the queue.
  ctx.waitUntil(enqueueInBackground(env, generationJob({ settings, selection, persona: decision.persona, shopperId: o.shopperId, variant, ...(language ? { language } : {}) })));
  if (lookup) return { html: lookup.page.html, pageId: pageIdOf(lookup), cache: "stale", settings, selection, decision, key };
  const html = templatePage(selection, settings, decision.persona, variant, language);
  return { html, pageId: templateId(settings.store, decision.persona, variant, selection.factsVersion, language), cache: "miss", settings, selection, decision, key };
}

/** The cache key of a persona page in a page language (English: no language segment). */
function pageKey(settings: ShopSettings, persona: Persona, shopperId: string | undefined, variant: string, language: string | undefined): string {
  const shopper = settings.scope === "shopper" ? shopperId : undefined;
  const segment = language === undefined ? undefined : keyLanguage(language);
  return cacheKey({ store: settings.store, persona, scope: settings.scope, shopper, variant, ...(segment ? { language: segment } : {}) });
}

/** The page's HTML with its product cards expanded from live facts (relative links): previews. */
export async function expandedHtml(env: Env, waiter: Pick<ExecutionContext, "waitUntil">, page: ResolvedPage, cards: MarketCards): Promise<string> {
  return (await withLiveFacts(env, waiter, page, page.selection, page.decision.persona, cards)).html();
}

/** The served form of a page: live facts (in the shopper's market) in its cards, touch slots found, links for the base URL. */
async function servedForm(
  env: Env,
  ctx: ExecutionContext,
  page: { pageId: string; html: string },
  selection: PersonaSelection,
  persona: Persona,
  baseUrl: string,
  cards: MarketCards,
): Promise<PreparedPage> {
  const live = await withLiveFacts(env, ctx, page, selection, persona, cards);
  return preparedPage(live.id, live.html, baseUrl);
}

/**
 * The shopper's page. A memory hit — settings, selection, page and its served form all fresh in this
 * isolate's memos — is answered synchronously (no promise, no await: on a hit the await chain cost
 * as much runtime time as the rest of the edge's own work); anything else takes the async path,
 * which reads, refreshes and fills those memos. Both end in `respond`, so they answer alike.
 */
export function servePersonaPage(env: Env, ctx: ExecutionContext, req: PersonaPageRequest): Response | Promise<Response> {
  return memoryHit(env, ctx, req) ?? servePersonaPageAsync(env, ctx, req);
}

/**
 * What a memory hit derived for one persona request object (the direct route keeps one per shopper,
 * URL and settings snapshot): each part is a pure function of the snapshots the plan names, so while
 * peeking gives the same snapshots — same settings, selection, market and cached page objects — a
 * hit reuses them down to the touches' rendered form and the headers, and only the lookups that can
 * see a change are made (docs/decisions/0006-memory-hits-by-snapshot-identity.md).
 */
interface HitPlan {
  settings: ShopSettings;
  signals: PersonaSignals;
  decision: PersonaDecision;
  base: PersonaSelection;
  market: PageMarket;
  arm: Arm;
  /** The page key ("" for the holdout's template). */
  key: string;
  /** The cached page served (null: the holdout's template). */
  cached: CachedPage | null;
  prepared: PreparedPage;
  form?: string;
  headers?: Headers;
  /** What is this request's shopper's own: never taken over from a seed. */
  own?: ShopperOwn;
}

interface ShopperOwn {
  /** The shopper's Wand-Exposure value and the exposureGeneration it was recorded under. */
  exposure?: { generation: number; value: string };
  /**
   * The shopper's response headers for that exposure: those of their first response under it, the
   * template with their own Set-Cookie and Wand-Exposure (their later views hand the runtime one
   * Headers to copy, instead of three calls on each response's own copy). Dropped when the exposure
   * is recorded again.
   */
  headers?: Headers;
}

// A reused request's plan is a property of the request object itself (a symbol, not enumerable, so a
// copy of the request made with a spread never carries it): a WeakMap holding the plans of the
// thousand or so requests an isolate keeps made every full collection process them as ephemerons.
const PLAN = Symbol("hit plan");
type Planned = PersonaPageRequest & { [PLAN]?: HitPlan };

function planOf(req: PersonaPageRequest): HitPlan | undefined {
  return (req as Planned)[PLAN];
}

function keepPlan(req: PersonaPageRequest, plan: HitPlan): HitPlan {
  if (Object.hasOwn(req, PLAN)) (req as Planned)[PLAN] = plan;
  else Object.defineProperty(req, PLAN, { value: plan, writable: true, enumerable: false, configurable: false });
  return plan;
}
// The latest plan per signals object and arm: the direct route's requests of one URL shape share
// their signals object (direct-route.ts), so a new shopper's request starts from it. A seed is
// checked like the request's own plan (settings, selection, market, page), not for the request's
// base URL, session headers, locale query, verified customer or inExperiment: requests that share a
// signals object must share those too, as the shape's requests do (they differ only in the shopper
// id and its cookie).
const seeds = new WeakMap<PersonaSignals, Partial<Record<Arm, HitPlan>>>();

function memoryHit(env: Env, ctx: ExecutionContext, req: PersonaPageRequest): Response | null {
  const settings = req.settings?.store === req.store ? req.settings : peekSettings(env, req.store);
  if (!settings) return null;
  let last = planOf(req);
  // A new request object of a URL shape the direct route has read starts from the plan another
  // shopper of the shape and arm made (pages keyed by persona, not by shopper).
  const seedable = req.reused === true && settings.scope !== "shopper";
  // A reused request's plan keeps the arm: its first view computes it without the per-isolate memo
  // (a key joined and kept per new shopper, read again only by requests that keep no plan).
  const shopperArm = last ? undefined : req.reused ? armOf(req.store, req.shopperId, settings.holdoutPercent) : armOfShopper(req.store, req.shopperId, settings.holdoutPercent);
  const seed = shopperArm && seedable ? seeds.get(req.signals)?.[shopperArm] : undefined;
  last ??= seed;
  const same = last?.settings === settings ? last : undefined;
  const signals = same ? same.signals : req.allowOverride ? req.signals : { ...req.signals, override: null };
  const decision = same ? same.decision : detectPersona(signals, settings);
  const base = peekSelection(env, req.store, decision.persona);
  if (!base) return null;
  const market = peekPageMarket(env, ctx, settings, base, req.locale ?? NO_LOCALE, same?.market);
  if (!market) return null;
  const unchanged = same && same.base === base && same.market === market ? same : undefined;
  const { selection } = market;
  const language = market.locale.pageLanguage;
  const arm = same ? same.arm : (shopperArm ?? armOfShopper(req.store, req.shopperId, settings.holdoutPercent));
  let cache: CacheOutcome;
  let key = "";
  let cached: CachedPage | null = null;
  let prepared: PreparedPage | undefined;
  if (arm === "holdout") {
    cache = "holdout";
    prepared = unchanged ? unchanged.prepared : servedFormNow(req, holdoutPage(settings, selection, decision.persona, language), decision.persona, market);
  } else {
    cache = "memory";
    key = unchanged ? unchanged.key : pageKey(settings, decision.persona, req.shopperId, currentVariant(settings, selection), language);
    const lookup = memoryPage(key);
    if (!lookup) return null;
    cached = lookup.page;
    prepared = unchanged?.cached === cached ? unchanged.prepared : servedFormNow(req, { html: cached.html, pageId: pageIdOf(lookup) }, decision.persona, market);
  }
  if (!prepared) return null;
  let plan = unchanged && unchanged.prepared === prepared ? unchanged : undefined;
  // What the seed derived, with this shopper's own exposure and headers (made in respond).
  if (plan && plan === seed) plan = keepPlan(req, { ...seed, own: undefined });
  if (!plan && req.reused) {
    plan = keepPlan(req, { settings, signals, decision, base, market, arm, key, cached, prepared });
    if (seedable) {
      let byArm = seeds.get(signals);
      if (!byArm) seeds.set(signals, (byArm = {}));
      byArm[arm] = plan;
    }
  }
  // Nothing was waited for: no time on storage.
  return respond(env, ctx, req, { settings, selection, signals, persona: decision.persona, arm, cache, prepared, waitedMs: 0, market }, plan);
}

/** servedForm from this isolate's memos without a promise, or undefined (then the async path). */
function servedFormNow(req: PersonaPageRequest, page: { pageId: string; html: string }, persona: Persona, market: PageMarket): PreparedPage | undefined {
  const live = liveFactsNow(page, market.selection, persona, market.cards);
  return live ? preparedPageNow(live.id, linkBase(req, market)) : undefined;
}

async function servePersonaPageAsync(env: Env, ctx: ExecutionContext, req: PersonaPageRequest): Promise<Response> {
  const started = Date.now();
  let settings: ShopSettings | null;
  try {
    settings = req.settings?.store === req.store ? req.settings : await loadSettings(env, req.store, ctx);
  } catch (error) {
    console.error("settings unavailable", req.store, error);
    throw unavailable("the store's settings cannot be read right now");
  }
  if (!settings) throw notFound(`unknown store: ${req.store}`);
  const signals = req.allowOverride ? req.signals : { ...req.signals, override: null };
  const decision = detectPersona(signals, settings);
  let selection: PersonaSelection;
  try {
    selection = await loadSelection(env, req.store, decision.persona, ctx);
  } catch (error) {
    // Without the selection there are no live facts to put on any page, cached or template.
    console.error("selection unavailable", req.store, decision.persona, error);
    throw unavailable("the store's products cannot be read right now");
  }

  // The market (prices, page language, translated selection): never a reason to fail the page.
  const market = await loadPageMarket(env, ctx, settings, selection, req.locale ?? NO_LOCALE);
  selection = market.selection;
  const language = market.locale.pageLanguage;
  const arm = armOfShopper(req.store, req.shopperId, settings.holdoutPercent);
  let page: { pageId: string; html: string };
  let cache: CacheOutcome;
  if (arm === "holdout") {
    page = holdoutPage(settings, selection, decision.persona, language);
    cache = "holdout";
  } else {
    const resolved = await resolvePersonaPage(env, ctx, { settings, selection, decision, shopperId: req.shopperId, language });
    page = resolved;
    cache = resolved.cache;
  }
  const prepared = await servedForm(env, ctx, page, selection, decision.persona, linkBase(req, market), market.cards);
  // workerd's clock moves only across I/O, so this is the time spent waiting on storage (settings,
  // selection, cache layers, products by handle); everything after the lookup is CPU only.
  return respond(env, ctx, req, { settings, selection, signals, persona: decision.persona, arm, cache, prepared, waitedMs: Date.now() - started, market });
}

// The arm of recent shoppers (a shopper views several pages; the arm takes two hashes to compute).
const arms = new Map<string, Arm>();

/** armOf, remembered per store, shopper and holdout percent. */
function armOfShopper(store: string, shopperId: string, holdoutPercent: number): Arm {
  if (holdoutPercent <= 0) return "wand";
  const memoKey = `${holdoutPercent}\u0000${store}\u0000${shopperId}`;
  let arm = arms.get(memoKey);
  if (arm === undefined) {
    arm = armOf(store, shopperId, holdoutPercent);
    if (arms.size >= 2000) arms.clear();
    arms.set(memoKey, arm);
  }
  return arm;
}

/** The control group's page: the template, on purpose (nothing is enqueued for it). */
function holdoutPage(settings: ShopSettings, selection: PersonaSelection, persona: Persona, language: string): { pageId: string; html: string } {
  const variant = currentVariant(settings, selection);
  return { html: templatePage(selection, settings, persona, variant, language), pageId: templateId(settings.store, persona, variant, selection.factsVersion, language) };
}

/** Where links and forms start: the route's base ("" on the proxy, the shop's origin directly) and the market's locale prefix ("/fr"). */
function linkBase(req: PersonaPageRequest, market: PageMarket): string {
  return market.locale.rootPath ? `${req.baseUrl}${market.locale.rootPath}` : req.baseUrl;
}

interface Served {
  settings: ShopSettings;
  selection: PersonaSelection;
  signals: PersonaSignals;
  persona: Persona;
  arm: Arm;
  cache: CacheOutcome;
  prepared: PreparedPage;
  waitedMs: number;
  market: PageMarket;
}

/**
 * Stats, the exposure, this shopper's touches and the headers: the same for both paths. `plan`: a
 * memory hit's, which keeps the touches' form, the header template and the exposure it declared.
 */
function respond(env: Env, ctx: ExecutionContext, req: PersonaPageRequest, s: Served, plan?: HitPlan, now = Date.now()): Response {
  const { settings, persona, arm, cache, signals } = s;
  recordRequest(env, ctx, req.store, persona, cache === "memory" || cache === "kv" || cache === "r2" ? "hit" : cache, now);

  const counted = settings.holdoutPercent > 0 && req.inExperiment !== false;
  const own = plan ? (plan.own ??= {}) : undefined;
  let exposure = "";
  if (counted) {
    // A plan's shopper, arm and persona are fixed: recorded under this generation, it is recorded.
    const generation = exposureGeneration(now);
    if (own?.exposure?.generation === generation) exposure = own.exposure.value;
    else {
      exposure = exposureContent(recordExposure(env, ctx, { store: req.store, shopperId: req.shopperId, arm, persona }, now));
      if (own) {
        own.exposure = { generation, value: exposure };
        own.headers = undefined;
      }
    }
  }
  const language = s.market.locale.pageLanguage;

  let form = plan?.form;
  if (!form) {
    // The touches read these signals only, so they name the page's rendered form: most shoppers
    // share one (a first visit, nothing seen, one of two arms), which a hit finds without making it.
    const signedIn = Boolean(req.verifiedCustomerId);
    const seen = signals.categoriesSeen?.length ? signals.categoriesSeen.join(",") : "";
    const touchKey = `${persona} ${language} ${settings.settingsVersion} ${signals.visitCount ?? 0} ${signals.customer?.ordersCount ?? 0} ${signedIn ? 1 : 0} ${counted ? arm : "-"} ${seen}`;
    form =
      renderedNow(s.prepared, touchKey) ??
      renderForm(s.prepared, touchKey, {
        ...shopperTouches({ settings, selection: s.selection, persona, signals, baseUrl: linkBase(req, s.market), signedIn, messages: messagesFor(language).messages }),
        "arm-input": armInput(counted ? arm : null),
      });
    if (plan) plan.form = form;
  }
  const headers = plan?.headers ?? pageHeaders(settings.shopDomain, persona, cache, s.waitedMs, req.headers, language);
  if (plan) plan.headers = headers;
  if (!req.shopperCookie && !exposure) return new Response(form, { headers });
  if (own) {
    // The plan's shopper: their later views hand the runtime the headers of their first (a Response
    // copies the Headers it is given, and nothing changes a response's headers once respond made them).
    if (own.headers) return new Response(form, { headers: own.headers });
    const first = new Response(form, { headers });
    own.headers = withShopperHeaders(first.headers, req.shopperCookie, exposure);
    return first;
  }
  // Served once: the shopper's headers go on this response's own copy of the template.
  const response = new Response(form, { headers });
  withShopperHeaders(response.headers, req.shopperCookie, exposure);
  return response;
}

/** Adds a shopper's own headers: their new cookie and their exposure ("" for none). */
function withShopperHeaders(headers: Headers, shopperCookie: string | undefined, exposure: string): Headers {
  if (shopperCookie) headers.append("Set-Cookie", shopperCookie);
  if (exposure) headers.set(EXPOSURE_HEADER, exposure);
  return headers;
}

function unavailable(reason: string): HttpError {
  return new HttpError(503, "unavailable", reason, { "Retry-After": "5" });
}

// The headers of a page, built once per shop, persona, outcome, storage time and the caller's fixed
// headers: the Response copies a Headers object natively, where a header literal is converted field
// by field on every request. A memory hit waits 0 ms, so its Server-Timing is part of the template.
const headerTemplates = new Map<string, Headers>();

function pageHeaders(shopDomain: string, persona: Persona, cache: CacheOutcome, waitedMs: number, extra: PersonaPageRequest["headers"], language: string): Headers {
  const memoKey = `${shopDomain} ${persona} ${cache} ${waitedMs} ${language} ${extra?.key ?? ""}`;
  let headers = headerTemplates.get(memoKey);
  if (!headers) {
    headers = new Headers({
      "Content-Type": "text/html; charset=utf-8",
      // Per-shopper touches: never shared by a cache between shoppers.
      "Cache-Control": "private, no-store",
      "Content-Security-Policy": buildCsp(shopDomain),
      // (The referrer policy is the page's own <meta name="referrer">.)
      "X-Content-Type-Options": "nosniff",
      "Wand-Cache": cache,
      "Wand-Persona": persona,
      // The page language (the market's prices are in the cards whatever it is).
      "Content-Language": language,
      "Server-Timing": `cache;desc="${cache}";dur=${waitedMs}, total;dur=${waitedMs}`,
    });
    for (const [name, value] of extra?.pairs ?? []) headers.append(name, value);
    // Storage times other than 0 ms are one-offs: built, not kept.
    if (waitedMs !== 0) return headers;
    if (headerTemplates.size >= 1000) headerTemplates.clear();
    headerTemplates.set(memoKey, headers);
  }
  return headers;
}
