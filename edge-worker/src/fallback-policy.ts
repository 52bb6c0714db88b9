import { z } from "zod";
import type { FallbackReason } from "../../core/types.ts";

/**
 * What the pool does with a generator answer that is a fallback (core/types.ts FallbackReason;
 * docs/decisions/0004-fallbacks-and-llm-breaker.md). A fallback is never stored as the key's page:
 * - transient (the LLM did not answer): the job stays queued on a capped backoff without using one
 *   of its attempts, and counts towards the LLM breaker;
 * - answer_unusable (the LLM answered, the page failed the checks): retried a few times, then the
 *   failed log — another try may well succeed, an endless one would only spend tokens;
 * - template_mode (no LLM key): parked on a long backoff, so configuring a key is all it takes.
 */
export const TRANSIENT_REASONS: readonly FallbackReason[] = ["llm_unreachable", "llm_timeout", "llm_rate_limited", "llm_error"];

export type FallbackAction = "wait" | "retry-bounded" | "park";

export function actionFor(reason: FallbackReason): FallbackAction {
  if (reason === "answer_unusable") return "retry-bounded";
  if (reason === "template_mode") return "park";
  return "wait";
}

/** Attempts of a job whose LLM answers are unusable before it goes to the failed log. */
export const UNUSABLE_ATTEMPTS = 3;
/** Longest wait of a job between two transient LLM failures (the breaker usually holds it longer). */
export const MAX_LLM_WAIT_MS = 60_000;

const Schema = z.object({
  // Transient LLM failures in a row that open the breaker.
  LLM_BREAKER_THRESHOLD: z.coerce.number().int().min(1).default(5),
  // First cool-down of an open breaker; doubles per re-opening without a success, up to the cap.
  LLM_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(0).default(30_000),
  LLM_BREAKER_MAX_COOLDOWN_MS: z.coerce.number().int().min(0).default(30_000),
  // How long a job generated in template mode waits before it asks again (a key may be configured).
  TEMPLATE_MODE_RETRY_MS: z.coerce.number().int().min(0).default(60_000),
});

export interface FallbackConfig {
  breakerThreshold: number;
  breakerCooldownMs: number;
  breakerMaxCooldownMs: number;
  templateModeRetryMs: number;
}

const parsed = new WeakMap<object, FallbackConfig>();

export function fallbackConfig(env: Env): FallbackConfig {
  const cached = parsed.get(env);
  if (cached) return cached;
  const result = Schema.safeParse(env);
  if (!result.success) throw new Error(`edge-worker breaker vars are invalid: ${z.prettifyError(result.error)}`);
  const v = result.data;
  const config = {
    breakerThreshold: v.LLM_BREAKER_THRESHOLD,
    breakerCooldownMs: v.LLM_BREAKER_COOLDOWN_MS,
    breakerMaxCooldownMs: Math.max(v.LLM_BREAKER_COOLDOWN_MS, v.LLM_BREAKER_MAX_COOLDOWN_MS),
    templateModeRetryMs: v.TEMPLATE_MODE_RETRY_MS,
  };
  parsed.set(env, config);
  return config;
}
