import type { GenerationResult } from "../../core/types.ts";
import { NO_MODEL } from "./generate.ts";
import type { GenerateRequest } from "./request-schema.ts";

/** One JSON object per line on stdout: what log collectors (and `wrangler tail`) parse. */
export type LogSink = (line: string) => void;

export const stdoutSink: LogSink = (line) => process.stdout.write(`${line}\n`);

export function logEvent(sink: LogSink, event: string, fields: Record<string, unknown>, level: "info" | "warn" | "error" = "info"): void {
  sink(JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }));
}

/** The pool's LLM circuit breaker as the request header `X-Wand-Breaker` states it (edge-worker/src/llm-breaker.ts). */
export const BREAKER_HEADER = "x-wand-breaker";
const BREAKER_STATES = new Set(["closed", "open", "half-open"]);

/** The header's value if it names a breaker state, else null (absent, or not from the pool). */
export function breakerStateOf(header: string | undefined): string | null {
  return header !== undefined && BREAKER_STATES.has(header) ? header : null;
}

/**
 * The one structured line per generation: what was asked, what came out, what it cost, why it is a
 * fallback (null for an LLM page) and the pool's breaker state when the call was made.
 */
export function logGeneration(
  sink: LogSink,
  request: GenerateRequest,
  result: GenerationResult,
  extra: { productsPlaced: number; breaker?: string | null },
): void {
  logEvent(sink, "generation", {
    key: request.job.key,
    store: request.job.store,
    persona: request.job.persona,
    attempt: request.job.attempt,
    queuedMs: Math.max(0, Date.now() - request.job.enqueuedAt),
    source: result.source,
    fallback: result.fallback,
    breaker: extra.breaker ?? null,
    model: result.model,
    durationMs: result.durationMs,
    promptTokens: result.usage.promptTokens,
    completionTokens: result.usage.completionTokens,
    productsPlaced: extra.productsPlaced,
    htmlBytes: Buffer.byteLength(result.html),
    warnings: result.warnings,
  }, result.source === "template" && result.model !== NO_MODEL ? "warn" : "info"); // warn: the LLM was tried and failed
}
