import { describe, expect, it } from "vitest";
import { formatAge, formatBytes, formatTable, progressBar } from "./format.ts";

describe("format", () => {
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
