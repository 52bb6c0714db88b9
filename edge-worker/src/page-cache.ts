import { parseCacheKey } from "../../core/cache-key.ts";
import { PAGE_KV_TTL_SECONDS, latestPageKey, type PageMeta } from "../../core/storage-keys.ts";
import type { Persona } from "../../core/types.ts";
import { edgeConfig } from "./config.ts";
import { MemoryLru } from "./memory-cache.ts";

/**
 * The page cache layers (DESIGN.md step 4): in-isolate memory → KV (1 h TTL) → R2 (permanent; a hit
 * backfills KV) → `latest/<store>/<persona>[/<language>]` in R2 (the page language's newest page),
 * served stale when its variant is older.
 *
 * Only LLM pages are pages here (docs/decisions/0004-fallbacks-and-llm-breaker.md): a fallback is
 * never written, and a template stored by older code (`source: "template"`) is looked through as if
 * absent — never fresh, never a hit — so the shopper gets the template rendered now and the key is
 * generated again.
 */
export type CacheLayer = "memory" | "kv" | "r2" | "stale";

export interface CachedPage {
  html: string;
  meta: PageMeta;
}

export interface PageLookup {
  layer: CacheLayer;
  page: CachedPage;
}

// Pages of 20-30 KB. With the prepared and rendered forms (touches.ts, 16 MB each), the templates
// (8 MB) and the persona selections (store-data.ts, ~10 MB), memory stays under ~70 MB of an
// isolate's 128 MB, whatever the size of the shops' catalogs.
const pages = new MemoryLru<CachedPage>(256, 16 * 1024 * 1024, 60_000);
// A stale page is remembered only briefly: its replacement is being generated.
const stalePages = new MemoryLru<CachedPage>(64, 4 * 1024 * 1024, 3_000);
// A key found in no layer, remembered for a quarter of a second: while a page is generated, a storm
// of shoppers would otherwise cost three storage reads each. Kept short because it delays the first
// AI page by up to its lifetime in isolates other than the writer's (the writer forgets it at once).
const knownMissing = new MemoryLru<true>(1024, 1024, 250);

type Waiter = Pick<ExecutionContext, "waitUntil">;

/** The memory layer alone: a hit without a promise (lookupPage reads the other layers). */
export function memoryPage(key: string): PageLookup | null {
  const inMemory = pages.get(key);
  return inMemory ? { layer: "memory", page: inMemory } : null;
}

export async function lookupPage(env: Env, waiter: Waiter, key: string, store: string, persona: Persona): Promise<PageLookup | null> {
  const inMemory = memoryPage(key);
  if (inMemory) return inMemory;
  if (knownMissing.get(key)) return null;

  const kv = await env.CACHE.getWithMetadata<PageMeta>(key, "text");
  if (kv.value !== null && kv.metadata?.source === "llm") {
    const page = { html: kv.value, meta: kv.metadata };
    remember(key, page);
    return { layer: "kv", page };
  }

  const latestKey = latestKeyOf(key, store, persona);
  const staleInMemory = stalePages.get(latestKey);
  // The exact key and the persona's latest page are read together: a miss costs one R2 round trip.
  const [exact, latest] = await Promise.all([
    env.PAGES.get(key).then(llmOnly),
    staleInMemory ? Promise.resolve(null) : env.PAGES.get(latestKey).then(llmOnly),
  ]);
  if (exact) {
    await latest?.body.cancel();
    const page = { html: await exact.text(), meta: metaOf(exact, key) };
    remember(key, page);
    waiter.waitUntil(putKv(env, key, page).catch((error: unknown) => console.warn("KV backfill failed", key, error)));
    return { layer: "r2", page };
  }
  if (staleInMemory) return { layer: "stale", page: staleInMemory };
  if (latest) {
    const page = { html: await latest.text(), meta: metaOf(latest, latestKey) };
    if (page.meta.key === key) {
      // The newest page is the current one (its exact copy was purged or not yet written): a hit.
      remember(key, page);
      return { layer: "r2", page };
    }
    stalePages.set(latestKey, page, page.html.length);
    return { layer: "stale", page };
  }
  if (edgeConfig(env).snapshotTtlMs >= 250) knownMissing.set(key, true, 1);
  return null;
}

/** Writes a generated page: R2 (the page, then `latest`), then KV — R2 is the durable copy. LLM pages only. */
export async function writePage(env: Env, store: string, persona: Persona, html: string, meta: PageMeta): Promise<void> {
  if (meta.source !== "llm") throw new TypeError(`a fallback is never stored as a page (${meta.key})`);
  const options = { httpMetadata: { contentType: "text/html; charset=utf-8" }, customMetadata: { ...meta } };
  await env.PAGES.put(meta.key, html, options);
  await env.PAGES.put(latestKeyOf(meta.key, store, persona), html, options);
  await putKv(env, meta.key, { html, meta });
  // Same isolate as the shoppers' requests (always locally, sometimes in production): serve it now.
  knownMissing.delete(meta.key);
}

/** Whether an LLM page for exactly this key is stored (pool idempotency: a fresh key is not regenerated). */
export async function pageExists(env: Env, key: string): Promise<PageMeta | null> {
  const head = await env.PAGES.head(key);
  const meta = head ? metaOf(head, key) : null;
  return meta?.source === "llm" ? meta : null;
}

/** Whether a stored object is an LLM page; anything else (an old stored template) counts as absent. */
export function isLlmPage(object: Pick<R2Object, "customMetadata"> | null): boolean {
  return object?.customMetadata?.source === "llm";
}

async function llmOnly(object: R2ObjectBody | null): Promise<R2ObjectBody | null> {
  if (!object || isLlmPage(object)) return object;
  await object.body.cancel();
  return null;
}

/** Drops this isolate's copies of pages under a prefix (purge). */
export function forgetPages(prefix: string, store: string): void {
  pages.deletePrefix(prefix);
  knownMissing.deletePrefix(prefix);
  stalePages.deletePrefix(`latest/${store}/`);
}

/** The persona's `latest` copy in the page's language (the key's language segment; none for English). */
export function latestKeyOf(key: string, store: string, persona: Persona): string {
  return latestPageKey(store, persona, parseCacheKey(key)?.language);
}

function remember(key: string, page: CachedPage): void {
  pages.set(key, page, page.html.length);
}

function putKv(env: Env, key: string, page: CachedPage): Promise<void> {
  return env.CACHE.put(key, page.html, { expirationTtl: PAGE_KV_TTL_SECONDS, metadata: page.meta });
}

function metaOf(object: R2Object, key: string): PageMeta {
  const m = object.customMetadata ?? {};
  return {
    key: m.key ?? key,
    variant: m.variant ?? "",
    source: m.source === "llm" ? "llm" : "template",
    model: m.model ?? "",
    generatedAt: m.generatedAt ?? object.uploaded.toISOString(),
  };
}
