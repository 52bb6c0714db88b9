import { beforeAll, describe, expect, it } from "vitest";
import { OUTAGE_PAGES, runOutage, type OutageReport } from "./helpers/outage-scenario.ts";

/**
 * An LLM outage on the whole stack `npm start` runs (the generator process and the edge under
 * `wrangler dev`; the LLM a fake OpenAI-compatible server on 127.0.0.1 that answers 503 while down):
 * shoppers keep arriving over 3 demo stores × 4 personas during OUTAGE_MS, then the LLM comes back
 * and the shoppers stop. ADR 0004: no 5xx ever, templates (never stored) during the outage, a
 * bounded number of LLM calls behind the pool's breaker, and every page an LLM page after recovery
 * with nobody outside the pool asking. The edge runs with a short, constant breaker cool-down.
 */

const OUTAGE_MS = 12_000;
const COOLDOWN_MS = 3_000;
const THRESHOLD = 5;
const POOL_SIZE = 10;
let report: OutageReport;

beforeAll(async () => {
  report = await runOutage({
    ports: { edgePort: 18560, generatorPort: 18561, inspectorPort: 18562 },
    outageMs: OUTAGE_MS,
    llmLatencyMs: 300,
    cooldownMs: COOLDOWN_MS,
    maxCooldownMs: COOLDOWN_MS,
    threshold: THRESHOLD,
    poolSize: POOL_SIZE,
    retryBaseMs: 200,
    recoveryGiveUpMs: 120_000,
  });
  console.log(
    `outage ${OUTAGE_MS / 1000} s: ${report.duringOutage.length} shopper requests, ${report.llmCallsDuringOutage} LLM calls ` +
      `(${report.llmRequestsDuringOutage} HTTP requests with the SDK's retries), breaker opened ${report.breakerAtRecovery.openedCount}×; ` +
      `all 12 pages LLM pages ${report.recoverySeconds?.toFixed(2) ?? "never"} s after recovery (${report.llmAnsweredAfterRecovery} LLM answers)`,
  );
}, 300_000);

describe("an LLM outage while shoppers keep arriving (3 stores × 4 personas)", () => {
  it("never answers a shopper with a 5xx, and serves the template page, persona kept, during the outage", () => {
    expect(report.duringOutage.length).toBeGreaterThanOrEqual(OUTAGE_PAGES.length * 2);
    expect(report.duringOutage.filter((v) => v.status !== 200)).toEqual([]);
    expect(report.duringOutage.filter((v) => v.source !== "template" || v.cache !== "miss")).toEqual([]);
    expect(report.duringOutage.filter((v) => !v.page.endsWith(`/${v.persona}`))).toEqual([]);
  });

  it("stores nothing as the pages' generated page while the LLM is down", () => {
    expect(report.storedDuringOutage).toBe(0);
    expect(report.stateDuringOutage).toHaveLength(OUTAGE_PAGES.length);
    expect(report.stateDuringOutage.filter((s) => s.state !== "missing" || s.source !== "template")).toEqual([]);
  });

  it("opens the breaker and keeps the LLM calls within threshold + one per member in flight + one probe per cool-down", () => {
    expect(report.breakerAtRecovery.state).not.toBe("closed");
    expect(report.breakerAtRecovery.openedCount).toBeGreaterThanOrEqual(1);
    // Probes: one per cool-down of the outage, plus one that may straddle the recovery.
    const probes = Math.ceil(OUTAGE_MS / COOLDOWN_MS) + 1;
    expect(report.llmCallsDuringOutage).toBeGreaterThanOrEqual(THRESHOLD);
    expect(report.llmCallsDuringOutage).toBeLessThanOrEqual(THRESHOLD + POOL_SIZE + probes);
    // The calls without the breaker would have been one per page per retry for the whole outage.
    expect(report.llmCallsDuringOutage).toBeLessThan(report.duringOutage.length);
  });

  it("makes every page an LLM page after recovery with no shopper asking, and serves it from cache", () => {
    expect(report.recoverySeconds, report.output.slice(-4000)).not.toBeNull();
    expect(report.llmAnsweredAfterRecovery).toBeGreaterThanOrEqual(OUTAGE_PAGES.length);
    expect(report.finalVisits.map((v) => ({ page: v.page, status: v.status, source: v.source }))).toEqual(
      OUTAGE_PAGES.map((p) => ({ page: `${p.store}/${p.persona}`, status: 200, source: "llm" })),
    );
    expect(report.finalVisits.filter((v) => !["memory", "kv", "r2"].includes(v.cache ?? ""))).toEqual([]);
  });
});
