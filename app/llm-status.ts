import type { LlmStatus } from "../core/edge-api.ts";

/**
 * The dashboard's line about the LLM: the pool's circuit breaker state, since when, and the last
 * error, in words. A breaker that is open or half-open, or template mode, is never shown as fine.
 */
export type LlmStatusReading = { ok: true; value: LlmStatus } | { ok: false; error: string };

export interface LlmStatusLine {
  tone: "success" | "warning" | "critical";
  badge: string;
  text: string;
}

export function llmStatusLine(reading: LlmStatusReading, formatTime: (iso: string) => string): LlmStatusLine {
  if (!reading.ok) return { tone: "critical", badge: "unknown", text: `The LLM's state cannot be read: ${reading.error}` };
  const s = reading.value;
  const lastError = s.lastError ? ` Last error${s.lastFailureAt ? ` (${formatTime(s.lastFailureAt)})` : ""}: ${s.lastError}.` : "";
  if (s.templateMode) {
    return { tone: "warning", badge: "template mode", text: `No LLM key is configured on the generator: shoppers get template pages, and they become LLM pages by themselves once a key is set.${lastError}` };
  }
  if (s.state === "open") {
    const next = s.retryAt ? ` The next try is at ${formatTime(s.retryAt)}.` : "";
    return {
      tone: "critical",
      badge: "breaker open",
      text: `The LLM failed ${s.consecutiveFailures} times in a row: calls are paused since ${formatTime(s.since)} and shoppers get the last AI page or the template meanwhile.${next}${lastError}`,
    };
  }
  if (s.state === "half-open") {
    return { tone: "warning", badge: "breaker half-open", text: `The LLM is being tried again since ${formatTime(s.since)} after repeated failures.${lastError}` };
  }
  return { tone: "success", badge: "breaker closed", text: `The LLM answers: calls go through (since ${formatTime(s.since)}).${lastError}` };
}
