import { parseCacheKey } from "./cache-key.ts";
import type { PageMeta } from "./storage-keys.ts";
import type { Persona } from "./types.ts";

/**
 * The contract of the edge's ops endpoint (`edge-worker/src/ops-api.ts`) and the cache CLI
 * (`scripts/cache-cli.ts`), which reads the same facts from the local wrangler state when it has no
 * `--url`. Every route needs `Authorization: Bearer <OPS_TOKEN>`; bodies and answers are JSON.
 *
 *   GET  /ops/llm                        → { llm: LlmStatus }                    (EdgeApi.llmStatus: the shared breaker)
 *   GET  /ops/stores                     → { stores: StoreSummary[] }
 *   GET  /ops/stores/<store>/pages       → { pages: CacheEntry[] }
 *   GET  /ops/stores/<store>/state       → { personas: PersonaCacheState[] }   (EdgeApi.cacheState)
 *   GET  /ops/stores/<store>/stats       → { personas: PersonaStats[] }        (EdgeApi.stats)
 *   POST /ops/stores/<store>/purge       { persona? } → { deleted: number }    (EdgeApi.purge)
 *   POST /ops/stores/<store>/warm        → { results: EnqueueResult[] }        (EdgeApi.regenerate per enabled persona)
 *
 * Errors: { error: <code>, reason: <words> } with 400 (bad input), 401 (token), 404 (unknown store or
 * route), 405 (method), 413 (body).
 */
export const OPS_PREFIX = "/ops";

export interface StoreSummary {
  store: string;
  shopName: string;
  installed: boolean;
  enabledPersonas: Persona[];
}

/** One cached page as the layers hold it: a key may be in R2 only (KV expired), in KV only, or both. */
export interface CacheEntry {
  key: string;
  store: string;
  persona: Persona;
  variant: string;
  /** A scope-shopper page (keyed by a shopper hash) rather than the shared persona page. */
  perShopper: boolean;
  /** The store's current variant: served as a hit. Otherwise served stale until regenerated. */
  current: boolean;
  source: "llm" | "template" | null;
  model: string | null;
  generatedAt: string | null;
  inKv: boolean;
  inR2: boolean;
  /** Epoch seconds when the KV copy expires (1 h TTL), null when not in KV or without expiry. */
  kvExpiration: number | null;
  /** Size of the R2 copy in bytes, null when not in R2. */
  bytes: number | null;
}

/** What a KV `list` gives for a key (metadata as the edge writes it: PageMeta). */
export interface KvListing {
  name: string;
  expiration?: number;
  metadata?: unknown;
}

/** What an R2 `list` with `include: ["customMetadata"]` gives for an object. */
export interface R2Listing {
  key: string;
  size: number;
  uploaded: Date;
  customMetadata?: Record<string, string>;
}

function metaFrom(value: unknown): Partial<PageMeta> {
  if (typeof value !== "object" || value === null) return {};
  const m = value as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof m[k] === "string" ? (m[k] as string) : undefined);
  const source = str("source");
  return {
    ...(source === "llm" || source === "template" ? { source } : {}),
    ...(str("model") !== undefined ? { model: str("model") } : {}),
    ...(str("generatedAt") !== undefined ? { generatedAt: str("generatedAt") } : {}),
  };
}

/**
 * Merges the KV and R2 listings of a store's page keys (`ui/<store>/…`) into one entry per key,
 * sorted by persona then newest first. Keys that are not page keys are skipped.
 */
export function mergeCacheListings(o: { currentVariant: string | null; kv: KvListing[]; r2: R2Listing[] }): CacheEntry[] {
  const entries = new Map<string, CacheEntry>();
  const entryFor = (key: string): CacheEntry | null => {
    const existing = entries.get(key);
    if (existing) return existing;
    const parsed = parseCacheKey(key);
    if (!parsed) return null;
    const entry: CacheEntry = {
      key,
      store: parsed.store,
      persona: parsed.persona,
      variant: parsed.variant,
      perShopper: parsed.shopperHash !== undefined,
      current: parsed.variant === o.currentVariant,
      source: null,
      model: null,
      generatedAt: null,
      inKv: false,
      inR2: false,
      kvExpiration: null,
      bytes: null,
    };
    entries.set(key, entry);
    return entry;
  };
  for (const object of o.r2) {
    const entry = entryFor(object.key);
    if (!entry) continue;
    const meta = metaFrom(object.customMetadata);
    entry.inR2 = true;
    entry.bytes = object.size;
    entry.source = meta.source ?? entry.source;
    entry.model = meta.model ?? entry.model;
    entry.generatedAt = meta.generatedAt ?? object.uploaded.toISOString();
  }
  for (const key of o.kv) {
    const entry = entryFor(key.name);
    if (!entry) continue;
    const meta = metaFrom(key.metadata);
    entry.inKv = true;
    entry.kvExpiration = key.expiration ?? null;
    entry.source ??= meta.source ?? null;
    entry.model ??= meta.model ?? null;
    entry.generatedAt ??= meta.generatedAt ?? null;
  }
  return [...entries.values()].sort(
    (a, b) => a.persona.localeCompare(b.persona) || (b.generatedAt ?? "").localeCompare(a.generatedAt ?? "") || a.key.localeCompare(b.key),
  );
}
