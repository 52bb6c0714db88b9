import { describe, expect, it } from "vitest";
import { median, mergeStats } from "./stats.ts";

describe("stats", () => {
  it("takes the median of latencies", () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("merges request counts and every pool member's job stats per persona", () => {
    const merged = mergeStats(
      [{ persona: "explorer", hits: 10, misses: 2, stale: 1, holdout: 3 }],
      [
        {
          personas: [{ persona: "explorer", jobsQueued: 2, jobsRefused: 1, jobsDone: 1, jobsFailed: 1, promptTokens: 100, completionTokens: 40 }],
          latencies: [{ persona: "explorer", durationMs: 300, at: 2 }],
        },
        {
          personas: [{ persona: "explorer", jobsQueued: 1, jobsRefused: 0, jobsDone: 1, jobsFailed: 0, promptTokens: 50, completionTokens: 10 }],
          latencies: [{ persona: "explorer", durationMs: 100, at: 1 }],
        },
      ],
    );
    expect(merged.map((m) => m.persona)).toEqual(["minimalist", "explorer", "dealhunter", "loyalist"]);
    expect(merged[1]).toEqual({
      persona: "explorer",
      hits: 10,
      misses: 2,
      stale: 1,
      holdout: 3,
      jobsQueued: 3,
      jobsRefused: 1,
      jobsDone: 2,
      jobsFailed: 1,
      medianLatencyMs: 200,
      promptTokens: 150,
      completionTokens: 50,
      recentLatenciesMs: [100, 300],
    });
    expect(merged[0]).toMatchObject({ hits: 0, jobsDone: 0, medianLatencyMs: null, recentLatenciesMs: [] });
  });
});
