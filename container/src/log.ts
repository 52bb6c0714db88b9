import type { GenerationResult } from "../../core/types.ts";
import { NO_MODEL } from "./generate.ts";
import type { GenerateRequest } from "./request-schema.ts";

/** One JSON object per line on stdout: what log collectors (and `wrangler tail`) parse. */
export type LogSink = (line: string) => void;

export const stdoutSink: LogSink = (line) => process.stdout.write(`${line}\n`);

export function logEvent(sink: LogSink, event: string, fields: Record<string, unknown>, level: "info" | "warn" | "error" = "info"): void {
  sink(JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }));
}

/** The one structured line per generation: what was asked, what came out, what it cost. */
export function logGeneration(sink: LogSink, request: GenerateRequest, result: GenerationResult, extra: { productsPlaced: number }): void {
  logEvent(sink, "generation", {
    key: request.job.key,
    store: request.job.store,
    persona: request.job.persona,
    attempt: request.job.attempt,
    queuedMs: Math.max(0, Date.now() - request.job.enqueuedAt),
    source: result.source,
    model: result.model,
    durationMs: result.durationMs,
    promptTokens: result.usage.promptTokens,
    completionTokens: result.usage.completionTokens,
    productsPlaced: extra.productsPlaced,
    htmlBytes: Buffer.byteLength(result.html),
    warnings: result.warnings,
  }, result.source === "template" && result.model !== NO_MODEL ? "warn" : "info"); // warn: the LLM was tried and failed
}
