import type {
  CatalogSyncState,
  CatalogSyncTrigger,
  EdgeApiContract,
  EdgeSetupState,
  EnqueueResult,
  ExperimentCountsWithBuyers,
  LlmStatus,
  PersonaCacheState,
  PersonaLanguageState,
  PersonaStats,
  PreviewResult,
  ProductEvent,
} from "../../core/edge-api.ts";
import { type LocaleQuery, type ShopMarkets, generatedLanguagesOf, publishedLanguages, resolveShopperLocale, singleMarketShop } from "../../core/locale.ts";
import type { Arm, FunnelEvent } from "../../core/experiment.ts";
import { parseSettingsRow } from "../../core/settings.ts";
import { PERSONAS, type Persona, type PersonaSignals, type ShopSettings } from "../../core/types.ts";

/**
 * The edge worker's RPC surface as the admin's Node tests see it: it reads the same D1 the admin
 * writes (like the real EdgeApi's refreshSnapshot) and records every call. The real edge is exercised
 * by the browser tests, which run both Workers in wrangler dev.
 */
export type EdgeCall = { method: keyof EdgeApiContract; args: unknown[] };

export class FakeEdge implements EdgeApiContract {
  readonly calls: EdgeCall[] = [];
  /** The snapshot the edge would serve, per store (what refreshSnapshot last read from D1). */
  readonly snapshots = new Map<string, ShopSettings>();
  failing: string | null = null;
  /**
   * The catalog sync state per store as a test sets it; a store without one reads as never synced,
   * with the live products counted from D1's Product rows (what the real CatalogSync reports).
   */
  readonly syncStates = new Map<string, CatalogSyncState>();
  /** Product events accepted per store (after de-duplication by event id). */
  readonly events = new Map<string, ProductEvent[]>();
  private readonly pending = new Set<string>();
  private readonly generated = new Map<string, string>();
  /** The shop's markets and published languages per store, as a test sets them (default: one US/USD/en market). */
  readonly markets = new Map<string, ShopMarkets>();
  /**
   * The LLM page of a non-primary language per `store/persona/language`, as a test sets it; one not
   * set reads as missing (shoppers of that language get the template).
   */
  readonly languagePages = new Map<string, { state: "fresh" | "stale"; generatedAt: string }>();

  constructor(private readonly db: D1Database) {}

  private record(method: keyof EdgeApiContract, args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.failing) throw new Error(this.failing);
  }

  callsOf(method: keyof EdgeApiContract): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  async refreshSnapshot(store: string) {
    this.record("refreshSnapshot", [store]);
    const row = await this.db.prepare("SELECT * FROM ShopSettings WHERE store = ?").bind(store).first<Record<string, unknown>>();
    if (!row) throw new Error(`store ${store} is unknown or not installed`);
    const settings = parseSettingsRow(row);
    this.snapshots.set(store, settings);
    return { settingsVersion: settings.settingsVersion, productCount: await this.liveProducts(store) };
  }

  private async liveProducts(store: string): Promise<number> {
    const row = await this.db.prepare("SELECT count(*) AS n FROM Product WHERE store = ? AND deleted = 0").bind(store).first<{ n: number }>();
    return row?.n ?? 0;
  }

  async catalogSyncState(store: string): Promise<CatalogSyncState> {
    this.record("catalogSyncState", [store]);
    const state = this.syncStates.get(store) ?? idleSyncState(await this.liveProducts(store));
    return { ...state, pendingEvents: state.pendingEvents + (this.events.get(store)?.length ?? 0) };
  }

  async startCatalogSync(store: string, shopDomain: string, trigger: CatalogSyncTrigger): Promise<CatalogSyncState> {
    this.record("startCatalogSync", [store, shopDomain, trigger]);
    const current = this.syncStates.get(store) ?? idleSyncState(await this.liveProducts(store));
    // A sync already running is joined, as the real Durable Object does.
    if (current.state === "running") return current;
    const running: CatalogSyncState = {
      ...current,
      state: "running",
      trigger,
      mode: null,
      productsSynced: 0,
      productsTotal: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      error: null,
    };
    this.syncStates.set(store, running);
    return running;
  }

  async catalogEvent(store: string, event: ProductEvent): Promise<{ status: "queued" | "duplicate" }> {
    this.record("catalogEvent", [store, event]);
    const seen = this.events.get(store) ?? [];
    if (seen.some((e) => e.eventId === event.eventId)) return { status: "duplicate" };
    seen.push(event);
    this.events.set(store, seen);
    return { status: "queued" };
  }

  async bulkOperationFinished(store: string, o: { bulkOperationId: string; status: string }): Promise<void> {
    this.record("bulkOperationFinished", [store, o]);
  }

  async shopMarkets(store: string): Promise<ShopMarkets> {
    this.record("shopMarkets", [store]);
    return this.marketsOf(store);
  }

  private marketsOf(store: string): ShopMarkets {
    return this.markets.get(store) ?? singleMarketShop({ country: "US", language: "en", currency: "USD" });
  }

  /** The saved language choice of the store (D1), as the real edge's settings snapshot carries it. */
  private async savedLanguages(store: string): Promise<string[]> {
    const row = await this.db.prepare("SELECT * FROM ShopSettings WHERE store = ?").bind(store).first<Record<string, unknown>>();
    return row ? parseSettingsRow(row).generatedLanguages : [];
  }

  async cacheState(store: string): Promise<PersonaCacheState[]> {
    this.record("cacheState", [store]);
    const shop = this.marketsOf(store);
    const languages = generatedLanguagesOf(shop, await this.savedLanguages(store));
    const primary = publishedLanguages(shop)[0];
    return PERSONAS.map((persona) => {
      const key = `ui/${store}/${persona}/v1`;
      const generatedAt = this.generated.get(key) ?? null;
      const queued = this.pending.has(key);
      // A queued job finishes on the next look, like a fast generator.
      if (queued) {
        this.pending.delete(key);
        this.generated.set(key, new Date(Date.now() + 1000).toISOString());
      }
      const state = generatedAt ? ("fresh" as const) : ("missing" as const);
      // The top-level fields are the primary language's page; other languages as a test set them.
      const perLanguage = languages.map((language): PersonaLanguageState => {
        if (language === primary) return { language, state, generatedAt };
        const page = this.languagePages.get(`${store}/${persona}/${language}`);
        return page ? { language, ...page } : { language, state: "missing", generatedAt: null };
      });
      return { persona, enabled: true, state, key, generatedAt, source: generatedAt ? "llm" : null, queued, waitingReason: null, waitingSince: null, languages: perLanguage };
    });
  }

  /** The pool's LLM breaker: closed, as with an LLM that answers. */
  async llmStatus(): Promise<LlmStatus> {
    this.record("llmStatus", []);
    return closedLlmStatus();
  }

  async stats(store: string): Promise<PersonaStats[]> {
    this.record("stats", [store]);
    return PERSONAS.map((persona, i) => ({
      persona,
      hits: 10 * (i + 1),
      misses: i,
      stale: 0,
      holdout: 0,
      jobsQueued: 1,
      jobsRefused: 0,
      jobsDone: i + 1,
      jobsFailed: persona === "dealhunter" ? 1 : 0,
      medianLatencyMs: 1200 + i * 100,
      promptTokens: 1000,
      completionTokens: 500,
      recentLatenciesMs: [1100, 1300, 1250, 1400],
    }));
  }

  async preview(store: string, persona: Persona, signals?: PersonaSignals, locale?: LocaleQuery): Promise<PreviewResult> {
    // Recorded as the admin called it: without a locale argument when none was given.
    this.record("preview", locale === undefined ? [store, persona, signals] : [store, persona, signals, locale]);
    const utm = signals?.utm?.source ?? null;
    const resolved = resolveShopperLocale(locale ?? {}, this.marketsOf(store), { generatedLanguages: await this.savedLanguages(store) });
    return {
      locale: resolved,
      html: `<!doctype html><html lang="${resolved.pageLanguage}"><body data-wand-persona="${persona}" data-currency="${resolved.currency}"><h1>${store} ${persona}</h1><script>parent.hacked = true</script></body></html>`,
      cache: "miss",
      decision: {
        persona: utm === "newsletter" ? "loyalist" : "explorer",
        scores: { minimalist: 0, explorer: 1, dealhunter: 0, loyalist: utm === "newsletter" ? 2 : 0 },
        reasons: utm ? [`utm_source=${utm}`] : [],
      },
    };
  }

  async regenerate(store: string, persona: Persona): Promise<EnqueueResult> {
    this.record("regenerate", [store, persona]);
    const key = `ui/${store}/${persona}/v1`;
    this.pending.add(key);
    return { key, status: "queued" };
  }

  async purge(store: string, persona?: Persona): Promise<number> {
    this.record("purge", [store, persona]);
    return 0;
  }

  async forgetStore(store: string): Promise<void> {
    this.record("forgetStore", [store]);
    this.snapshots.delete(store);
    this.syncStates.delete(store);
    this.events.delete(store);
  }

  async forgetShopper(store: string, shopperId: string): Promise<void> {
    this.record("forgetShopper", [store, shopperId]);
  }

  /** Requests served through the app proxy per store, as a test sets them (none by default). */
  readonly proxyRequests = new Map<string, number>();

  /**
   * The experiment's shopper rows per store, as a test sets them: one per (day, shopper) as the
   * ExposureLog keeps them, with the funnel events of that day. Read like the edge does: each shopper
   * once, on their first day in the range, in that day's arm and persona.
   */
  readonly exposures = new Map<string, { day: string; shopper: string; arm: Arm; persona: Persona; events?: FunnelEvent[] }[]>();

  async experimentCounts(store: string, from: string, to: string, buyers: readonly string[] = []): Promise<ExperimentCountsWithBuyers> {
    this.record("experimentCounts", [store, from, to, buyers]);
    const rows = (this.exposures.get(store) ?? []).filter((r) => r.day >= from && r.day <= to).sort((a, b) => a.day.localeCompare(b.day));
    const first = new Map<string, (typeof rows)[number]>();
    for (const r of rows) if (!first.has(r.shopper)) first.set(r.shopper, r);
    const tally = <K extends string>(keys: K[]) => {
      const m = new Map<K, number>();
      for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
      return [...m].sort(([a], [b]) => a.localeCompare(b));
    };
    const exposures = tally([...first.values()].map((r) => `${r.day}|${r.arm}|${r.persona}`)).map(([k, visitors]) => {
      const [day, arm, persona] = k.split("|") as [string, Arm, Persona];
      return { day, arm, persona, visitors };
    });
    const firstEvent = new Map<string, string>();
    for (const r of rows) for (const e of r.events ?? []) if (!firstEvent.has(`${r.shopper}|${e}`)) firstEvent.set(`${r.shopper}|${e}`, r.day);
    const funnel = tally(
      [...firstEvent].map(([k, day]) => {
        const [shopper, event] = k.split("|") as [string, FunnelEvent];
        const who = first.get(shopper)!;
        return `${day}|${who.arm}|${who.persona}|${event}`;
      }),
    ).map(([k, shoppers]) => {
      const [day, arm, persona, event] = k.split("|") as [string, Arm, Persona, FunnelEvent];
      return { day, arm, persona, event, shoppers };
    });
    const found = [...new Set(buyers)].flatMap((shopper) => {
      const r = first.get(shopper);
      return r ? [{ shopper, day: r.day, arm: r.arm, persona: r.persona }] : [];
    });
    return { store, from, to, exposures, funnel, buyers: found };
  }

  async setupState(store: string): Promise<EdgeSetupState> {
    this.record("setupState", [store]);
    const n = this.proxyRequests.get(store) ?? 0;
    return { proxyRequests: n, firstProxyRequestAt: n > 0 ? new Date(0).toISOString() : null };
  }
}

/** The pool's LLM breaker as it is with an LLM that answers; `o` changes what a test needs. */
export function closedLlmStatus(o: Partial<LlmStatus> = {}): LlmStatus {
  return { state: "closed", since: new Date(0).toISOString(), consecutiveFailures: 0, lastReason: null, lastError: null, lastFailureAt: null, retryAt: null, openedCount: 0, templateMode: false, ...o };
}

export function idleSyncState(liveProducts = 0): CatalogSyncState {
  return {
    state: "idle",
    trigger: null,
    mode: null,
    productsSynced: 0,
    productsTotal: null,
    startedAt: null,
    finishedAt: null,
    error: null,
    liveProducts,
    lastGoodAt: null,
    pendingEvents: 0,
  };
}
