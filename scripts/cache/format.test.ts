import { describe, expect, it } from "vitest";
import { formatAge, formatBytes, formatLlmStatus, formatTable, progressBar } from "./format.ts";

describe("format", () => {
  it("states the LLM breaker in one line: state, since, probe time, failures and the last error", () => {
    const now = Date.parse("2026-11-25T12:00:00Z");
    const open = {
      state: "open" as const,
      since: "2026-11-25T11:59:48Z",
      consecutiveFailures: 5,
      lastReason: "llm_unreachable" as const,
      lastError: "llm_unreachable: connect ECONNREFUSED",
      lastFailureAt: "2026-11-25T11:59:48Z",
      retryAt: "2026-11-25T12:00:18Z",
      openedCount: 2,
      templateMode: false,
    };
    expect(formatLlmStatus(open, now)).toBe(
      "LLM breaker: open since 12s ago, probe in 18s — 5 failures in a row — last error 12s ago: llm_unreachable: connect ECONNREFUSED — opened 2 times",
    );
    const closed = { ...open, state: "closed" as const, since: "2026-11-25T11:00:00Z", consecutiveFailures: 0, lastError: null, lastFailureAt: null, retryAt: null, openedCount: 0 };
    expect(formatLlmStatus(closed, now)).toBe("LLM breaker: closed since 60m ago — opened 0 times");
    expect(formatLlmStatus({ ...closed, templateMode: true }, now)).toContain("template mode (no LLM_API_KEY)");
  });

  it("aligns table columns, numbers to the right", () => {
    expect(formatTable(["persona", "hits"], [["explorer", "7"], ["dealhunter", "1200"]], new Set([1]))).toBe(
      ["persona     hits", "----------  ----", "explorer       7", "dealhunter  1200"].join("\n"),
    );
  });

  it("says ages the way people read them", () => {
    const now = Date.parse("2026-11-25T12:00:00Z");
    expect(formatAge("2026-11-25T11:59:18Z", now)).toBe("42s");
    expect(formatAge("2026-11-25T11:53:00Z", now)).toBe("7m");
    expect(formatAge("2026-11-25T09:00:00Z", now)).toBe("3h");
    expect(formatAge("2026-11-23T12:00:00Z", now)).toBe("2d");
    expect(formatAge(null, now)).toBe("-");
  });

  it("draws sizes and progress", () => {
    expect(formatBytes(31_744)).toBe("31.0 KB");
    expect(formatBytes(null)).toBe("-");
    expect(progressBar(2, 4, 8)).toBe("[####----] 2/4");
    expect(progressBar(0, 0, 4)).toBe("[####] 0/0");
  });
});
