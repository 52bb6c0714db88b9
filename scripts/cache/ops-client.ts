import { z } from "zod";
import type { EnqueueResult, LlmStatus, PersonaCacheState, PersonaStats } from "../../core/edge-api.ts";
import { OPS_PREFIX, type CacheEntry, type StoreSummary } from "../../core/ops-contract.ts";
import { FALLBACK_REASONS, PERSONAS, type Persona } from "../../core/types.ts";
import type { CacheBackend, PurgeOutcome } from "./backend.ts";
import { CliError, usageError } from "./cli-error.ts";

/**
 * The edge's ops endpoint over HTTP (contract in core/ops-contract.ts). Answers are validated here,
 * at the boundary, so a wrong URL (some other site answering 200) fails with a clear message.
 */

const persona = z.enum(PERSONAS);
const StoreSummarySchema = z.object({ store: z.string(), shopName: z.string(), installed: z.boolean(), enabledPersonas: z.array(persona) });
const CacheEntrySchema = z.object({
  key: z.string(),
  store: z.string(),
  persona,
  variant: z.string(),
  perShopper: z.boolean(),
  current: z.boolean(),
  source: z.enum(["llm", "template"]).nullable(),
  model: z.string().nullable(),
  generatedAt: z.string().nullable(),
  inKv: z.boolean(),
  inR2: z.boolean(),
  kvExpiration: z.number().nullable(),
  bytes: z.number().nullable(),
});
const CacheStateSchema = z.object({
  persona,
  enabled: z.boolean(),
  state: z.enum(["fresh", "stale", "missing"]),
  key: z.string(),
  generatedAt: z.string().nullable(),
  source: z.enum(["llm", "template"]).nullable(),
  queued: z.boolean(),
  // Absent from edges older than the LLM breaker.
  waitingReason: z.enum([...FALLBACK_REASONS, "breaker_open"]).nullable().default(null),
  waitingSince: z.string().nullable().default(null),
  // Per page language (issue 13); absent from edges older than markets.
  languages: z.array(z.object({ language: z.string(), state: z.enum(["fresh", "stale", "missing"]), generatedAt: z.string().nullable() })).default([]),
});
const LlmStatusSchema = z.object({
  state: z.enum(["closed", "open", "half-open"]),
  since: z.string(),
  consecutiveFailures: z.number(),
  lastReason: z.enum(FALLBACK_REASONS).nullable(),
  lastError: z.string().nullable(),
  lastFailureAt: z.string().nullable(),
  retryAt: z.string().nullable(),
  openedCount: z.number(),
  templateMode: z.boolean(),
});
const count = z.number();
const StatsSchema = z.object({
  persona,
  hits: count,
  misses: count,
  stale: count,
  holdout: count,
  jobsQueued: count,
  jobsRefused: count,
  jobsDone: count,
  jobsFailed: count,
  medianLatencyMs: z.number().nullable(),
  promptTokens: count,
  completionTokens: count,
  recentLatenciesMs: z.array(z.number()),
});
const EnqueueSchema = z.object({ key: z.string(), status: z.enum(["queued", "duplicate", "refused", "fresh"]) });
// The edge answers errors as { error: <code>, reason: <words> } (edge-worker/src/http-error.ts).
const ErrorSchema = z.object({ error: z.string(), reason: z.string().optional() });

export class OpsClient implements CacheBackend {
  readonly where: string;

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.where = `edge ${baseUrl}`;
  }

  async stores(): Promise<StoreSummary[]> {
    return (await this.call("GET", "/stores", z.object({ stores: z.array(StoreSummarySchema) }))).stores;
  }

  async pages(store: string): Promise<CacheEntry[]> {
    return (await this.call("GET", `/stores/${store}/pages`, z.object({ pages: z.array(CacheEntrySchema) }))).pages;
  }

  async purge(store: string, p: Persona | null): Promise<PurgeOutcome> {
    const body = p === null ? {} : { persona: p };
    return { deleted: (await this.call("POST", `/stores/${store}/purge`, z.object({ deleted: z.number() }), body)).deleted };
  }

  async stats(store: string): Promise<PersonaStats[]> {
    return (await this.call("GET", `/stores/${store}/stats`, z.object({ personas: z.array(StatsSchema) }))).personas;
  }

  async llmStatus(): Promise<LlmStatus> {
    return (await this.call("GET", "/llm", z.object({ llm: LlmStatusSchema }))).llm;
  }

  async cacheState(store: string): Promise<PersonaCacheState[]> {
    return (await this.call("GET", `/stores/${store}/state`, z.object({ personas: z.array(CacheStateSchema) }))).personas;
  }

  async warm(store: string): Promise<EnqueueResult[]> {
    return (await this.call("POST", `/stores/${store}/warm`, z.object({ results: z.array(EnqueueSchema) }), {})).results;
  }

  async close(): Promise<void> {}

  private async call<T>(method: "GET" | "POST", path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const url = `${this.baseUrl}${OPS_PREFIX}${path}`;
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers: { authorization: `Bearer ${this.token}`, accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      throw new CliError(`cannot reach the edge at ${this.baseUrl}: ${reason}`);
    }
    const text = await response.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      // Not JSON: handled below with the status.
    }
    if (!response.ok) {
      const error = ErrorSchema.safeParse(json).data;
      const reason = error?.reason ?? error?.error ?? `HTTP ${response.status}`;
      if (response.status === 401) throw new CliError(`the edge refused the ops token (401): ${reason}`);
      // 400 and 404 are about what the operator asked for (a bad persona, an unknown store).
      if (response.status === 400 || response.status === 404) throw usageError(reason);
      throw new CliError(`${method} ${path} failed: ${reason}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new CliError(`${url} did not answer like a WandStore ops endpoint (${z.prettifyError(parsed.error).split("\n")[0]})`);
    return parsed.data;
  }
}
