import type { GenerationJob, Persona } from "../../core/types.ts";

/**
 * The durable state of one pool member, in its own SQLite storage: the FIFO job queue, the log of
 * finished jobs (done, skipped, failed — the failed log) and cumulative counters per store+persona.
 * Pure SQL over `SqlStorage`, no timers and no I/O, so the Durable Object and the tests share it.
 */

/** At most this many jobs (queued + in flight) per member; more are refused. */
export const QUEUE_LIMIT = 100;
/** Attempts per job (a crash mid-job counts as one), then the failed log. */
export const MAX_ATTEMPTS = 5;
/** Finished-job rows kept for status and latency charts; older rows are pruned. */
const LOG_LIMIT = 500;

export type JobState = "queued" | "inflight";
export type Outcome = "done" | "skipped" | "failed";

export type JobRow = {
  id: number;
  key: string;
  store: string;
  persona: string;
  job: string;
  force: number;
  state: string;
  attempts: number;
  not_before: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  /** Times the job has waited for the LLM (transient fallback, breaker, template mode): its backoff exponent. */
  waits: number;
  /** Why it waits for the LLM (a FallbackReason or "breaker_open"); null when not waiting. */
  wait_reason: string | null;
  /** When it first waited for the LLM (ms); null when never. */
  waiting_since: number | null;
};

export type LogRow = {
  key: string;
  store: string;
  persona: string;
  outcome: string;
  reason: string | null;
  attempts: number;
  duration_ms: number | null;
  prompt_tokens: number;
  completion_tokens: number;
  source: string | null;
  /** Why a template came back instead of an LLM page (core/types.ts FallbackReason), else null. */
  fallback: string | null;
  at: number;
};

export type CounterRow = {
  store: string;
  persona: string;
  queued: number;
  refused: number;
  done: number;
  failed: number;
  prompt_tokens: number;
  completion_tokens: number;
};

export interface ClaimedJob {
  row: JobRow;
  job: GenerationJob;
  force: boolean;
  /** Attempt number of this run (1-based), already stored. */
  attempt: number;
}

export interface FinishedJob {
  outcome: Outcome;
  reason: string | null;
  durationMs: number | null;
  promptTokens: number;
  completionTokens: number;
  source: string | null;
  fallback: string | null;
}

export class JobStore {
  constructor(private readonly sql: SqlStorage) {
    // Created on first use; IF NOT EXISTS keeps it idempotent across object restarts.
    sql.exec(`CREATE TABLE IF NOT EXISTS jobs (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      key TEXT NOT NULL UNIQUE,
      store TEXT NOT NULL,
      persona TEXT NOT NULL,
      job TEXT NOT NULL,
      force INTEGER NOT NULL DEFAULT 0,
      state TEXT NOT NULL DEFAULT 'queued',
      attempts INTEGER NOT NULL DEFAULT 0,
      not_before INTEGER NOT NULL,
      lease_owner TEXT,
      lease_until INTEGER,
      last_error TEXT,
      waits INTEGER NOT NULL DEFAULT 0,
      wait_reason TEXT,
      waiting_since INTEGER
    )`);
    // Queues created before LLM waits existed gain the columns (objects keep their storage across deploys).
    const jobColumns = new Set(sql.exec<{ name: string }>("PRAGMA table_info(jobs)").toArray().map((c) => c.name));
    if (!jobColumns.has("waits")) sql.exec("ALTER TABLE jobs ADD COLUMN waits INTEGER NOT NULL DEFAULT 0");
    if (!jobColumns.has("wait_reason")) sql.exec("ALTER TABLE jobs ADD COLUMN wait_reason TEXT");
    if (!jobColumns.has("waiting_since")) sql.exec("ALTER TABLE jobs ADD COLUMN waiting_since INTEGER");
    sql.exec(`CREATE TABLE IF NOT EXISTS job_log (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      key TEXT NOT NULL,
      store TEXT NOT NULL,
      persona TEXT NOT NULL,
      outcome TEXT NOT NULL,
      reason TEXT,
      attempts INTEGER NOT NULL,
      duration_ms INTEGER,
      prompt_tokens INTEGER NOT NULL DEFAULT 0,
      completion_tokens INTEGER NOT NULL DEFAULT 0,
      source TEXT,
      fallback TEXT,
      at INTEGER NOT NULL
    )`);
    // Logs created before the fallback column existed gain it (objects keep their storage across deploys).
    const columns = sql.exec<{ name: string }>("PRAGMA table_info(job_log)").toArray();
    if (!columns.some((c) => c.name === "fallback")) sql.exec("ALTER TABLE job_log ADD COLUMN fallback TEXT");
    sql.exec(`CREATE INDEX IF NOT EXISTS job_log_key ON job_log(key)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS counters (
      store TEXT NOT NULL,
      persona TEXT NOT NULL,
      queued INTEGER NOT NULL DEFAULT 0,
      refused INTEGER NOT NULL DEFAULT 0,
      done INTEGER NOT NULL DEFAULT 0,
      failed INTEGER NOT NULL DEFAULT 0,
      prompt_tokens INTEGER NOT NULL DEFAULT 0,
      completion_tokens INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (store, persona)
    )`);
  }

  /**
   * Adds a job unless its key is already queued or in flight (then a forced request upgrades the
   * queued row to forced) or the queue is full (counted as refused).
   */
  add(job: GenerationJob, force: boolean, now: number): "queued" | "duplicate" | "refused" {
    const existing = this.sql.exec<{ id: number }>("SELECT id FROM jobs WHERE key = ?", job.key).toArray()[0];
    if (existing) {
      if (force) this.sql.exec("UPDATE jobs SET force = 1 WHERE id = ?", existing.id);
      return "duplicate";
    }
    if (this.size() >= QUEUE_LIMIT) {
      this.bump(job.store, job.persona, "refused", 1);
      return "refused";
    }
    this.sql.exec(
      "INSERT INTO jobs (key, store, persona, job, force, not_before) VALUES (?, ?, ?, ?, ?, ?)",
      job.key,
      job.store,
      job.persona,
      JSON.stringify(job),
      force ? 1 : 0,
      now,
    );
    this.bump(job.store, job.persona, "queued", 1);
    return "queued";
  }

  size(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM jobs").one().n;
  }

  get(key: string): JobRow | null {
    return this.sql.exec<JobRow>("SELECT * FROM jobs WHERE key = ?", key).toArray()[0] ?? null;
  }

  lastLog(key: string): LogRow | null {
    return this.sql.exec<LogRow>("SELECT * FROM job_log WHERE key = ? ORDER BY id DESC LIMIT 1", key).toArray()[0] ?? null;
  }

  /** An in-flight row whose lease has no live owner: the member restarted (or was cancelled) mid-job. */
  abandoned(owner: string, now: number): JobRow | null {
    return (
      this.sql
        .exec<JobRow>(
          "SELECT * FROM jobs WHERE state = 'inflight' AND (lease_owner IS NOT ? OR lease_until <= ?) ORDER BY id LIMIT 1",
          owner,
          now,
        )
        .toArray()[0] ?? null
    );
  }

  /** The oldest queued job that is due (FIFO; a job backing off does not block the ones behind it). */
  nextDue(now: number): JobRow | null {
    return (
      this.sql.exec<JobRow>("SELECT * FROM jobs WHERE state = 'queued' AND not_before <= ? ORDER BY id LIMIT 1", now).toArray()[0] ??
      null
    );
  }

  /** Marks the row in flight under a lease and counts the attempt before any work starts. */
  claim(row: JobRow, owner: string, leaseUntil: number): ClaimedJob {
    const attempt = row.attempts + 1;
    this.sql.exec(
      "UPDATE jobs SET state = 'inflight', attempts = ?, lease_owner = ?, lease_until = ? WHERE id = ?",
      attempt,
      owner,
      leaseUntil,
      row.id,
    );
    const job = JSON.parse(row.job) as GenerationJob;
    return { row: { ...row, state: "inflight", attempts: attempt, lease_owner: owner, lease_until: leaseUntil }, job: { ...job, attempt }, force: row.force === 1, attempt };
  }

  /** Puts a failed attempt back in the queue, due at `notBefore`. */
  retryLater(id: number, notBefore: number, error: string): void {
    this.sql.exec(
      "UPDATE jobs SET state = 'queued', not_before = ?, lease_owner = NULL, lease_until = NULL, last_error = ?, wait_reason = NULL WHERE id = ?",
      notBefore,
      error,
      id,
    );
  }

  /**
   * Puts a job back that waited for the LLM (a transient fallback, an open breaker, template mode):
   * its attempt is given back — attempts bound generator faults, not LLM outages — and it is due at
   * `notBefore`. The first wait's time is kept, for "waiting for the LLM since".
   */
  waitForLlm(id: number, notBefore: number, reason: string, error: string, now: number): void {
    this.sql.exec(
      `UPDATE jobs SET state = 'queued', not_before = ?, lease_owner = NULL, lease_until = NULL, last_error = ?,
         attempts = MAX(0, attempts - 1), waits = waits + 1, wait_reason = ?, waiting_since = COALESCE(waiting_since, ?) WHERE id = ?`,
      notBefore,
      error,
      reason,
      now,
      id,
    );
  }

  /** Makes every job waiting for the LLM due now (it answers again); returns how many. */
  resumeWaiting(now: number): number {
    return this.sql.exec("UPDATE jobs SET not_before = ? WHERE state = 'queued' AND wait_reason IS NOT NULL AND not_before > ?", now, now).rowsWritten;
  }

  /** Keys queued or in flight for a store, with why and since when each waits for the LLM. */
  pendingJobs(store: string): { key: string; waitReason: string | null; waitingSince: number | null }[] {
    return this.sql
      .exec<{ key: string; wait_reason: string | null; waiting_since: number | null }>("SELECT key, wait_reason, waiting_since FROM jobs WHERE store = ?", store)
      .toArray()
      .map((r) => ({ key: r.key, waitReason: r.wait_reason, waitingSince: r.waiting_since }));
  }

  /** Removes the job and writes its outcome to the log and the counters (the failed log included). */
  finish(row: JobRow, result: FinishedJob, now: number): void {
    this.sql.exec("DELETE FROM jobs WHERE id = ?", row.id);
    this.sql.exec(
      `INSERT INTO job_log (key, store, persona, outcome, reason, attempts, duration_ms, prompt_tokens, completion_tokens, source, fallback, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.key,
      row.store,
      row.persona,
      result.outcome,
      result.reason,
      row.attempts,
      result.durationMs,
      result.promptTokens,
      result.completionTokens,
      result.source,
      result.fallback,
      now,
    );
    if (result.outcome === "done") {
      this.bump(row.store, row.persona, "done", 1);
      this.bump(row.store, row.persona, "prompt_tokens", result.promptTokens);
      this.bump(row.store, row.persona, "completion_tokens", result.completionTokens);
    } else if (result.outcome === "failed") {
      this.bump(row.store, row.persona, "failed", 1);
    }
    this.sql.exec("DELETE FROM job_log WHERE id <= (SELECT MAX(id) FROM job_log) - ?", LOG_LIMIT);
  }

  /** When the next alarm is needed: the earliest due job or the expiry of a lease, else null. */
  nextWakeAt(): number | null {
    const row = this.sql
      .exec<{ at: number | null }>(
        "SELECT MIN(CASE WHEN state = 'queued' THEN not_before ELSE lease_until END) AS at FROM jobs",
      )
      .one();
    return row.at;
  }

  counters(store: string): CounterRow[] {
    return this.sql.exec<CounterRow>("SELECT * FROM counters WHERE store = ?", store).toArray();
  }

  /** Latencies of generated pages (oldest first) for one store, with when they finished. */
  recentLatencies(store: string, limit: number): { persona: string; durationMs: number; at: number }[] {
    return this.sql
      .exec<{ persona: string; duration_ms: number; at: number }>(
        `SELECT persona, duration_ms, at FROM (SELECT id, persona, duration_ms, at FROM job_log
           WHERE store = ? AND outcome = 'done' AND duration_ms IS NOT NULL ORDER BY id DESC LIMIT ?) ORDER BY id`,
        store,
        limit,
      )
      .toArray()
      .map((r) => ({ persona: r.persona, durationMs: r.duration_ms, at: r.at }));
  }

  failedLog(store: string): LogRow[] {
    return this.sql.exec<LogRow>("SELECT * FROM job_log WHERE store = ? AND outcome = 'failed' ORDER BY id", store).toArray();
  }

  /** Keys queued or in flight for a store (cache state in the admin). */
  pendingKeys(store: string): string[] {
    return this.sql.exec<{ key: string }>("SELECT key FROM jobs WHERE store = ?", store).toArray().map((r) => r.key);
  }

  /**
   * Forgets a store's jobs, log and counters (uninstall, shop/redact), or with `keyContains` only the
   * jobs and log rows of matching keys (a shopper's pages, customers/redact). Returns jobs removed.
   */
  forget(store: string, keyContains?: string): number {
    if (keyContains) {
      const pattern = `%${keyContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const removed = this.sql.exec("DELETE FROM jobs WHERE store = ? AND key LIKE ? ESCAPE '\\'", store, pattern).rowsWritten;
      this.sql.exec("DELETE FROM job_log WHERE store = ? AND key LIKE ? ESCAPE '\\'", store, pattern);
      return removed;
    }
    const removed = this.sql.exec("DELETE FROM jobs WHERE store = ?", store).rowsWritten;
    this.sql.exec("DELETE FROM job_log WHERE store = ?", store);
    this.sql.exec("DELETE FROM counters WHERE store = ?", store);
    return removed;
  }

  private bump(store: string, persona: Persona | string, column: keyof Omit<CounterRow, "store" | "persona">, by: number): void {
    // The column name comes from the keyof type above, never from input.
    this.sql.exec(
      `INSERT INTO counters (store, persona, ${column}) VALUES (?, ?, ?)
       ON CONFLICT (store, persona) DO UPDATE SET ${column} = ${column} + excluded.${column}`,
      store,
      persona,
      by,
    );
  }
}

/** Longest wait between two attempts of a job. */
const MAX_RETRY_DELAY_MS = 5 * 60_000;

/**
 * Exponential backoff with jitter: attempt n waits base·2^(n-1), capped, scaled by a random factor
 * in [0.5, 1) so jobs that failed together (a generator outage) do not all come back together.
 */
export function retryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.5 + random() / 2));
}
