import { WorkerEntrypoint } from "cloudflare:workers";
import { cacheKeyPrefix, isStoreId } from "../../core/cache-key.ts";
import type { EdgeApiContract, EnqueueResult, LlmStatus, PersonaCacheState, PersonaStats, PreviewResult } from "../../core/edge-api.ts";
import type { CatalogSyncState, CatalogSyncTrigger, ProductEvent } from "../../core/edge-api.ts";
import type { EdgeSetupState } from "../../core/edge-api.ts";
import { hashString } from "../../core/hash.ts";
import { latestPageKey, settingsKey, type PageMeta } from "../../core/storage-keys.ts";
import { FALLBACK_REASONS, PERSONAS, isPersona, type FallbackReason, type Persona, type PersonaSignals, type ShopSettings } from "../../core/types.ts";
import { detectPersona } from "../../core/persona.ts";
import { countProducts, forgetProducts } from "./catalog/product-rows.ts";
import { forgetSelections } from "./catalog/selection-store.ts";
import { llmBreaker } from "./llm-breaker.ts";
import { forgetPages, isLlmPage } from "./page-cache.ts";
import { allPoolMembers, forgetRecentEnqueues, poolMemberFor } from "./pool-routing.ts";
import { currentVariant, expandedHtml, generationJob, resolvePersonaPage } from "./shopper-page.ts";
import { flushStats, mergeStats } from "./stats.ts";
import { forgetSnapshots, loadSelection, loadSettings, refreshSnapshots } from "./store-data.ts";

/**
 * The edge's RPC surface for the admin app and the cache CLI (core/edge-api.ts), reached through a
 * service binding with entrypoint "EdgeApi" — never a public URL. Errors are thrown as plain Errors
 * with a reason; RPC carries them to the caller.
 */
export class EdgeApi extends WorkerEntrypoint<Env> implements EdgeApiContract {
  async refreshSnapshot(store: string): Promise<{ settingsVersion: number; productCount: number }> {
    checkStore(store);
    const { settings } = await refreshSnapshots(this.env, store);
    if (!settings) throw new Error(`store ${store} is unknown or not installed`);
    return { settingsVersion: settings.settingsVersion, productCount: await countProducts(this.env.DB, store) };
  }

  async cacheState(store: string): Promise<PersonaCacheState[]> {
    const settings = await this.settingsOf(store);
    const pending = new Map(
      (await Promise.all(allPoolMembers(this.env).map((m) => m.pendingJobs(store)))).flat().map((j) => [j.key, j] as const),
    );
    return Promise.all(
      PERSONAS.map(async (persona): Promise<PersonaCacheState> => {
        // Each persona has its own variant: its selection's merchandising with the settings.
        const selection = await loadSelection(this.env, store, persona, this.ctx);
        const variant = currentVariant(settings, selection);
        const key = generationJob({ settings: { ...settings, scope: "persona" }, selection, persona, variant }).key;
        const [exactHead, latestHead] = await Promise.all([this.env.PAGES.head(key), this.env.PAGES.head(latestPageKey(store, persona))]);
        // Only LLM pages count: a template stored by older code is neither fresh nor stale.
        const exact = isLlmPage(exactHead) ? exactHead : null;
        const latest = isLlmPage(latestHead) ? latestHead : null;
        const found = exact ?? latest;
        const meta = found?.customMetadata as Partial<PageMeta> | undefined;
        const job = pending.get(key);
        const waitReason = job?.waitReason ?? null;
        return {
          persona,
          enabled: settings.enabledPersonas.includes(persona),
          state: exact ? "fresh" : latest ? (meta?.key === key ? "fresh" : "stale") : "missing",
          key,
          generatedAt: found ? (meta?.generatedAt ?? found.uploaded.toISOString()) : null,
          source: found ? "llm" : "template",
          queued: job !== undefined,
          waitingReason: waitReason === "breaker_open" || FALLBACK_REASONS.includes(waitReason as FallbackReason) ? (waitReason as FallbackReason | "breaker_open") : null,
          waitingSince: waitReason !== null && job?.waitingSince != null ? new Date(job.waitingSince).toISOString() : null,
        };
      }),
    );
  }

  async llmStatus(): Promise<LlmStatus> {
    return llmBreaker(this.env).status();
  }

  async stats(store: string): Promise<PersonaStats[]> {
    checkStore(store);
    // This isolate's unsent counts first, so a caller sees its own recent traffic.
    await flushStats(this.env);
    const [requests, pools] = await Promise.all([
      this.env.STATS.getByName(store).read(),
      Promise.all(allPoolMembers(this.env).map((m) => m.stats(store))),
    ]);
    return mergeStats(requests, pools);
  }

  async preview(store: string, persona: Persona, signals: PersonaSignals = {}): Promise<PreviewResult> {
    checkPersona(persona);
    const settings = await this.settingsOf(store);
    const selection = await loadSelection(this.env, store, persona, this.ctx);
    // The explanation is what the given signals would choose; the page is the persona asked for.
    const explained = detectPersona(signals, settings);
    const decision = { ...explained, persona };
    const page = await resolvePersonaPage(this.env, this.ctx, { settings, selection, decision });
    // As a shopper would see it: the cards from the live facts.
    const html = await expandedHtml(this.env, this.ctx, page);
    return { html, cache: page.cache === "holdout" ? "miss" : page.cache, decision: explained };
  }

  async regenerate(store: string, persona: Persona): Promise<EnqueueResult> {
    checkPersona(persona);
    const settings = await this.settingsOf(store);
    const selection = await loadSelection(this.env, store, persona, this.ctx);
    const job = generationJob({ settings: { ...settings, scope: "persona" }, selection, persona, variant: currentVariant(settings, selection) });
    forgetRecentEnqueues(job.key);
    return poolMemberFor(this.env, job.key).enqueue(job, { force: true });
  }

  async purge(store: string, persona?: Persona): Promise<number> {
    checkStore(store);
    if (persona !== undefined) checkPersona(persona);
    const personas = persona ? [persona] : [...PERSONAS];
    // Counted once per page key, whether it was in KV, R2 or both; `latest` copies are not counted.
    const deleted = new Set<string>();
    for (const p of personas) {
      const prefix = cacheKeyPrefix(store, p);
      for (const key of await deleteKvPrefix(this.env, prefix)) deleted.add(key);
      for (const key of await deleteR2Prefix(this.env, prefix)) deleted.add(key);
      await this.env.PAGES.delete(latestPageKey(store, p));
      forgetPages(prefix, store);
      forgetRecentEnqueues(prefix);
    }
    return deleted.size;
  }

  /** Pages, snapshots, selections, product rows, queue and counters of a store (uninstall, shop/redact). */
  async forgetStore(store: string): Promise<void> {
    await this.purge(store);
    await Promise.all([
      this.env.CACHE.delete(settingsKey(store)),
      forgetSelections(this.env, store),
      forgetProducts(this.env.DB, store),
      this.env.STATS.getByName(store).clear(),
      ...allPoolMembers(this.env).map((m) => m.forget(store)),
    ]);
    forgetSnapshots(store);
  }

  async forgetShopper(store: string, shopperId: string): Promise<void> {
    checkStore(store);
    if (typeof shopperId !== "string" || shopperId.length === 0 || shopperId.length > 200) throw new Error("invalid shopper id");
    // Scope-shopper pages are keyed by a hash of the shopper (core/cache-key.ts): find them by it.
    const marker = `/s-${hashString(`shopper:${shopperId}`)}-`;
    // Queued jobs first, so none of them writes a page back after the deletion.
    await Promise.all(allPoolMembers(this.env).map((m) => m.forget(store, marker)));
    for (const persona of PERSONAS) {
      const prefix = `${cacheKeyPrefix(store, persona)}${marker.slice(1)}`;
      await deleteKvPrefix(this.env, prefix);
      await deleteR2Prefix(this.env, prefix);
      forgetPages(prefix, store);
    }
    await this.env.DB.prepare("DELETE FROM CustomerProfile WHERE store = ? AND customerId = ?").bind(store, shopperId).run();
  }

  private async settingsOf(store: string): Promise<ShopSettings> {
    checkStore(store);
    const settings = await loadSettings(this.env, store, this.ctx);
    if (!settings) throw new Error(`store ${store} is unknown or not installed`);
    return settings;
  }

  // ── Durable catalog sync (src/catalog/catalog-sync.ts): one CatalogSync object per store ──

  async startCatalogSync(store: string, shopDomain: string, trigger: CatalogSyncTrigger): Promise<CatalogSyncState> {
    checkStore(store);
    return this.env.CATALOG_SYNC.getByName(store).start({ shopDomain, trigger });
  }

  async catalogEvent(store: string, event: ProductEvent): Promise<{ status: "queued" | "duplicate" }> {
    checkStore(store);
    return this.env.CATALOG_SYNC.getByName(store).productEvent(event);
  }

  async bulkOperationFinished(store: string, o: { bulkOperationId: string; status: string }): Promise<void> {
    checkStore(store);
    await this.env.CATALOG_SYNC.getByName(store).bulkFinished(o);
  }

  async catalogSyncState(store: string): Promise<CatalogSyncState> {
    checkStore(store);
    return this.env.CATALOG_SYNC.getByName(store).state();
  }

  /** The setup guide's edge facts: shoppers served through the verified app proxy so far. */
  async setupState(store: string): Promise<EdgeSetupState> {
    checkStore(store);
    // This isolate's unsent counts first, as in stats().
    await flushStats(this.env);
    const proxy = await this.env.STATS.getByName(store).readProxy();
    return { proxyRequests: proxy.requests, firstProxyRequestAt: proxy.firstAt === null ? null : new Date(proxy.firstAt).toISOString() };
  }
}

function checkStore(store: unknown): asserts store is string {
  if (!isStoreId(store)) throw new Error(`invalid store id: ${JSON.stringify(store)}`);
}

function checkPersona(persona: unknown): asserts persona is Persona {
  if (!isPersona(persona)) throw new Error(`invalid persona: ${JSON.stringify(persona)}`);
}

async function deleteKvPrefix(env: Env, prefix: string): Promise<string[]> {
  const deleted: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.CACHE.list({ prefix, ...(cursor ? { cursor } : {}) });
    await Promise.all(page.keys.map((k) => env.CACHE.delete(k.name)));
    deleted.push(...page.keys.map((k) => k.name));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return deleted;
}

async function deleteR2Prefix(env: Env, prefix: string): Promise<string[]> {
  const deleted: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.PAGES.list({ prefix, ...(cursor ? { cursor } : {}) });
    if (page.objects.length) await env.PAGES.delete(page.objects.map((o) => o.key));
    deleted.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}
