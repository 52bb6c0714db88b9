import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import type { EnqueueResult } from "../../core/edge-api.ts";
import { cacheVariant, parseCacheKey } from "../../core/cache-key.ts";
import { PROMPT_VERSION } from "../../core/prompt-version.ts";
import { DEFAULT_JOB_LANGUAGE, PERSONAS, type GenerationJob, type Persona } from "../../core/types.ts";
import { edgeConfig } from "./config.ts";
import { MAX_LLM_WAIT_MS, UNUSABLE_ATTEMPTS, actionFor, fallbackConfig } from "./fallback-policy.ts";
import { generatorFor } from "./generator-client.ts";
import { JobStore, MAX_ATTEMPTS, retryDelayMs, type ClaimedJob, type LogRow } from "./job-store.ts";
import { llmBreaker, type BreakerOutcome } from "./llm-breaker.ts";
import { pageExists, writePage } from "./page-cache.ts";
import { poolMemberName } from "./pool-routing.ts";
import { readSelection } from "./catalog/selection-store.ts";
import { selectionInLanguage } from "./markets/selection-language.ts";
import { loadSettings } from "./store-data.ts";

/**
 * One member of the generation pool (DESIGN.md, "The generation pipeline"): a durable FIFO queue in
 * its own SQLite storage, processed one job per alarm. Alarms are at-least-once and an object can be
 * restarted at any point, so every step is idempotent: a job is marked in flight under a lease
 * before work starts, a job found in flight without a live owner is resumed, and a job whose page
 * already exists is finished without calling the generator.
 *
 * A fallback (an answer with `fallback` set) is never written as the key's page
 * (docs/decisions/0004-fallbacks-and-llm-breaker.md): the job stays queued until the LLM answers,
 * and the shared LLM breaker (llm-breaker.ts) decides whether the generator is called at all.
 */

export interface JobStatus {
  key: string;
  state: "queued" | "inflight" | "done" | "skipped" | "failed" | "none";
  attempts: number;
  /** Last error while queued for a retry; the outcome's reason once finished. */
  reason: string | null;
}

export interface PoolPersonaStats {
  persona: Persona;
  jobsQueued: number;
  jobsRefused: number;
  jobsDone: number;
  jobsFailed: number;
  promptTokens: number;
  completionTokens: number;
}

export interface PoolStoreStats {
  personas: PoolPersonaStats[];
  /** Generation latencies of done jobs, oldest first. */
  latencies: { persona: Persona; durationMs: number; at: number }[];
}

const JobSchema = z.object({
  key: z.string().max(300),
  store: z.string(),
  persona: z.enum(PERSONAS),
  shopper: z.string().max(200).optional(),
  variant: z.string(),
  merchVersion: z.string(),
  // The page language (core/types.ts GenerationJob.language); absent on jobs queued before languages.
  language: z.string().max(35).optional(),
  settingsVersion: z.number().int(),
  promptVersion: z.string(),
  enqueuedAt: z.number(),
  attempt: z.number().int().min(0),
});

/** Extra time on top of the generator timeout before an in-flight job counts as abandoned. */
const LEASE_SLACK_MS = 30_000;
const RECENT_LATENCIES = 50;

export class PoolMember extends DurableObject<Env> {
  private readonly jobs: JobStore;
  // Identifies this incarnation of the object: a lease held by another id belongs to a crashed one.
  private readonly instanceId = crypto.randomUUID();
  private busyUntil = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.jobs = new JobStore(ctx.storage.sql);
  }

  private get memberName(): string {
    return this.ctx.id.name ?? this.ctx.id.toString();
  }

  /** Queues a job; `force` regenerates even when the key's page already exists (admin "regenerate"). */
  async enqueue(input: GenerationJob, options: { force?: boolean } = {}): Promise<EnqueueResult> {
    const job = JobSchema.parse(input);
    const parsedKey = parseCacheKey(job.key);
    if (!parsedKey || parsedKey.store !== job.store || parsedKey.persona !== job.persona || parsedKey.variant !== job.variant || (parsedKey.language ?? DEFAULT_JOB_LANGUAGE) !== (job.language ?? DEFAULT_JOB_LANGUAGE)) {
      throw new TypeError(`job key ${JSON.stringify(job.key)} does not match its store/persona/language/variant`);
    }
    const force = options.force === true;
    if (!force && !this.jobs.get(job.key) && (await pageExists(this.env, job.key))) return { key: job.key, status: "fresh" };
    const status = this.jobs.add(job, force, Date.now());
    if (status === "queued") await this.wake(Date.now());
    return { key: job.key, status };
  }

  async status(key: string): Promise<JobStatus> {
    const row = this.jobs.get(key);
    if (row) return { key, state: row.state === "inflight" ? "inflight" : "queued", attempts: row.attempts, reason: row.last_error };
    const log = this.jobs.lastLog(key);
    if (log) return { key, state: log.outcome as JobStatus["state"], attempts: log.attempts, reason: log.reason };
    return { key, state: "none", attempts: 0, reason: null };
  }

  async stats(store: string): Promise<PoolStoreStats> {
    const personas = this.jobs.counters(store).flatMap((c): PoolPersonaStats[] =>
      PERSONAS.includes(c.persona as Persona)
        ? [
            {
              persona: c.persona as Persona,
              jobsQueued: c.queued,
              jobsRefused: c.refused,
              jobsDone: c.done,
              jobsFailed: c.failed,
              promptTokens: c.prompt_tokens,
              completionTokens: c.completion_tokens,
            },
          ]
        : [],
    );
    const latencies = this.jobs
      .recentLatencies(store, RECENT_LATENCIES)
      .flatMap((l) => (PERSONAS.includes(l.persona as Persona) ? [{ persona: l.persona as Persona, durationMs: l.durationMs, at: l.at }] : []));
    return { personas, latencies };
  }

  /** The failed log of a store: jobs dropped after their last attempt, with the reason. */
  async failures(store: string): Promise<LogRow[]> {
    return this.jobs.failedLog(store);
  }

  async pending(store: string): Promise<string[]> {
    return this.jobs.pendingKeys(store);
  }

  /** Queued and in-flight keys of a store, with why and since when each waits for the LLM. */
  async pendingJobs(store: string): Promise<{ key: string; waitReason: string | null; waitingSince: number | null }[]> {
    return this.jobs.pendingJobs(store);
  }

  /** The LLM answers again (the breaker closed): jobs waiting for it are due now. */
  async resume(): Promise<number> {
    const now = Date.now();
    const resumed = this.jobs.resumeWaiting(now);
    if (resumed > 0) await this.wake(now);
    return resumed;
  }

  /** See JobStore.forget: a store's queue, log and counters, or only the keys containing a part. */
  async forget(store: string, keyContains?: string): Promise<number> {
    return this.jobs.forget(store, keyContains);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    if (now < this.busyUntil) {
      // An earlier alarm of this incarnation is mid-job; it schedules the next one when done. The
      // lease expiry is the safety net should it never finish.
      await this.wake(this.busyUntil);
      return;
    }
    const claimed = this.claimNext(now);
    if (claimed) {
      this.busyUntil = claimed.row.lease_until ?? 0;
      try {
        await this.run(claimed);
      } finally {
        this.busyUntil = 0;
      }
    }
    const next = this.jobs.nextWakeAt();
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(next, Date.now()));
  }

  private claimNext(now: number): ClaimedJob | null {
    const leaseUntil = now + edgeConfig(this.env).generatorTimeoutMs + LEASE_SLACK_MS;
    for (;;) {
      const abandoned = this.jobs.abandoned(this.instanceId, now);
      if (!abandoned) break;
      if (abandoned.attempts < MAX_ATTEMPTS) return this.jobs.claim(abandoned, this.instanceId, leaseUntil);
      this.jobs.finish(abandoned, failure(`interrupted during attempt ${abandoned.attempts} (object restarted)`), now);
    }
    const due = this.jobs.nextDue(now);
    return due ? this.jobs.claim(due, this.instanceId, leaseUntil) : null;
  }

  /** Queues the page of the current variant for a superseded job (same store, persona, shopper, language). */
  private async enqueueSuccessor(job: GenerationJob, variant: string, merchVersion: string, settingsVersion: number): Promise<void> {
    if (!job.key.endsWith(job.variant)) return;
    const key = job.key.slice(0, job.key.length - job.variant.length) + variant;
    const successor: GenerationJob = { ...job, key, variant, merchVersion, settingsVersion, promptVersion: PROMPT_VERSION, enqueuedAt: Date.now(), attempt: 0 };
    const name = poolMemberName(key, edgeConfig(this.env).poolSize);
    try {
      await (name === this.memberName ? this.enqueue(successor) : this.env.POOL.getByName(name).enqueue(successor));
    } catch (error) {
      console.warn("queueing the current variant failed", key, error);
    }
  }

  private async run(claimed: ClaimedJob): Promise<void> {
    const { job, row, force } = claimed;
    const started = Date.now();
    try {
      // Idempotency first: a page under this exact key means an earlier run got there.
      if (!force && (await pageExists(this.env, job.key))) return this.jobs.finish(row, skipped("already fresh"), Date.now());
      const settings = await loadSettings(this.env, job.store, null);
      if (!settings) return this.jobs.finish(row, skipped("store is not installed"), Date.now());
      // The persona's selection as D1/KV have it now (not an isolate's copy), in the job's language
      // (the merchant's translations of its products): a job whose merchandising, translations or
      // settings moved on since it was queued is superseded by the job of the new variant.
      const selection = await selectionInLanguage(this.env, await readSelection(this.env, job.store, job.persona), job.language, { fresh: true });
      const variant = cacheVariant({ merchVersion: selection.merchVersion, settingsVersion: settings.settingsVersion, promptVersion: PROMPT_VERSION });
      if (variant !== job.variant) {
        // The shopper who queued this saw an older copy (an isolate's snapshot lags a sync by up to
        // SNAPSHOT_TTL): queue the current variant's page in its place, or nobody would until the
        // next shopper's miss.
        await this.enqueueSuccessor(job, variant, selection.merchVersion, settings.settingsVersion);
        return this.jobs.finish(row, skipped(`superseded: the store's variant is now ${variant}`), Date.now());
      }

      // The shared breaker first: while the LLM is down nobody calls, and the job loses nothing.
      const permit = await llmBreaker(this.env).permit(Date.now(), this.memberName);
      if (!permit.allow) {
        return this.jobs.waitForLlm(row.id, permit.retryAt, "breaker_open", `LLM breaker open until ${new Date(permit.retryAt).toISOString()}`, Date.now());
      }
      let result;
      try {
        result = await generatorFor(this.env, this.memberName).generate({ job, selection, settings }, { breaker: permit.state });
      } catch (error) {
        await this.report({ kind: "inconclusive" });
        throw error;
      }
      const now = Date.now();
      const why = result.warnings.length ? result.warnings.join("; ").slice(0, 500) : null;
      if (result.fallback !== null) {
        const reason = result.fallback;
        const message = `${reason}${why ? `: ${why}` : ""}`;
        // The queue is updated before the breaker hears of it: the decision survives a restart.
        switch (actionFor(reason)) {
          case "wait":
            this.jobs.waitForLlm(row.id, now + this.llmWaitMs(row.waits + 1), reason, message, now);
            return this.report({ kind: "transient", reason, error: message });
          case "park":
            this.jobs.waitForLlm(row.id, now + fallbackConfig(this.env).templateModeRetryMs, reason, message, now);
            return this.report({ kind: "template_mode" });
          case "retry-bounded":
            if (claimed.attempt >= UNUSABLE_ATTEMPTS) {
              this.jobs.finish(row, { ...failure(`${message} (after ${claimed.attempt} attempts)`), source: result.source, fallback: reason }, now);
            } else {
              this.jobs.retryLater(row.id, now + retryDelayMs(claimed.attempt, edgeConfig(this.env).retryBaseMs), message);
            }
            // The LLM answered, so it is reachable; the page itself was not usable.
            return this.report({ kind: "answered" });
        }
      }
      await writePage(this.env, job.store, job.persona, result.html, {
        key: job.key,
        variant: job.variant,
        source: "llm",
        model: result.model,
        generatedAt: new Date().toISOString(),
      });
      this.jobs.finish(
        row,
        {
          outcome: "done",
          reason: why,
          durationMs: Date.now() - started,
          promptTokens: result.usage.promptTokens,
          completionTokens: result.usage.completionTokens,
          source: result.source,
          fallback: null,
        },
        Date.now(),
      );
      await this.report({ kind: "answered" });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const now = Date.now();
      if (claimed.attempt >= MAX_ATTEMPTS) {
        this.jobs.finish(row, failure(`${reason} (after ${claimed.attempt} attempts)`), now);
      } else {
        this.jobs.retryLater(row.id, now + retryDelayMs(claimed.attempt, edgeConfig(this.env).retryBaseMs), reason);
      }
    }
  }

  /** Capped exponential backoff (with jitter) between two transient LLM failures of a job. */
  private llmWaitMs(waits: number): number {
    return Math.min(MAX_LLM_WAIT_MS, retryDelayMs(waits, edgeConfig(this.env).retryBaseMs));
  }

  /**
   * Tells the breaker how the call went; when the LLM answered, wakes the members whose jobs wait
   * for it. A breaker fault never fails the job: the page is written, or the job already re-queued.
   */
  private async report(outcome: BreakerOutcome): Promise<void> {
    try {
      const { wake } = await llmBreaker(this.env).record(outcome, Date.now(), this.memberName);
      await Promise.all(
        wake.map((name) => (name === this.memberName ? this.resume() : this.env.POOL.getByName(name).resume()).catch((error: unknown) => console.warn("waking pool member failed", name, error))),
      );
    } catch (error) {
      console.warn("LLM breaker unavailable", error);
    }
  }

  private async wake(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}

function skipped(reason: string) {
  return { outcome: "skipped" as const, reason, durationMs: null, promptTokens: 0, completionTokens: 0, source: null, fallback: null };
}

function failure(reason: string) {
  return { outcome: "failed" as const, reason, durationMs: null, promptTokens: 0, completionTokens: 0, source: null, fallback: null };
}
