import { cacheKey, cacheVariant } from "../../core/cache-key.ts";
import { bucketOf } from "../../core/hash.ts";
import { buildCsp } from "../../core/page-shell.ts";
import { detectPersona } from "../../core/persona.ts";
import { PROMPT_VERSION } from "../../core/prompt-version.ts";
import { renderTemplatePage } from "../../core/template.ts";
import type { GenerationJob, Persona, PersonaDecision, PersonaSelection, PersonaSignals, ShopSettings } from "../../core/types.ts";
import { HttpError, notFound } from "./http-error.ts";
import { withLiveFacts } from "./live-cards.ts";
import { MemoryLru } from "./memory-cache.ts";
import { lookupPage, type PageLookup } from "./page-cache.ts";
import { enqueueInBackground } from "./pool-routing.ts";
import { recordRequest } from "./stats.ts";
import { loadSelection, loadSettings } from "./store-data.ts";
import { preparedPage, renderTouches, shopperTouches, type PreparedPage } from "./touches.ts";

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
 * page and facts version: while nothing changes, a hit is memory lookups and a string join.
 *
 * Wand-Cache is memory | kv | r2 | stale | miss, or `holdout` for a shopper in the merchant's
 * control group (the template page, on purpose; nothing is enqueued for them).
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
}

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

export function templatePage(selection: PersonaSelection, settings: ShopSettings, persona: Persona, variant: string): string {
  const memoKey = templateId(settings.store, persona, variant, selection.factsVersion);
  let html = templates.get(memoKey);
  if (html === undefined) {
    html = renderTemplatePage({ selection, settings, persona, baseUrl: "" });
    templates.set(memoKey, html, html.length);
  }
  return html;
}

function templateId(store: string, persona: Persona, variant: string, factsVersion: string): string {
  return `template ${store}/${persona}/${variant}/${factsVersion}`;
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

export function generationJob(o: { settings: ShopSettings; selection: PersonaSelection; persona: Persona; shopperId?: string; variant: string }): GenerationJob {
  const shopper = o.settings.scope === "shopper" ? o.shopperId : undefined;
  return {
    key: cacheKey({ store: o.settings.store, persona: o.persona, scope: o.settings.scope, shopper, variant: o.variant }),
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
  o: { settings: ShopSettings; selection: PersonaSelection; decision: PersonaDecision; shopperId?: string },
): Promise<ResolvedPage> {
  const { settings, selection, decision } = o;
  const variant = currentVariant(settings, selection);
  const shopper = settings.scope === "shopper" ? o.shopperId : undefined;
  const key = cacheKey({ store: settings.store, persona: decision.persona, scope: settings.scope, shopper, variant });
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
  ctx.waitUntil(enqueueInBackground(env, generationJob({ settings, selection, persona: decision.persona, shopperId: o.shopperId, variant })));
  if (lookup) return { html: lookup.page.html, pageId: pageIdOf(lookup), cache: "stale", settings, selection, decision, key };
  const html = templatePage(selection, settings, decision.persona, variant);
  return { html, pageId: templateId(settings.store, decision.persona, variant, selection.factsVersion), cache: "miss", settings, selection, decision, key };
}

/** The page's HTML with its product cards expanded from live facts (relative links): previews. */
export async function expandedHtml(env: Env, waiter: Pick<ExecutionContext, "waitUntil">, page: ResolvedPage): Promise<string> {
  return (await withLiveFacts(env, waiter, page, page.selection, page.decision.persona)).html();
}

/** The served form of a page: live facts in its cards, touch slots found, links for the base URL. */
async function servedForm(env: Env, ctx: ExecutionContext, page: { pageId: string; html: string }, selection: PersonaSelection, persona: Persona, baseUrl: string): Promise<PreparedPage> {
  const live = await withLiveFacts(env, ctx, page, selection, persona);
  return preparedPage(live.id, live.html, baseUrl);
}

export async function servePersonaPage(env: Env, ctx: ExecutionContext, req: PersonaPageRequest): Promise<Response> {
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

  let page: { pageId: string; html: string };
  let cache: CacheOutcome;
  if (settings.holdoutPercent > 0 && bucketOf(`holdout:${req.store}:${req.shopperId}`, 100) < settings.holdoutPercent) {
    const variant = currentVariant(settings, selection);
    page = { html: templatePage(selection, settings, decision.persona, variant), pageId: templateId(settings.store, decision.persona, variant, selection.factsVersion) };
    cache = "holdout";
  } else {
    const resolved = await resolvePersonaPage(env, ctx, { settings, selection, decision, shopperId: req.shopperId });
    page = resolved;
    cache = resolved.cache;
  }
  const prepared = await servedForm(env, ctx, page, selection, decision.persona, req.baseUrl);
  const looked = Date.now();
  recordRequest(env, ctx, req.store, decision.persona, cache === "memory" || cache === "kv" || cache === "r2" ? "hit" : cache);

  const slots = shopperTouches({
    settings,
    selection,
    persona: decision.persona,
    signals,
    baseUrl: req.baseUrl,
    signedIn: Boolean(req.verifiedCustomerId),
  });
  const response = new Response(renderTouches(prepared, slots), { headers: pageHeaders(settings.shopDomain, decision.persona, cache) });
  // workerd's clock moves only across I/O, so this is the time spent waiting on storage (settings,
  // selection, cache layers, products by handle); everything after the lookup is CPU only.
  response.headers.set("Server-Timing", `cache;desc="${cache}";dur=${looked - started}, total;dur=${looked - started}`);
  return response;
}

function unavailable(reason: string): HttpError {
  return new HttpError(503, "unavailable", reason, { "Retry-After": "5" });
}

// The fixed headers of a page, built once per shop, persona and outcome: the Response copies a
// Headers object natively, where a header literal is converted field by field on every request.
const headerTemplates = new Map<string, Headers>();

function pageHeaders(shopDomain: string, persona: Persona, cache: CacheOutcome): Headers {
  const memoKey = `${shopDomain} ${persona} ${cache}`;
  let headers = headerTemplates.get(memoKey);
  if (!headers) {
    if (headerTemplates.size >= 1000) headerTemplates.clear();
    headers = new Headers({
      "Content-Type": "text/html; charset=utf-8",
      // Per-shopper touches: never shared by a cache between shoppers.
      "Cache-Control": "private, no-store",
      "Content-Security-Policy": buildCsp(shopDomain),
      // (The referrer policy is the page's own <meta name="referrer">.)
      "X-Content-Type-Options": "nosniff",
      "Wand-Cache": cache,
      "Wand-Persona": persona,
    });
    headerTemplates.set(memoKey, headers);
  }
  return headers;
}
