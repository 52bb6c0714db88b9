import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import type { EnqueueResult, LlmStatus, PersonaCacheState, PersonaStats } from "../../core/edge-api.ts";
import { cacheKeyPrefix, cacheVariant } from "../../core/cache-key.ts";
import { mergeCacheListings, type CacheEntry, type KvListing, type R2Listing, type StoreSummary } from "../../core/ops-contract.ts";
import { PROMPT_VERSION } from "../../core/prompt-version.ts";
import { latestPageKey, selectionKey, settingsKey } from "../../core/storage-keys.ts";
import { PERSONAS, type Persona } from "../../core/types.ts";
import type { CacheBackend, PurgeOutcome } from "./backend.ts";
import { CliError, usageError } from "./cli-error.ts";
import { OpsClient } from "./ops-client.ts";
import { storageOnlyConfig } from "./storage-config.ts";

/**
 * The cache in the local wrangler state that `npm start` uses, opened through wrangler's
 * getPlatformProxy (a Miniflare instance on the same persist directory, safe next to a running
 * `wrangler dev`: the storage is SQLite and blob files). KV, R2 and D1 are read and written directly;
 * what lives in the edge's Durable Objects (queue, stats) is asked of the running local edge through
 * its ops endpoint, which is also the only way to enqueue (warm).
 */

// The few binding methods used here, typed structurally (the Node project has no workerd types).
interface KvBinding {
  get(key: string, type: "json"): Promise<unknown>;
  list(o: { prefix: string; cursor?: string }): Promise<{ keys: KvListing[]; list_complete: boolean; cursor?: string }>;
  delete(key: string): Promise<void>;
}
interface R2Binding {
  list(o: { prefix: string; cursor?: string; include?: ("customMetadata" | "httpMetadata")[] }): Promise<{ objects: R2Listing[]; truncated: boolean; cursor?: string }>;
  head(key: string): Promise<unknown>;
  delete(keys: string | string[]): Promise<void>;
}
interface D1Binding {
  prepare(sql: string): { bind(...values: unknown[]): { all<T>(): Promise<{ results: T[] }>; first<T>(): Promise<T | null> }; all<T>(): Promise<{ results: T[] }> };
}
interface EdgeBindings {
  CACHE: KvBinding;
  PAGES: R2Binding;
  DB: D1Binding;
}

export interface LocalOptions {
  /** The directory given to `wrangler dev --persist-to` (its `v3/` holds the state). */
  persistDir: string;
  /** The edge's wrangler config (bindings and ids). */
  configPath: string;
  edgeUrl: string;
  /** The local edge's OPS_TOKEN, null when unknown (then only list and purge work). */
  token: string | null;
}

const StoreRow = z.object({ store: z.string(), shopName: z.string(), installed: z.union([z.number(), z.boolean()]), enabledPersonas: z.string() });
const personasJson = z.preprocess((v) => (typeof v === "string" ? (JSON.parse(v) as unknown) : v), z.array(z.enum(PERSONAS)));
const versioned = z.object({ settingsVersion: z.number() }).loose();
const merchVersioned = z.object({ merchVersion: z.string() }).loose();

export class LocalBackend implements CacheBackend {
  readonly where: string;
  private proxy: Promise<{ env: EdgeBindings; dispose: () => Promise<void> }> | null = null;
  private readonly edge: OpsClient | null;

  constructor(private readonly options: LocalOptions) {
    this.where = `local state ${options.persistDir}`;
    this.edge = options.token ? new OpsClient(options.edgeUrl, options.token) : null;
  }

  async stores(): Promise<StoreSummary[]> {
    const { env } = await this.open();
    let rows: unknown[];
    try {
      rows = (await env.DB.prepare("SELECT store, shopName, installed, enabledPersonas FROM ShopSettings ORDER BY store").all<unknown>()).results;
    } catch (error) {
      throw new CliError(`the local state in ${this.options.persistDir} has no WandStore database (${errorText(error)}): run \`npm start\` once, it applies the migrations and seeds the demo stores`);
    }
    return rows.map((raw) => {
      const row = StoreRow.parse(raw);
      const personas = personasJson.safeParse(row.enabledPersonas);
      return { store: row.store, shopName: row.shopName, installed: Boolean(row.installed), enabledPersonas: personas.success ? personas.data : [] };
    });
  }

  async pages(store: string): Promise<CacheEntry[]> {
    await this.knownStore(store);
    const { env } = await this.open();
    const prefix = cacheKeyPrefix(store);
    const [kv, r2, variants] = await Promise.all([listKv(env.CACHE, prefix), listR2(env.PAGES, prefix), this.currentVariants(store)]);
    // Each persona has its own current variant (its selection's merchandising with the settings).
    return mergeCacheListings({ currentVariant: null, kv, r2 }).map((entry) => ({ ...entry, current: entry.variant === variants.get(entry.persona) }));
  }

  async purge(store: string, persona: Persona | null): Promise<PurgeOutcome> {
    await this.knownStore(store);
    const { env } = await this.open();
    const prefix = cacheKeyPrefix(store, persona ?? undefined);
    const [kv, r2] = await Promise.all([listKv(env.CACHE, prefix), listR2(env.PAGES, prefix)]);
    const latest: string[] = [];
    for (const p of persona ? [persona] : PERSONAS) {
      if ((await env.PAGES.head(latestPageKey(store, p))) !== null) latest.push(latestPageKey(store, p));
    }
    await Promise.all(kv.map((k) => env.CACHE.delete(k.name)));
    const r2Keys = [...r2.map((o) => o.key), ...latest];
    // R2 deletes up to 1000 keys per call.
    for (let i = 0; i < r2Keys.length; i += 1000) await env.PAGES.delete(r2Keys.slice(i, i + 1000));
    // Counted once per page key, in KV, R2 or both; the `latest` copies are not counted (as EdgeApi.purge).
    const deleted = new Set([...kv.map((k) => k.name), ...r2.map((o) => o.key)]).size;
    return { deleted, ...(await this.forgetInRunningEdge(store, persona)) };
  }

  async stats(store: string): Promise<PersonaStats[]> {
    await this.knownStore(store);
    return (await this.runningEdge("stats")).stats(store);
  }

  async llmStatus(): Promise<LlmStatus> {
    // The breaker is a Durable Object of the running edge, like the queue.
    return (await this.runningEdge("stats")).llmStatus();
  }

  async cacheState(store: string): Promise<PersonaCacheState[]> {
    await this.knownStore(store);
    return (await this.runningEdge("warm")).cacheState(store);
  }

  async warm(store: string): Promise<EnqueueResult[]> {
    await this.knownStore(store);
    return (await this.runningEdge("warm")).warm(store);
  }

  async close(): Promise<void> {
    if (this.proxy) await (await this.proxy).dispose();
    this.proxy = null;
  }

  /** Throws a usage error naming the known stores when `store` is not one of them. */
  private async knownStore(store: string): Promise<StoreSummary> {
    const stores = await this.stores();
    const found = stores.find((s) => s.store === store);
    if (!found) {
      const known = stores.map((s) => s.store).join(", ") || "none";
      throw usageError(`unknown store "${store}" in ${this.where} (known: ${known})`);
    }
    return found;
  }

  /**
   * The variant the edge serves as current, per persona, read as the edge reads it: the settings and
   * selection snapshots in KV first, D1 (ShopSettings, PersonaSelection) when they are missing. A
   * persona without a selection yet has no current variant (the edge computes it on first use).
   */
  private async currentVariants(store: string): Promise<Map<Persona, string>> {
    const { env } = await this.open();
    const variants = new Map<Persona, string>();
    let settingsVersion = versioned.safeParse(await env.CACHE.get(settingsKey(store), "json")).data?.settingsVersion;
    settingsVersion ??= (await env.DB.prepare("SELECT settingsVersion FROM ShopSettings WHERE store = ?").bind(store).first<{ settingsVersion: number }>())?.settingsVersion;
    if (settingsVersion === undefined) return variants;
    const rows = (await env.DB.prepare("SELECT persona, merchVersion FROM PersonaSelection WHERE store = ?").bind(store).all<{ persona: string; merchVersion: string }>()).results;
    for (const persona of PERSONAS) {
      let merchVersion = merchVersioned.safeParse(await env.CACHE.get(selectionKey(store, persona), "json")).data?.merchVersion;
      merchVersion ??= rows.find((r) => r.persona === persona)?.merchVersion;
      if (merchVersion !== undefined) variants.set(persona, cacheVariant({ merchVersion, settingsVersion, promptVersion: PROMPT_VERSION }));
    }
    return variants;
  }

  private async runningEdge(command: string): Promise<OpsClient> {
    if (!this.edge) {
      throw new CliError(
        `${command} needs the running local edge (npm start) and its ops token: put OPS_TOKEN=… in edge-worker/.dev.vars before npm start, or pass --token / WAND_OPS_TOKEN`,
      );
    }
    return this.edge;
  }

  /** The running edge keeps pages in isolate memory for a minute; ask it to drop them too. */
  private async forgetInRunningEdge(store: string, persona: Persona | null): Promise<{ note?: string }> {
    if (!this.edge) return { note: "without the local edge's ops token, a running npm start edge may serve its in-memory copy for up to a minute" };
    try {
      await this.edge.purge(store, persona);
      return {};
    } catch (error) {
      if (error instanceof CliError && /cannot reach/.test(error.message)) return {};
      return { note: `the running edge did not confirm the purge (${errorText(error)}); its in-memory copy lives at most a minute` };
    }
  }

  private open(): Promise<{ env: EdgeBindings; dispose: () => Promise<void> }> {
    this.proxy ??= (async () => {
      const statePath = resolve(this.options.persistDir, "v3");
      // Opening a missing directory would silently create an empty state; say what is wrong instead.
      if (!existsSync(statePath)) {
        throw new CliError(`no local state at ${join(this.options.persistDir, "v3")}: run \`npm start\` once (it seeds the demo stores), or pass --persist <dir>`);
      }
      // Wrangler logs warnings about bindings it cannot offer outside the worker (Durable Objects); they are not ours to show.
      process.env.WRANGLER_LOG ??= "error";
      const { getPlatformProxy } = await import("wrangler");
      const config = await storageOnlyConfig(this.options.configPath);
      try {
        // getPlatformProxy's persist path is the state directory itself (wrangler dev appends v3/ to --persist-to).
        const proxy = await getPlatformProxy<EdgeBindings>({ configPath: config.path, persist: { path: statePath }, remoteBindings: false });
        return {
          env: proxy.env,
          dispose: async () => {
            await proxy.dispose();
            config.remove();
          },
        };
      } catch (error) {
        config.remove();
        throw error;
      }
    })();
    return this.proxy;
  }
}

async function listKv(kv: KvBinding, prefix: string): Promise<KvListing[]> {
  const keys: KvListing[] = [];
  let cursor: string | undefined;
  do {
    const page = await kv.list({ prefix, ...(cursor ? { cursor } : {}) });
    keys.push(...page.keys);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return keys;
}

async function listR2(r2: R2Binding, prefix: string): Promise<R2Listing[]> {
  const objects: R2Listing[] = [];
  let cursor: string | undefined;
  do {
    const page = await r2.list({ prefix, include: ["customMetadata"], ...(cursor ? { cursor } : {}) });
    objects.push(...page.objects);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return objects;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
