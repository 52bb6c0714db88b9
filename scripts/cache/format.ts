import type { LlmStatus } from "../../core/edge-api.ts";

/** Plain-text output helpers: aligned tables, ages, progress bars. No colours: output is often piped. */

export function formatTable(headers: string[], rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** "42s", "7m", "3h", "2d" — the age of an ISO timestamp relative to `now`. */
export function formatAge(iso: string | null, now: number): string {
  if (iso === null) return "-";
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "?";
  return formatDuration((now - then) / 1000);
}

/** "42s", "7m", "3h", "2d" — a span of seconds, rounded to its largest sensible unit. */
export function formatDuration(spanSeconds: number): string {
  const seconds = Math.max(0, Math.round(spanSeconds));
  if (seconds < 90) return `${seconds}s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)}m`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return "-";
  if (bytes < 1024) return `${bytes} B`;
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** `[########----------] 2/4` */
export function progressBar(done: number, total: number, width = 24): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`;
}

/** One line for the pool's LLM breaker, e.g. "LLM breaker: open since 12s ago, probe in 18s — 5 failures in a row (llm_unreachable: …)". */
export function formatLlmStatus(llm: LlmStatus, now: number): string {
  const parts = [`LLM breaker: ${llm.state} since ${formatAge(llm.since, now)} ago`];
  if (llm.retryAt) parts[0] += `, probe in ${formatDuration(Math.max(0, (Date.parse(llm.retryAt) - now) / 1000))}`;
  if (llm.templateMode) parts.push("generator in template mode (no LLM_API_KEY)");
  if (llm.consecutiveFailures > 0) parts.push(`${llm.consecutiveFailures} failure${llm.consecutiveFailures === 1 ? "" : "s"} in a row`);
  if (llm.lastError) parts.push(`last error ${formatAge(llm.lastFailureAt, now)} ago: ${llm.lastError}`);
  parts.push(`opened ${llm.openedCount} time${llm.openedCount === 1 ? "" : "s"}`);
  return parts.join(" — ");
}
