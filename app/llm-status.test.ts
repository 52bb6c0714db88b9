import { describe, expect, it } from "vitest";
import type { LlmStatus } from "../core/edge-api.ts";
import { llmStatusLine } from "./llm-status.ts";
import { closedLlmStatus } from "./test/fake-edge.ts";

const base: LlmStatus = closedLlmStatus({ since: "2026-12-01T09:00:00.000Z" });
const time = (iso: string) => iso.slice(11, 16);

describe("the dashboard's LLM line", () => {
  it("shows the breaker's state, since when and the last error", () => {
    const open = llmStatusLine(
      { ok: true, value: { ...base, state: "open", consecutiveFailures: 5, lastReason: "llm_unreachable", lastError: "connect ECONNREFUSED", lastFailureAt: "2026-12-01T09:04:00.000Z", since: "2026-12-01T09:04:00.000Z", retryAt: "2026-12-01T09:04:30.000Z" } },
      time,
    );
    expect(open).toMatchObject({ tone: "critical", badge: "breaker open" });
    expect(open.text).toContain("5 times in a row");
    expect(open.text).toContain("since 09:04");
    expect(open.text).toContain("next try is at 09:04");
    expect(open.text).toContain("connect ECONNREFUSED");

    expect(llmStatusLine({ ok: true, value: { ...base, state: "half-open" } }, time)).toMatchObject({ tone: "warning", badge: "breaker half-open" });
    expect(llmStatusLine({ ok: true, value: base }, time)).toMatchObject({ tone: "success", badge: "breaker closed" });
  });

  it("never shows template mode or an unreadable state as fine", () => {
    expect(llmStatusLine({ ok: true, value: { ...base, templateMode: true } }, time)).toMatchObject({ tone: "warning", badge: "template mode" });
    expect(llmStatusLine({ ok: false, error: "edge down" }, time)).toMatchObject({ tone: "critical", badge: "unknown" });
  });
});
