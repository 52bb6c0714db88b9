import { createExecutionContext, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cacheKey } from "../../core/cache-key.ts";
import { latestPageKey } from "../../core/storage-keys.ts";
import type { GenerationJob, Persona } from "../../core/types.ts";
import { eventually, generator, page, seedStore, uniqueStore } from "../test/helpers.ts";
import { EdgeApi } from "./edge-api.ts";
import { UNUSABLE_ATTEMPTS, fallbackConfig } from "./fallback-policy.ts";
import { llmBreaker } from "./llm-breaker.ts";
import type { PoolMember } from "./pool-member.ts";
import { allPoolMembers, poolMemberFor } from "./pool-routing.ts";
import { currentVariant, generationJob } from "./shopper-page.ts";
import { loadSelection, loadSettings } from "./store-data.ts";

/**
 * The pool during an LLM outage, through the real pool, breaker, cache and fake generator
 * (docs/decisions/0004-fallbacks-and-llm-breaker.md). The breaker is the pool's one instance, so each
 * test leaves it closed. Cool-downs (30 s) and template-mode waits (60 s) are not waited out: the
 * tests move those deadlines to now in storage, which is what the passing of time does; nothing
 * outside the pool (no shopper, merchant or operator request) is needed for recovery.
 */

async function jobFor(store: string, persona: Persona, shopper?: string): Promise<GenerationJob> {
  const settings = (await loadSettings(env, store, null))!;
  const selection = await loadSelection(env, store, persona, null);
  return generationJob({ settings, selection, persona, shopperId: shopper, variant: currentVariant(settings, selection) });
}

const api = () => new EdgeApi(createExecutionContext(), env);

/** Time passes: the breaker's cool-down is over and every job of these members is due (then their alarms run). */
async function timePasses(members: DurableObjectStub<PoolMember>[]): Promise<void> {
  await runInDurableObject(llmBreaker(env), (_instance, state) => {
    state.storage.sql.exec("UPDATE breaker SET retry_at = ? WHERE id = 1 AND state = 'open'", Date.now());
  });
  for (const member of members) {
    await runInDurableObject(member, async (_instance, state) => {
      state.storage.sql.exec("UPDATE jobs SET not_before = ? WHERE state = 'queued'", Date.now());
      await state.storage.setAlarm(Date.now());
    });
  }
}

async function pageMeta(key: string): Promise<Record<string, string> | null> {
  return (await env.PAGES.head(key))?.customMetadata ?? null;
}

describe("an LLM outage", () => {
  const { breakerThreshold } = fallbackConfig(env);

  it("writes no page, keeps the LLM page as latest and serves it stale, and heals by itself when the LLM is back", async () => {
    const store = uniqueStore("outage");
    await seedStore(store);
    const gen = generator(store);
    // An LLM page of an older variant is the persona's latest.
    const oldKey = cacheKey({ store, persona: "minimalist", scope: "persona", variant: "00000000000000aa" });
    await env.PAGES.put(latestPageKey(store, "minimalist"), "<!DOCTYPE html><html><body><p>older llm page</p></body></html>", {
      customMetadata: { key: oldKey, variant: "00000000000000aa", source: "llm", model: "m", generatedAt: new Date().toISOString() },
    });
    await gen.behave("fallback");

    const first = await page(`/s/${store}?shopper=a&persona=minimalist`);
    expect(first.headers.get("Wand-Cache")).toBe("stale");
    expect(await first.text()).toContain("older llm page");
    const job = await jobFor(store, "minimalist");
    const member = poolMemberFor(env, job.key);

    // The generator keeps answering fallbacks until the breaker opens; the job stays queued throughout.
    await eventually(async () => (await api().llmStatus()).state === "open");
    const status = await member.status(job.key);
    expect(status).toMatchObject({ state: "queued", attempts: 0 });
    expect(status.reason).toMatch(/^(llm_unreachable|LLM breaker open)/);
    expect(await member.failures(store)).toEqual([]);
    // Nothing written as the key's page: not R2, not KV, not latest.
    expect(await env.PAGES.head(job.key)).toBeNull();
    expect(await env.CACHE.get(job.key)).toBeNull();
    expect((await pageMeta(latestPageKey(store, "minimalist")))?.key).toBe(oldKey);
    const again = await page(`/s/${store}?shopper=b&persona=minimalist`);
    expect(again.headers.get("Wand-Cache")).toBe("stale");
    expect(await again.text()).toContain("older llm page");
    const state = (await api().cacheState(store)).find((s) => s.persona === "minimalist")!;
    expect(state).toMatchObject({ state: "stale", source: "llm", queued: true });
    expect(state.waitingReason).toMatch(/^(llm_unreachable|breaker_open)$/);
    expect(Date.parse(state.waitingSince!)).toBeLessThanOrEqual(Date.now());

    // While open, the member does not call even when the job is due.
    const callsWhileOpen = (await gen.stats()).calls;
    await runInDurableObject(member, (_i, s) => s.storage.sql.exec("UPDATE jobs SET not_before = ?", Date.now()));
    await runDurableObjectAlarm(member);
    expect((await gen.stats()).calls).toBe(callsWhileOpen);
    expect(await member.status(job.key)).toMatchObject({ state: "queued", attempts: 0, reason: expect.stringMatching(/^LLM breaker open until/) });

    // The LLM is back; the cool-down passes; the probe generates the page — nobody asked for it.
    await gen.behave("ok");
    await timePasses([member]);
    await runDurableObjectAlarm(member);
    const done = await eventually(async () => {
      const s = await member.status(job.key);
      return s.state === "done" ? s : undefined;
    });
    expect(done.attempts).toBe(1);
    expect(await pageMeta(job.key)).toMatchObject({ key: job.key, source: "llm" });
    expect((await env.CACHE.getWithMetadata<{ source: string }>(job.key)).metadata?.source).toBe("llm");
    expect((await pageMeta(latestPageKey(store, "minimalist")))?.key).toBe(job.key);
    const stats = await gen.stats();
    expect(stats.calls).toBe(callsWhileOpen + 1);
    expect(stats.breakerHeaders.at(-1)).toBe("half-open");
    expect((await api().llmStatus()).state).toBe("closed");
    const healed = await page(`/s/${store}?shopper=c&persona=minimalist`);
    expect(["memory", "kv", "r2"]).toContain(healed.headers.get("Wand-Cache"));
    expect(await healed.text()).toContain(`data-fake-generator="${job.key}"`);
  });

  it("50 jobs during an outage cost a handful of LLM calls, none fails, and all 50 complete once it is back", async () => {
    const store = uniqueStore("outage50");
    await seedStore(store, { settings: { scope: "shopper" } });
    const gen = generator(store);
    await gen.behave("fallback");
    const jobs = await Promise.all(Array.from({ length: 50 }, (_, i) => jobFor(store, "explorer", `shopper-${i}`)));
    for (const job of jobs) expect((await poolMemberFor(env, job.key).enqueue(job)).status).toBe("queued");
    const members = allPoolMembers(env);

    await eventually(async () => (await api().llmStatus()).state === "open");
    // Calls already under way when it opened still end; after that nobody calls. Bound: the
    // threshold plus one call per pool member.
    const calls = (await gen.stats()).calls;
    expect(calls).toBeLessThanOrEqual(breakerThreshold + members.length);
    for (const member of members) {
      await runInDurableObject(member, (_i, s) => s.storage.sql.exec("UPDATE jobs SET not_before = ?", Date.now()));
      await runDurableObjectAlarm(member);
    }
    expect((await gen.stats()).calls).toBe(calls);
    const pending = (await Promise.all(members.map((m) => m.pending(store)))).flat();
    expect(pending.sort()).toEqual(jobs.map((j) => j.key).sort());
    for (const member of members) expect(await member.failures(store)).toEqual([]);

    await gen.behave("ok");
    await timePasses(members);
    await eventually(async () => (await Promise.all(members.map((m) => m.pending(store)))).flat().length === 0);
    for (const job of jobs) expect(await pageMeta(job.key)).toMatchObject({ source: "llm" });
    const after = await gen.stats();
    // One call per job after recovery: the probe's and the 49 woken by its success.
    expect(after.calls - calls).toBe(50);
    expect(after.failed).toBe(0);
    for (const member of members) expect(await member.failures(store)).toEqual([]);
    expect((await api().llmStatus()).state).toBe("closed");
  }, 60_000);
});

describe("template mode and unusable answers", () => {
  it("parks a template-mode job and replaces the template by an LLM page once the generator has a key", async () => {
    const store = uniqueStore("tmode");
    await seedStore(store);
    const gen = generator(store);
    await gen.behave("template_mode");
    const job = await jobFor(store, "dealhunter");
    const member = poolMemberFor(env, job.key);
    expect((await member.enqueue(job)).status).toBe("queued");
    await eventually(async () => (await member.status(job.key)).reason?.startsWith("template_mode"));
    expect(await member.status(job.key)).toMatchObject({ state: "queued", attempts: 0 });
    expect(await env.PAGES.head(job.key)).toBeNull();
    expect(await env.CACHE.get(job.key)).toBeNull();
    expect(await env.PAGES.head(latestPageKey(store, "dealhunter"))).toBeNull();
    // Parked for the long wait: the alarm alone does not call again.
    await runDurableObjectAlarm(member);
    expect((await gen.stats()).calls).toBe(1);
    const shopper = await page(`/s/${store}?shopper=a&persona=dealhunter`);
    expect(shopper.headers.get("Wand-Cache")).toBe("miss");
    expect((await api().cacheState(store)).find((s) => s.persona === "dealhunter")).toMatchObject({ state: "missing", source: "template", waitingReason: "template_mode" });
    expect((await api().llmStatus()).templateMode).toBe(true);

    // A key is configured (the generator restarts with LLM_API_KEY); the wait passes.
    await gen.behave("ok");
    await timePasses([member]);
    await eventually(async () => (await member.status(job.key)).state === "done");
    expect(await pageMeta(job.key)).toMatchObject({ source: "llm" });
    expect((await gen.stats()).calls).toBe(2);
    expect((await api().llmStatus()).templateMode).toBe(false);
  });

  it(`retries an unusable answer ${UNUSABLE_ATTEMPTS} times, then logs it as failed with the reason`, async () => {
    const store = uniqueStore("unusable");
    await seedStore(store);
    const gen = generator(store);
    await gen.behave("unusable");
    const job = await jobFor(store, "loyalist");
    const member = poolMemberFor(env, job.key);
    await member.enqueue(job);
    const status = await eventually(async () => {
      const s = await member.status(job.key);
      return s.state === "failed" ? s : undefined;
    });
    expect(status).toMatchObject({ attempts: UNUSABLE_ATTEMPTS, reason: expect.stringMatching(/^answer_unusable/) });
    expect(await member.failures(store)).toEqual([expect.objectContaining({ key: job.key, outcome: "failed", fallback: "answer_unusable" })]);
    expect((await gen.stats()).calls).toBe(UNUSABLE_ATTEMPTS);
    expect(await env.PAGES.head(job.key)).toBeNull();
    expect((await api().llmStatus()).state).toBe("closed");
  });

  it("does not count a template stored by older code as fresh: served as a miss, regenerated as an LLM page", async () => {
    const store = uniqueStore("oldtemplate");
    await seedStore(store);
    const job = await jobFor(store, "explorer");
    const meta = { key: job.key, variant: job.variant, source: "template", model: "none", generatedAt: new Date().toISOString() };
    const old = "<!DOCTYPE html><html><body><p>old stored template</p></body></html>";
    await env.PAGES.put(job.key, old, { customMetadata: meta });
    await env.PAGES.put(latestPageKey(store, "explorer"), old, { customMetadata: meta });
    await env.CACHE.put(job.key, old, { metadata: meta });
    expect((await api().cacheState(store)).find((s) => s.persona === "explorer")).toMatchObject({ state: "missing", source: "template" });

    const res = await page(`/s/${store}?shopper=a&persona=explorer`);
    expect(res.headers.get("Wand-Cache")).toBe("miss");
    expect(await res.text()).not.toContain("old stored template");
    const member = poolMemberFor(env, job.key);
    await eventually(async () => (await member.status(job.key)).state === "done");
    expect(await pageMeta(job.key)).toMatchObject({ source: "llm" });
    expect((await api().cacheState(store)).find((s) => s.persona === "explorer")).toMatchObject({ state: "fresh", source: "llm", waitingReason: null });
    // The pool's idempotency check agrees: an LLM page now exists, so nothing is queued again.
    expect((await member.enqueue(job)).status).toBe("fresh");
  });
});
