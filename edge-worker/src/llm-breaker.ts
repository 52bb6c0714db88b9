import { DurableObject } from "cloudflare:workers";
import type { LlmBreakerState, LlmStatus } from "../../core/edge-api.ts";
import type { FallbackReason } from "../../core/types.ts";
import { edgeConfig } from "./config.ts";
import { fallbackConfig } from "./fallback-policy.ts";

/**
 * The circuit breaker in front of the LLM, one instance for the whole pool (`LLM_BREAKER`,
 * getByName("llm")): the LLM is one shared dependency, so ten members learning about an outage
 * separately would cost ten times the calls. Before calling the generator a member asks `permit`;
 * afterwards it reports the outcome with `record`.
 *
 * closed → (threshold transient failures in a row) → open for a cool-down → half-open: exactly one
 * probe call goes through (under a lease, should its member die mid-call) → an LLM answer closes it,
 * a transient failure opens it again with a doubled cool-down (capped). Members denied a call, or
 * whose job met a transient failure, are remembered as waiters; when the LLM answers again `record`
 * hands their names back so the caller wakes them — recovery does not wait for each job's backoff.
 *
 * The state is one SQLite row, so it survives restarts and is the same for every member.
 */

export type Permit = { allow: true; state: Exclude<LlmBreakerState, "open"> } | { allow: false; retryAt: number };

export type BreakerOutcome =
  /** The LLM answered (an LLM page, or an answer that was unusable: the LLM is reachable). */
  | { kind: "answered" }
  /** The LLM did not answer: unreachable, timeout, rate limited, 5xx. */
  | { kind: "transient"; reason: FallbackReason; error: string }
  /** The generator has no LLM key: says nothing about the LLM. */
  | { kind: "template_mode" }
  /** The generator itself failed before the LLM's fate was known (HTTP error, timeout, bad answer). */
  | { kind: "inconclusive" };

type Row = {
  state: string;
  since: number;
  failures: number;
  last_reason: string | null;
  last_error: string | null;
  last_failure_at: number | null;
  retry_at: number | null;
  opened_count: number;
  streak: number;
  probe_until: number | null;
  template_mode: number;
};

/** Extra time beyond the generator timeout before a probe that never reported counts as lost. */
const PROBE_SLACK_MS = 30_000;

export class LlmBreaker extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS breaker (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      state TEXT NOT NULL,
      since INTEGER NOT NULL,
      failures INTEGER NOT NULL DEFAULT 0,
      last_reason TEXT,
      last_error TEXT,
      last_failure_at INTEGER,
      retry_at INTEGER,
      opened_count INTEGER NOT NULL DEFAULT 0,
      streak INTEGER NOT NULL DEFAULT 0,
      probe_until INTEGER,
      template_mode INTEGER NOT NULL DEFAULT 0
    )`);
    this.sql.exec("CREATE TABLE IF NOT EXISTS waiters (member TEXT PRIMARY KEY)");
    this.sql.exec("INSERT OR IGNORE INTO breaker (id, state, since) VALUES (1, 'closed', ?)", Date.now());
  }

  /** May `member` call the generator now? Denied: not before `retryAt` (it is also woken on recovery). */
  async permit(now: number, member: string): Promise<Permit> {
    const row = this.row();
    if (row.state === "closed") return { allow: true, state: "closed" };
    if (row.state === "open") {
      if (now < (row.retry_at ?? 0)) return this.deny(member, row.retry_at ?? now);
      this.sql.exec("UPDATE breaker SET state = 'half-open', since = ?, probe_until = NULL WHERE id = 1", now);
      row.probe_until = null;
    }
    // Half-open: one probe at a time.
    if (row.probe_until !== null && now < row.probe_until) return this.deny(member, row.probe_until);
    this.sql.exec("UPDATE breaker SET probe_until = ? WHERE id = 1", now + edgeConfig(this.env).generatorTimeoutMs + PROBE_SLACK_MS);
    return { allow: true, state: "half-open" };
  }

  /** Records a call's outcome; returns the state now and the members to wake (the LLM answered). */
  async record(outcome: BreakerOutcome, now: number, member: string): Promise<{ state: LlmBreakerState; wake: string[] }> {
    const row = this.row();
    const config = fallbackConfig(this.env);
    switch (outcome.kind) {
      case "answered": {
        if (row.state !== "closed") this.sql.exec("UPDATE breaker SET state = 'closed', since = ?, streak = 0, retry_at = NULL WHERE id = 1", now);
        this.sql.exec("UPDATE breaker SET failures = 0, probe_until = NULL, template_mode = 0 WHERE id = 1");
        const wake = this.sql.exec<{ member: string }>("SELECT member FROM waiters").toArray().map((w) => w.member);
        this.sql.exec("DELETE FROM waiters");
        return { state: "closed", wake };
      }
      case "transient": {
        this.addWaiter(member);
        const failures = row.failures + 1;
        this.sql.exec(
          "UPDATE breaker SET failures = ?, last_reason = ?, last_error = ?, last_failure_at = ? WHERE id = 1",
          failures,
          outcome.reason,
          outcome.error.slice(0, 500),
          now,
        );
        const opens = row.state === "half-open" || (row.state === "closed" && failures >= config.breakerThreshold);
        if (!opens) return { state: this.effectiveState(row, now), wake: [] };
        const streak = row.streak + 1;
        const cooldown = Math.min(config.breakerMaxCooldownMs, config.breakerCooldownMs * 2 ** (streak - 1));
        this.sql.exec(
          "UPDATE breaker SET state = 'open', since = ?, retry_at = ?, streak = ?, opened_count = opened_count + 1, probe_until = NULL WHERE id = 1",
          now,
          now + cooldown,
          streak,
        );
        return { state: "open", wake: [] };
      }
      case "template_mode":
      case "inconclusive":
        // The LLM was not tried (or its fate is unknown): the state stays; a probe slot is freed.
        this.sql.exec(
          `UPDATE breaker SET probe_until = NULL${outcome.kind === "template_mode" ? ", template_mode = 1" : ""} WHERE id = 1`,
        );
        return { state: this.effectiveState(row, now), wake: [] };
    }
  }

  async status(now: number = Date.now()): Promise<LlmStatus> {
    const row = this.row();
    const state = this.effectiveState(row, now);
    return {
      state,
      since: new Date(state === "half-open" && row.state === "open" ? (row.retry_at ?? row.since) : row.since).toISOString(),
      consecutiveFailures: row.failures,
      lastReason: (row.last_reason as FallbackReason | null) ?? null,
      lastError: row.last_error,
      lastFailureAt: row.last_failure_at === null ? null : new Date(row.last_failure_at).toISOString(),
      retryAt: state === "open" && row.retry_at !== null ? new Date(row.retry_at).toISOString() : null,
      openedCount: row.opened_count,
      templateMode: row.template_mode === 1,
    };
  }

  private row(): Row {
    return this.sql.exec<Row>("SELECT * FROM breaker WHERE id = 1").one();
  }

  /** An open breaker whose cool-down is over is half-open, even before a member asks. */
  private effectiveState(row: Row, now: number): LlmBreakerState {
    if (row.state === "open" && now >= (row.retry_at ?? 0)) return "half-open";
    return row.state === "open" || row.state === "half-open" ? row.state : "closed";
  }

  private deny(member: string, retryAt: number): Permit {
    this.addWaiter(member);
    return { allow: false, retryAt };
  }

  private addWaiter(member: string): void {
    this.sql.exec("INSERT OR IGNORE INTO waiters (member) VALUES (?)", member);
  }
}

/** The pool's one breaker. */
export function llmBreaker(env: Env): DurableObjectStub<LlmBreaker> {
  return env.LLM_BREAKER.getByName("llm");
}
