/**
 * An LLM outage on the whole stack `npm start` runs (the generator process and the edge under
 * `wrangler dev`, with the edge's production breaker settings of edge-worker/wrangler.jsonc): the fake
 * OpenAI-compatible LLM answers 503 for BENCH_OUTAGE_SECONDS (default 60) while shoppers keep arriving
 * over 3 demo stores × 4 personas; then it answers again after LATENCY_MS and the shoppers stop.
 * Two figures (ADR 0004):
 * - llm-calls: generator calls that reached the LLM during the outage (first attempts; the SDK's
 *   retries are reported beside). Target ≤ 10: threshold + the members in flight + the probes.
 * - recovery: seconds from the LLM's recovery until the ops state shows all 12 pages as LLM pages,
 *   with no shopper request. Target ≤ the configured cool-down + 2 × the LLM's latency.
 * A shopper 5xx, a non-template page during the outage, or a final page that is not the LLM page is
 * reported as the bench's error, never folded into a figure.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { OUTAGE_PAGES, runOutage } from "../e2e/helpers/outage-scenario.ts";
import type { BenchResult } from "./types.ts";

const LATENCY_MS = 500;
const PORTS = { edgePort: 18570, generatorPort: 18571, inspectorPort: 18572 };
// The edge's defaults (edge-worker/wrangler.jsonc), given explicitly so the targets can be stated.
const BREAKER = { threshold: 5, cooldownMs: 30_000, maxCooldownMs: 30_000, poolSize: 10, retryBaseMs: 2_000 };
const MAX_CALLS = 10;

function outageSeconds(): number {
  const raw = process.env.BENCH_OUTAGE_SECONDS ?? "60";
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`BENCH_OUTAGE_SECONDS must be a positive number of seconds, got ${JSON.stringify(raw)}`);
  return value;
}

export async function run(): Promise<BenchResult[]> {
  const seconds = outageSeconds();
  const report = await runOutage({
    ports: PORTS,
    outageMs: seconds * 1000,
    llmLatencyMs: LATENCY_MS,
    ...BREAKER,
    roundPauseMs: 500,
    // A bound on the wait loop only: past the breaker's cap something is broken.
    recoveryGiveUpMs: BREAKER.maxCooldownMs + 60_000,
  });

  const problems: string[] = [];
  const errors = report.duringOutage.filter((v) => v.status >= 500).length;
  if (errors) problems.push(`${errors} shopper requests answered 5xx during the outage`);
  const notTemplate = report.duringOutage.filter((v) => v.source !== "template" || v.cache !== "miss").length;
  if (notTemplate) problems.push(`${notTemplate} pages during the outage were not the template (miss)`);
  if (report.storedDuringOutage) problems.push(`${report.storedDuringOutage} pages stored during the outage`);
  const notLlm = report.finalVisits.filter((v) => v.status !== 200 || v.source !== "llm").map((v) => `${v.page}: ${v.status}/${v.source}`);
  if (notLlm.length) problems.push(`after recovery not LLM pages: ${notLlm.join(", ")}`);
  if (report.recoverySeconds === null) problems.push(`the 12 pages were not all LLM pages ${(BREAKER.maxCooldownMs + 60_000) / 1000} s after recovery`);
  const error = problems.length ? `${problems.join("; ")}\n${report.output.slice(-1500)}` : undefined;

  const b = report.breakerAtRecovery;
  const cooldownAtRecoveryMs = b.state === "open" && b.retryAt ? Date.parse(b.retryAt) - Date.parse(b.since) : 0;
  const setting =
    `${seconds} s outage (503 from a fake OpenAI-compatible LLM, ${LATENCY_MS} ms latency once back), ${report.duringOutage.length} shopper requests over ` +
    `${OUTAGE_PAGES.length} pages (3 demo stores × 4 personas); edge under wrangler dev with POOL_SIZE ${BREAKER.poolSize}, breaker threshold ${BREAKER.threshold}, ` +
    `cool-down ${BREAKER.cooldownMs / 1000} s (cap ${BREAKER.maxCooldownMs / 1000} s), RETRY_BASE_MS ${BREAKER.retryBaseMs}; the real generator (1 SDK retry).`;
  const recoveryTarget = (BREAKER.cooldownMs + 2 * LATENCY_MS) / 1000;
  return [
    {
      name: "outage-recovery/llm-calls",
      metrics: {
        llmCallsDuringOutage: report.llmCallsDuringOutage,
        llmHttpRequestsDuringOutage: report.llmRequestsDuringOutage,
        breakerOpenings: b.openedCount,
        outageSeconds: seconds,
        shopperRequests: report.duringOutage.length,
      },
      units: { llmCallsDuringOutage: "calls", llmHttpRequestsDuringOutage: "requests", breakerOpenings: "openings", outageSeconds: "s", shopperRequests: "requests" },
      notes: `generator calls reaching the LLM (first attempts; HTTP requests include the SDK's retry) during a ${setting}`,
      target: { metric: "llmCallsDuringOutage", max: MAX_CALLS, description: `LLM calls during the outage ≤ ${MAX_CALLS}` },
      pass: report.llmCallsDuringOutage <= MAX_CALLS && !error,
      ...(error ? { error } : {}),
    },
    {
      name: "outage-recovery/recovery",
      metrics: {
        // Absent when never reached (the error says so): no made-up figure.
        ...(report.recoverySeconds !== null ? { recoverySeconds: report.recoverySeconds } : {}),
        cooldownAtRecoverySeconds: cooldownAtRecoveryMs / 1000,
        llmAnswersAfterRecovery: report.llmAnsweredAfterRecovery,
        llmLatencyMs: LATENCY_MS,
      },
      units: { recoverySeconds: "s", cooldownAtRecoverySeconds: "s", llmAnswersAfterRecovery: "answers", llmLatencyMs: "ms" },
      notes:
        `LLM back → all 12 pages LLM pages in the ops state (polled every 100 ms, no shopper request), after a ${setting} ` +
        `cooldownAtRecoverySeconds: the breaker's cool-down in effect when the LLM came back (it doubles per re-opening).`,
      target: { metric: "recoverySeconds", max: recoveryTarget, description: `recovery ≤ cool-down + 2 × LLM latency (${recoveryTarget} s)` },
      pass: report.recoverySeconds !== null && report.recoverySeconds <= recoveryTarget && !error,
      ...(error ? { error } : {}),
    },
  ];
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) console.log(JSON.stringify(await run(), null, 2));
