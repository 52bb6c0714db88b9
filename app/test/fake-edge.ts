import type {
  CatalogSyncState,
  CatalogSyncTrigger,
  EdgeApiContract,
  EdgeSetupState,
  EnqueueResult,
  LlmStatus,
  PersonaCacheState,
  PersonaStats,
  PreviewResult,
  ProductEvent,
} from "../../core/edge-api.ts";
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

  async cacheState(store: string): Promise<PersonaCacheState[]> {
    this.record("cacheState", [store]);
    return PERSONAS.map((persona) => {
      const key = `ui/${store}/${persona}/v1`;
      const generatedAt = this.generated.get(key) ?? null;
      const queued = this.pending.has(key);
      // A queued job finishes on the next look, like a fast generator.
      if (queued) {
        this.pending.delete(key);
        this.generated.set(key, new Date(Date.now() + 1000).toISOString());
      }
      return { persona, enabled: true, state: generatedAt ? "fresh" : "missing", key, generatedAt, source: generatedAt ? "llm" : null, queued, waitingReason: null, waitingSince: null };
    });
  }

  /** The pool's LLM breaker: closed, as with an LLM that answers. */
  async llmStatus(): Promise<LlmStatus> {
    this.record("llmStatus", []);
    return { state: "closed", since: new Date(0).toISOString(), consecutiveFailures: 0, lastReason: null, lastError: null, lastFailureAt: null, retryAt: null, openedCount: 0, templateMode: false };
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

  async preview(store: string, persona: Persona, signals?: PersonaSignals): Promise<PreviewResult> {
    this.record("preview", [store, persona, signals]);
    const utm = signals?.utm?.source ?? null;
    return {
      html: `<!doctype html><html><body data-wand-persona="${persona}"><h1>${store} ${persona}</h1><script>parent.hacked = true</script></body></html>`,
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

  async setupState(store: string): Promise<EdgeSetupState> {
    this.record("setupState", [store]);
    const n = this.proxyRequests.get(store) ?? 0;
    return { proxyRequests: n, firstProxyRequestAt: n > 0 ? new Date(0).toISOString() : null };
  }
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
