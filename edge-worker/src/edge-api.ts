import { WorkerEntrypoint } from "cloudflare:workers";
import { cacheKeyPrefix, isStoreId } from "../../core/cache-key.ts";
import type { EdgeApiContract, EnqueueResult, LlmStatus, PersonaCacheState, PersonaStats, PreviewResult } from "../../core/edge-api.ts";
import type { CatalogSyncState, CatalogSyncTrigger, ProductEvent } from "../../core/edge-api.ts";
import { MAX_BUYER_LOOKUP, type EdgeSetupState, type ExperimentCountsWithBuyers } from "../../core/edge-api.ts";
import { SHOPPER_HASH_PATTERN, customerShopperId, type ExperimentCounts } from "../../core/experiment.ts";
import { hashString } from "../../core/hash.ts";
import { latestPageKey, settingsKey, type PageMeta } from "../../core/storage-keys.ts";
import { FALLBACK_REASONS, PERSONAS, isPersona, type FallbackReason, type Persona, type PersonaSignals, type ShopSettings } from "../../core/types.ts";
import { detectPersona } from "../../core/persona.ts";
import { countProducts, forgetProducts } from "./catalog/product-rows.ts";
import { forgetExperiment, forgetExperimentCustomer, readExperimentCounts } from "./experiment/stats-read.ts";
import { forgetSelections } from "./catalog/selection-store.ts";
import { llmBreaker } from "./llm-breaker.ts";
import { forgetPages, isLlmPage, latestKeyOf } from "./page-cache.ts";
import { allPoolMembers, forgetRecentEnqueues, poolMemberFor } from "./pool-routing.ts";
import { currentVariant, expandedHtml, generationJob, resolvePersonaPage } from "./shopper-page.ts";
import { flushStats, mergeStats } from "./stats.ts";
import { forgetSnapshots, loadSelection, loadSettings, refreshSnapshots } from "./store-data.ts";
import { publishedLanguages, type LocaleQuery, type ShopMarkets } from "../../core/locale.ts";
import { boundedLocaleValue } from "./markets/shopper-locale.ts";
import { keyLanguage, loadPageMarket, pageLanguagesOf } from "./markets/page-locale.ts";
import { selectionInLanguage } from "./markets/selection-language.ts";
import { forgetMarkets } from "./markets/markets-forget.ts";
import { deleteKvPrefix } from "./kv-prefix.ts";
import { loadShopMarkets } from "./markets/markets-store.ts";

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
    // The merchant may have chosen other languages for pages: their translations are read (durably, by the store's sync).
    if (publishedLanguages(await loadShopMarkets(this.env, store, null)).length > 1) await this.env.CATALOG_SYNC.getByName(store).refreshMarkets({ work: ["translations"] });
    return { settingsVersion: settings.settingsVersion, productCount: await countProducts(this.env.DB, store) };
  }

  async cacheState(store: string): Promise<PersonaCacheState[]> {
    const settings = await this.settingsOf(store);
    const languages = pageLanguagesOf(await loadShopMarkets(this.env, store, this.ctx), settings);
    const pending = new Map(
      (await Promise.all(allPoolMembers(this.env).map((m) => m.pendingJobs(store)))).flat().map((j) => [j.key, j] as const),
    );
    return Promise.all(
      PERSONAS.map(async (persona): Promise<PersonaCacheState> => {
        const base = await loadSelection(this.env, store, persona, this.ctx);
        // Each persona has its own variant per language: its selection's merchandising (translated) with the settings.
        const states = await Promise.all(
          languages.map(async (language) => {
            const selection = await selectionInLanguage(this.env, base, language, { fresh: false, waiter: this.ctx });
            const key = generationJob({ settings: { ...settings, scope: "persona" }, selection, persona, variant: currentVariant(settings, selection), language }).key;
            return { language, key, ...(await this.pageState(key, store, persona)) };
          }),
        );
        // The top-level fields are the primary language's (the first).
        const primary = states[0]!;
        const job = pending.get(primary.key);
        const waitReason = job?.waitReason ?? null;
        return {
          persona,
          enabled: settings.enabledPersonas.includes(persona),
          state: primary.state,
          key: primary.key,
          generatedAt: primary.generatedAt,
          source: primary.state === "missing" ? "template" : "llm",
          queued: job !== undefined,
          waitingReason: waitReason === "breaker_open" || FALLBACK_REASONS.includes(waitReason as FallbackReason) ? (waitReason as FallbackReason | "breaker_open") : null,
          waitingSince: waitReason !== null && job?.waitingSince != null ? new Date(job.waitingSince).toISOString() : null,
          languages: states.map((l) => ({ language: l.language, state: l.state, generatedAt: l.generatedAt })),
        };
      }),
    );
  }

  /** A key's LLM page: fresh (its own, or the language's latest is it), stale (an older variant's) or missing. */
  private async pageState(key: string, store: string, persona: Persona): Promise<{ state: "fresh" | "stale" | "missing"; generatedAt: string | null }> {
    const [exactHead, latestHead] = await Promise.all([this.env.PAGES.head(key), this.env.PAGES.head(latestKeyOf(key, store, persona))]);
    // Only LLM pages count: a template stored by older code is neither fresh nor stale.
    const exact = isLlmPage(exactHead) ? exactHead : null;
    const latest = isLlmPage(latestHead) ? latestHead : null;
    const found = exact ?? latest;
    const meta = found?.customMetadata as Partial<PageMeta> | undefined;
    return {
      state: exact ? "fresh" : latest ? (meta?.key === key ? "fresh" : "stale") : "missing",
      generatedAt: found ? (meta?.generatedAt ?? found.uploaded.toISOString()) : null,
    };
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

  async shopMarkets(store: string): Promise<ShopMarkets> {
    checkStore(store);
    return loadShopMarkets(this.env, store, this.ctx);
  }

  async preview(store: string, persona: Persona, signals: PersonaSignals = {}, localeQuery: LocaleQuery = {}): Promise<PreviewResult> {
    checkPersona(persona);
    const settings = await this.settingsOf(store);
    const base = await loadSelection(this.env, store, persona, this.ctx);
    // The market and language a shopper with these values gets (unknown ones: the primary ones, with the reasons).
    const market = await loadPageMarket(this.env, this.ctx, settings, base, boundedLocaleQuery(localeQuery));
    // The explanation is what the given signals would choose; the page is the persona asked for.
    const explained = detectPersona(signals, settings);
    const decision = { ...explained, persona };
    const page = await resolvePersonaPage(this.env, this.ctx, { settings, selection: market.selection, decision, language: market.locale.pageLanguage });
    // As a shopper would see it: the cards from the live facts, in the market's prices and the page language.
    const html = await expandedHtml(this.env, this.ctx, page, market.cards);
    return { html, cache: page.cache === "holdout" ? "miss" : page.cache, decision: explained, locale: market.locale };
  }

  /** Regenerates the persona's page in every generated language; answers for the primary language's. */
  async regenerate(store: string, persona: Persona): Promise<EnqueueResult> {
    checkPersona(persona);
    const settings = await this.settingsOf(store);
    const base = await loadSelection(this.env, store, persona, this.ctx);
    const results: EnqueueResult[] = [];
    for (const language of pageLanguagesOf(await loadShopMarkets(this.env, store, this.ctx), settings)) {
      const selection = await selectionInLanguage(this.env, base, language, { fresh: false, waiter: this.ctx });
      const job = generationJob({ settings: { ...settings, scope: "persona" }, selection, persona, variant: currentVariant(settings, selection), language });
      forgetRecentEnqueues(job.key);
      results.push(await poolMemberFor(this.env, job.key).enqueue(job, { force: true }));
    }
    return results[0]!;
  }

  async purge(store: string, persona?: Persona): Promise<number> {
    checkStore(store);
    if (persona !== undefined) checkPersona(persona);
    const personas = persona ? [persona] : [...PERSONAS];
    // Counted once per page key, whether it was in KV, R2 or both; `latest` copies are not counted.
    const deleted = new Set<string>();
    for (const p of personas) {
      const prefix = cacheKeyPrefix(store, p);
      for (const key of await deleteKvPrefix(this.env.CACHE, prefix)) deleted.add(key);
      for (const key of await deleteR2Prefix(this.env, prefix)) deleted.add(key);
      await this.env.PAGES.delete(latestPageKey(store, p));
      // The latest copies of the other page languages (latest/<store>/<persona>/<language>).
      await deleteR2Prefix(this.env, `${latestPageKey(store, p)}/`);
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
      // The holdout experiment's exposure and funnel log (shop/redact, uninstall).
      forgetExperiment(this.env, store),
      forgetMarkets(this.env, store),
      ...allPoolMembers(this.env).map((m) => m.forget(store)),
    ]);
    forgetSnapshots(store);
  }

  async forgetShopper(store: string, shopperId: string): Promise<void> {
    checkStore(store);
    if (typeof shopperId !== "string" || shopperId.length === 0 || shopperId.length > 200) throw new Error("invalid shopper id");
    const languageSegments = publishedLanguages(await loadShopMarkets(this.env, store, null)).flatMap((l) => keyLanguage(l) ?? []);
    // Scope-shopper pages are keyed by a hash of the shopper (core/cache-key.ts): find them by it. A
    // customer id (customers/redact) was served on the app proxy as "customer-<id>": both go.
    for (const served of [shopperId, customerShopperId(shopperId)]) {
      const marker = `/s-${hashString(`shopper:${served}`)}-`;
      // Queued jobs first, so none of them writes a page back after the deletion.
      await Promise.all(allPoolMembers(this.env).map((m) => m.forget(store, marker)));
      for (const persona of PERSONAS) {
        // Under every language segment: English pages have none, every other published language its own.
        for (const language of [undefined, ...languageSegments]) {
          const prefix = `${cacheKeyPrefix(store, persona, language)}${marker.slice(1)}`;
          await deleteKvPrefix(this.env.CACHE, prefix);
          await deleteR2Prefix(this.env, prefix);
          forgetPages(prefix, store);
        }
      }
    }
    // The customer's exposure and funnel rows in the holdout experiment's log.
    await forgetExperimentCustomer(this.env, store, shopperId);
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

  /**
   * The experiment's counts for the admin's results page (experiment/stats-read.ts), and where the
   * range first saw each buyer the admin asks about (the shopper hashes of its orders), so an order
   * counts for the arm and persona its buyer was counted in as a visitor.
   */
  async experimentCounts(store: string, from: string, to: string, buyers: readonly string[] = []): Promise<ExperimentCountsWithBuyers> {
    checkStore(store);
    if (!Array.isArray(buyers) || buyers.length > MAX_BUYER_LOOKUP) throw new Error(`experimentCounts: at most ${MAX_BUYER_LOOKUP} buyers per call`);
    const bad = buyers.find((b) => typeof b !== "string" || !SHOPPER_HASH_PATTERN.test(b));
    if (bad !== undefined) throw new Error(`experimentCounts: not a shopper hash: ${JSON.stringify(bad).slice(0, 40)}`);
    let counts: ExperimentCounts;
    try {
      counts = await readExperimentCounts(this.env, store, from, to);
    } catch (error) {
      // The range checks' RangeError, said as the caller's mistake it is.
      throw new Error(`experimentCounts: ${error instanceof Error ? error.message : String(error)}`);
    }
    const found = buyers.length > 0 ? await this.env.EXPOSURES.getByName(store).firstExposures(from, to, [...new Set(buyers)]) : [];
    return { ...counts, buyers: found };
  }
}

function checkStore(store: unknown): asserts store is string {
  if (!isStoreId(store)) throw new Error(`invalid store id: ${JSON.stringify(store)}`);
}

function checkPersona(persona: unknown): asserts persona is Persona {
  if (!isPersona(persona)) throw new Error(`invalid persona: ${JSON.stringify(persona)}`);
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

/** The admin's preview values, bounded like a shopper's (an odd value resolves to the primary market). */
function boundedLocaleQuery(q: LocaleQuery | undefined): LocaleQuery {
  if (!q || typeof q !== "object") return {};
  return { country: boundedLocaleValue(q.country), language: boundedLocaleValue(q.language), currency: boundedLocaleValue(q.currency), rootUrl: boundedLocaleValue(q.rootUrl) };
}
