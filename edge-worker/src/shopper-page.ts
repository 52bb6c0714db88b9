import { cacheKey, cacheVariant } from "../../core/cache-key.ts";
import { bucketOf } from "../../core/hash.ts";
import { buildCsp } from "../../core/page-shell.ts";
import { detectPersona } from "../../core/persona.ts";
import { PROMPT_VERSION } from "../../core/prompt-version.ts";
import { renderTemplatePage } from "../../core/template.ts";
import type { CatalogSnapshot, GenerationJob, Persona, PersonaDecision, PersonaSignals, ShopSettings } from "../../core/types.ts";
import { HttpError, notFound } from "./http-error.ts";
import { MemoryLru } from "./memory-cache.ts";
import { lookupPage, type PageLookup } from "./page-cache.ts";
import { enqueueInBackground } from "./pool-routing.ts";
import { recordRequest } from "./stats.ts";
import { loadCatalog, loadSettings } from "./store-data.ts";
import { preparedPage, renderTouches, shopperTouches } from "./touches.ts";

/**
 * The shopper's page (DESIGN.md, "The shopper's request"), shared by the direct route `/s/<store>`
 * and the app-proxy route: identify settings → detect the persona → key → look up the cache → on a
 * miss the template at once plus an enqueue in ctx.waitUntil → per-shopper touches → headers.
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

export interface ResolvedPage {
  html: string;
  /** Identifies these exact bytes (for per-isolate memos of derived forms). */
  pageId: string;
  cache: CacheOutcome;
  settings: ShopSettings;
  catalog: CatalogSnapshot;
  decision: PersonaDecision;
  key: string;
}

// Rendered templates per store/persona/variant (always relative): a miss storm renders once.
const templates = new MemoryLru<string>(64, 8 * 1024 * 1024, 60_000);

export function templatePage(catalog: CatalogSnapshot, settings: ShopSettings, persona: Persona, variant: string): string {
  const memoKey = `${settings.store}/${persona}/${variant}`;
  let html = templates.get(memoKey);
  if (html === undefined) {
    html = renderTemplatePage({ catalog, settings, persona, baseUrl: "" });
    templates.set(memoKey, html, html.length);
  }
  return html;
}

function templateId(store: string, persona: Persona, variant: string): string {
  return `template ${store}/${persona}/${variant}`;
}

// A key's page can be regenerated (admin "regenerate"): its generation time tells the versions apart.
function pageIdOf(lookup: PageLookup): string {
  return `page ${lookup.page.meta.key} ${lookup.page.meta.generatedAt}`;
}

const variants = new Map<string, string>();

/** The cache variant of the store's current catalog and settings (memoised: it is hashed per hit). */
export function currentVariant(settings: ShopSettings, catalog: CatalogSnapshot): string {
  const memoKey = `${catalog.version} ${settings.settingsVersion}`;
  let variant = variants.get(memoKey);
  if (variant === undefined) {
    variant = cacheVariant({ catalogVersion: catalog.version, settingsVersion: settings.settingsVersion, promptVersion: PROMPT_VERSION });
    if (variants.size >= 1000) variants.clear();
    variants.set(memoKey, variant);
  }
  return variant;
}

export function generationJob(o: { settings: ShopSettings; catalog: CatalogSnapshot; persona: Persona; shopperId?: string; variant: string }): GenerationJob {
  const shopper = o.settings.scope === "shopper" ? o.shopperId : undefined;
  return {
    key: cacheKey({ store: o.settings.store, persona: o.persona, scope: o.settings.scope, shopper, variant: o.variant }),
    store: o.settings.store,
    persona: o.persona,
    ...(shopper ? { shopper } : {}),
    variant: o.variant,
    catalogVersion: o.catalog.version,
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
  o: { settings: ShopSettings; catalog: CatalogSnapshot; decision: PersonaDecision; shopperId?: string },
): Promise<ResolvedPage> {
  const { settings, catalog, decision } = o;
  const variant = currentVariant(settings, catalog);
  const shopper = settings.scope === "shopper" ? o.shopperId : undefined;
  const key = cacheKey({ store: settings.store, persona: decision.persona, scope: settings.scope, shopper, variant });
  let lookup: PageLookup | null = null;
  try {
    lookup = await lookupPage(env, ctx, key, settings.store, decision.persona);
  } catch (error) {
    console.warn("page lookup failed, serving the template", key, error);
  }
  if (lookup && lookup.layer !== "stale") {
    return { html: lookup.page.html, pageId: pageIdOf(lookup), cache: lookup.layer, settings, catalog, decision, key };
  }
  // Stale or miss: regenerate in the background; the response never waits for the queue.
  ctx.waitUntil(enqueueInBackground(env, generationJob({ settings, catalog, persona: decision.persona, shopperId: o.shopperId, variant })));
  if (lookup) return { html: lookup.page.html, pageId: pageIdOf(lookup), cache: "stale", settings, catalog, decision, key };
  const html = templatePage(catalog, settings, decision.persona, variant);
  return { html, pageId: templateId(settings.store, decision.persona, variant), cache: "miss", settings, catalog, decision, key };
}

export async function servePersonaPage(env: Env, ctx: ExecutionContext, req: PersonaPageRequest): Promise<Response> {
  const started = Date.now();
  let settings: ShopSettings | null;
  try {
    settings = req.settings?.store === req.store ? req.settings : await loadSettings(env, req.store, ctx);
  } catch (error) {
    console.error("settings unavailable", req.store, error);
    throw new HttpError(503, "unavailable", "the store's settings cannot be read right now", { "Retry-After": "5" });
  }
  if (!settings) throw notFound(`unknown store: ${req.store}`);
  let catalog: CatalogSnapshot;
  try {
    catalog = await loadCatalog(env, req.store, ctx);
  } catch (error) {
    console.warn("catalog unavailable, rendering an empty template", req.store, error);
    catalog = { store: req.store, version: "none", products: [] };
  }
  const signals = req.allowOverride ? req.signals : { ...req.signals, override: null };
  const decision = detectPersona(signals, settings);

  let html: string;
  let pageId: string;
  let cache: CacheOutcome;
  if (settings.holdoutPercent > 0 && bucketOf(`holdout:${req.store}:${req.shopperId}`, 100) < settings.holdoutPercent) {
    const variant = currentVariant(settings, catalog);
    html = templatePage(catalog, settings, decision.persona, variant);
    pageId = templateId(settings.store, decision.persona, variant);
    cache = "holdout";
  } else {
    ({ html, pageId, cache } = await resolvePersonaPage(env, ctx, { settings, catalog, decision, shopperId: req.shopperId }));
  }
  const prepared = await preparedPage(pageId, html, req.baseUrl);
  const looked = Date.now();
  recordRequest(env, ctx, req.store, decision.persona, cache === "memory" || cache === "kv" || cache === "r2" ? "hit" : cache);

  const slots = shopperTouches({
    settings,
    catalog,
    persona: decision.persona,
    signals,
    baseUrl: req.baseUrl,
    signedIn: Boolean(req.verifiedCustomerId),
  });
  const response = new Response(renderTouches(prepared, slots), { headers: pageHeaders(settings.shopDomain, decision.persona, cache) });
  // workerd's clock moves only across I/O, so this is the time spent waiting on storage (settings,
  // catalog, cache layers); everything after the lookup is CPU only.
  response.headers.set("Server-Timing", `cache;desc="${cache}";dur=${looked - started}, total;dur=${looked - started}`);
  return response;
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
