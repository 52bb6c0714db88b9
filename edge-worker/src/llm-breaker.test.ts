import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { uniqueStore } from "../test/helpers.ts";
import { fallbackConfig } from "./fallback-policy.ts";

/** A breaker of its own per test (the pool's is getByName("llm")); time is passed in, so no waiting. */
function breaker() {
  return env.LLM_BREAKER.getByName(uniqueStore("breaker"));
}

const down = { kind: "transient", reason: "llm_unreachable", error: "llm_unreachable: connect ECONNREFUSED" } as const;

describe("LlmBreaker", () => {
  const { breakerThreshold: threshold, breakerCooldownMs: cooldown, breakerMaxCooldownMs: maxCooldown } = fallbackConfig(env);

  it(`opens after ${threshold} transient failures in a row, denies calls for the cool-down, then lets one probe through`, async () => {
    const b = breaker();
    const t0 = 1_000_000;
    for (let i = 0; i < threshold - 1; i++) {
      expect(await b.permit(t0, "pool-1")).toEqual({ allow: true, state: "closed" });
      expect((await b.record(down, t0, "pool-1")).state).toBe("closed");
    }
    expect((await b.record(down, t0 + 5, "pool-2")).state).toBe("open");
    expect(await b.status(t0 + 10)).toMatchObject({
      state: "open",
      since: new Date(t0 + 5).toISOString(),
      consecutiveFailures: threshold,
      lastReason: "llm_unreachable",
      lastError: down.error,
      retryAt: new Date(t0 + 5 + cooldown).toISOString(),
      openedCount: 1,
    });
    // Open: nobody calls until the cool-down is over.
    expect(await b.permit(t0 + 10, "pool-3")).toEqual({ allow: false, retryAt: t0 + 5 + cooldown });
    // After it: half-open, exactly one probe; the others wait for its outcome.
    const after = t0 + 5 + cooldown;
    expect((await b.status(after)).state).toBe("half-open");
    expect(await b.permit(after, "pool-4")).toEqual({ allow: true, state: "half-open" });
    expect((await b.permit(after + 1, "pool-5")).allow).toBe(false);
    expect((await b.permit(after + 2, "pool-6")).allow).toBe(false);
    // The probe succeeds: closed, and every member that waited is handed back to be woken.
    const closed = await b.record({ kind: "answered" }, after + 100, "pool-4");
    expect(closed.state).toBe("closed");
    expect([...closed.wake].sort()).toEqual(["pool-1", "pool-2", "pool-3", "pool-5", "pool-6"]);
    expect(await b.status(after + 100)).toMatchObject({ state: "closed", since: new Date(after + 100).toISOString(), consecutiveFailures: 0, retryAt: null, openedCount: 1 });
    expect(await b.permit(after + 101, "pool-7")).toEqual({ allow: true, state: "closed" });
    // Waiters are handed back once.
    expect((await b.record({ kind: "answered" }, after + 102, "pool-7")).wake).toEqual([]);
  });

  it("re-opens on a failed probe with a doubled cool-down, capped, and closes on the next success", async () => {
    const b = breaker();
    let now = 5_000_000;
    for (let i = 0; i < threshold; i++) await b.record(down, now, "pool-0");
    const cooldowns: number[] = [];
    for (let opening = 0; opening < 12; opening++) {
      const { retryAt } = await b.status(now);
      cooldowns.push(Date.parse(retryAt!) - now);
      now = Date.parse(retryAt!);
      expect(await b.permit(now, "pool-0")).toEqual({ allow: true, state: "half-open" });
      expect((await b.record(down, now, "pool-0")).state).toBe("open");
    }
    expect(cooldowns.slice(0, 3)).toEqual([cooldown, Math.min(maxCooldown, cooldown * 2), Math.min(maxCooldown, cooldown * 4)]);
    expect(Math.max(...cooldowns)).toBe(maxCooldown);
    expect((await b.status(now)).openedCount).toBe(13);
    now = Date.parse((await b.status(now)).retryAt!);
    await b.permit(now, "pool-0");
    expect((await b.record({ kind: "answered" }, now, "pool-0")).state).toBe("closed");
    // A success resets the doubling: the next opening waits the base cool-down again.
    for (let i = 0; i < threshold; i++) await b.record(down, now, "pool-0");
    expect(Date.parse((await b.status(now)).retryAt!) - now).toBe(cooldown);
  });

  it("an LLM answer in between resets the count; template mode and generator faults leave the state alone", async () => {
    const b = breaker();
    const now = 9_000_000;
    for (let i = 0; i < threshold - 1; i++) await b.record(down, now, "pool-0");
    await b.record({ kind: "answered" }, now, "pool-0");
    for (let i = 0; i < threshold - 1; i++) await b.record(down, now, "pool-0");
    expect(await b.status(now)).toMatchObject({ state: "closed", consecutiveFailures: threshold - 1 });
    await b.record({ kind: "template_mode" }, now, "pool-0");
    await b.record({ kind: "inconclusive" }, now, "pool-0");
    expect(await b.status(now)).toMatchObject({ state: "closed", consecutiveFailures: threshold - 1, templateMode: true });
    expect((await b.record(down, now, "pool-0")).state).toBe("open");
  });

  it("frees the probe slot when the probe's outcome says nothing about the LLM", async () => {
    const b = breaker();
    const now = 12_000_000;
    for (let i = 0; i < threshold; i++) await b.record(down, now, "pool-0");
    const after = Date.parse((await b.status(now)).retryAt!);
    expect((await b.permit(after, "pool-1")).allow).toBe(true);
    expect((await b.permit(after, "pool-2")).allow).toBe(false);
    await b.record({ kind: "inconclusive" }, after + 1, "pool-1");
    expect(await b.permit(after + 2, "pool-2")).toEqual({ allow: true, state: "half-open" });
  });
});
