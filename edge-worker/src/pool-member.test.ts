import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cacheKey } from "../../core/cache-key.ts";
import { productSlot } from "../../core/product-slots.ts";
import { selectionHandles } from "../../core/selection.ts";
import type { GenerationJob, Persona } from "../../core/types.ts";
import { LISTED_FROM, changeProducts, eventually, generator, sampleProducts, seedStore, uniqueStore } from "../test/helpers.ts";
import { JobStore, MAX_ATTEMPTS, QUEUE_LIMIT, retryDelayMs } from "./job-store.ts";
import type { JobStatus, PoolMember } from "./pool-member.ts";
import { poolMemberName } from "./pool-routing.ts";
import { currentVariant, generationJob } from "./shopper-page.ts";
import { loadSelection, loadSettings } from "./store-data.ts";

async function jobFor(store: string, persona: Persona, shopper?: string): Promise<GenerationJob> {
  const settings = (await loadSettings(env, store, null))!;
  const selection = await loadSelection(env, store, persona, null);
  return generationJob({ settings, selection, persona, shopperId: shopper, variant: currentVariant(settings, selection) });
}

/** `old` finished as superseded and the current variant's page was generated in its place (one call). */
async function expectHandedOver(stub: DurableObjectStub<PoolMember>, store: string, old: GenerationJob): Promise<void> {
  expect((await finished(stub, old.key, "skipped")).reason).toMatch(/^superseded/);
  const current = await jobFor(store, old.persona);
  expect(current.key).not.toBe(old.key);
  await eventually(async () => (await env.PAGES.head(current.key)) ?? undefined);
  expect(await env.PAGES.head(old.key)).toBeNull();
  expect((await generator(store).stats()).calls).toBe(1);
}

/** A member of its own per test: the queue bound and counters are per member. */
function member(label: string): DurableObjectStub<PoolMember> {
  return env.POOL.getByName(uniqueStore(`member-${label}`));
}

function finished(stub: DurableObjectStub<PoolMember>, key: string, state: JobStatus["state"] = "done"): Promise<JobStatus> {
  return eventually(async () => {
    const s = await stub.status(key);
    return s.state === state ? s : undefined;
  });
}

describe("PoolMember", () => {
  it("routes a key to pool-<hash % POOL_SIZE>, always the same member", () => {
    const key = cacheKey({ store: "demo-apparel", persona: "explorer", scope: "persona", variant: "0123456789abcdef" });
    expect(poolMemberName(key, 10)).toMatch(/^pool-[0-9]$/);
    expect(poolMemberName(key, 10)).toBe(poolMemberName(key, 10));
  });

  it("generates a queued job, writes R2 (page + latest) and KV, and counts it", async () => {
    const store = uniqueStore("job");
    await seedStore(store);
    const stub = member("job");
    const job = await jobFor(store, "minimalist");
    expect(await stub.enqueue(job)).toEqual({ key: job.key, status: "queued" });
    const status = await finished(stub, job.key);
    expect(status.attempts).toBe(1);
    expect(await env.PAGES.head(job.key)).not.toBeNull();
    expect((await env.PAGES.head(`latest/${store}/minimalist`))?.customMetadata?.key).toBe(job.key);
    const kv = await env.CACHE.getWithMetadata<{ key: string; source: string }>(job.key);
    expect(kv.metadata).toMatchObject({ key: job.key, source: "llm" });
    // The generator was sent the persona's selection (the fake writes a slot per selected product),
    // and the stored page carries slots, not product facts.
    const selection = await loadSelection(env, store, "minimalist", null);
    const html = await (await env.PAGES.get(job.key))!.text();
    for (const handle of selectionHandles(selection)) expect(html).toContain(productSlot(handle));
    expect(html).not.toContain("$10.00");
    const stats = await stub.stats(store);
    expect(stats.personas).toEqual([expect.objectContaining({ persona: "minimalist", jobsQueued: 1, jobsDone: 1, promptTokens: 100, completionTokens: 50 })]);
    expect(stats.latencies).toHaveLength(1);
    // A page that exists is not queued again.
    expect(await stub.enqueue(job)).toEqual({ key: job.key, status: "fresh" });
  });

  it("does not queue a key twice while it is queued or in flight", async () => {
    const store = uniqueStore("dedupe");
    await seedStore(store);
    const gen = generator(store);
    await gen.behave("hold");
    const stub = member("dedupe");
    const job = await jobFor(store, "explorer");
    expect((await stub.enqueue(job)).status).toBe("queued");
    expect((await stub.enqueue(job)).status).toBe("duplicate");
    await eventually(async () => (await stub.status(job.key)).state === "inflight");
    expect((await stub.enqueue({ ...job, enqueuedAt: Date.now() })).status).toBe("duplicate");
    await gen.release();
    await finished(stub, job.key);
    expect((await gen.stats()).answered).toBe(1);
  });

  it("holds at most 100 jobs and refuses (and counts) the next", async () => {
    const store = uniqueStore("bound");
    await seedStore(store, { settings: { scope: "shopper" } });
    const gen = generator(store);
    await gen.behave("hold");
    const stub = member("bound");
    const results = [];
    for (let i = 0; i < QUEUE_LIMIT + 3; i++) results.push((await stub.enqueue(await jobFor(store, "dealhunter", `s${i}`))).status);
    expect(results.filter((s) => s === "queued")).toHaveLength(QUEUE_LIMIT);
    expect(results.slice(QUEUE_LIMIT)).toEqual(["refused", "refused", "refused"]);
    const stats = await stub.stats(store);
    expect(stats.personas[0]).toMatchObject({ jobsQueued: QUEUE_LIMIT, jobsRefused: 3 });
    // Drain quickly: an uninstalled store's jobs are dropped without generating.
    await env.DB.prepare("UPDATE ShopSettings SET installed = 0 WHERE store = ?").bind(store).run();
    await env.CACHE.delete(`settings/${store}`);
    await gen.release();
    await eventually(async () => (await stub.pending(store)).length === 0);
  }, 60_000);

  it("retries a failing generator with backoff and succeeds when it recovers", async () => {
    const store = uniqueStore("flaky");
    await seedStore(store);
    await generator(store).behave("fail", 2);
    const stub = member("flaky");
    const job = await jobFor(store, "loyalist");
    await stub.enqueue(job);
    const status = await finished(stub, job.key);
    expect(status.attempts).toBe(3);
    expect(await generator(store).stats()).toMatchObject({ calls: 3, failed: 2, answered: 1 });
    expect(await stub.failures(store)).toHaveLength(0);
  });

  it(`gives up after ${MAX_ATTEMPTS} attempts and writes the failed log with the reason`, async () => {
    const store = uniqueStore("broken");
    await seedStore(store);
    await generator(store).behave("fail");
    const stub = member("broken");
    const job = await jobFor(store, "explorer");
    await stub.enqueue(job);
    const status = await finished(stub, job.key, "failed");
    expect(status.attempts).toBe(MAX_ATTEMPTS);
    expect(status.reason).toMatch(/generator answered 500/);
    const failures = await stub.failures(store);
    expect(failures).toEqual([expect.objectContaining({ key: job.key, outcome: "failed", attempts: MAX_ATTEMPTS })]);
    expect((await stub.stats(store)).personas[0]).toMatchObject({ jobsFailed: 1, jobsDone: 0 });
    expect((await generator(store).stats()).calls).toBe(MAX_ATTEMPTS);
    expect(await env.PAGES.head(job.key)).toBeNull();
  });

  it("times out a hanging generator and retries the job", async () => {
    const store = uniqueStore("hang");
    await seedStore(store);
    await generator(store).behave("hang", 1);
    const stub = member("hang");
    const job = await jobFor(store, "minimalist");
    await stub.enqueue(job);
    const status = await finished(stub, job.key);
    expect(status.attempts).toBe(2);
    expect((await generator(store).stats()).calls).toBe(2);
  });

  it("resumes a job left in flight by a crashed instance when the alarm runs again", async () => {
    const store = uniqueStore("crash");
    await seedStore(store);
    const stub = member("crash");
    const job = await jobFor(store, "dealhunter");
    // State as a crash mid-generation leaves it: the row in flight under another instance's lease.
    await runInDurableObject(stub, async (_instance, state) => {
      const jobs = new JobStore(state.storage.sql);
      expect(jobs.add(job, false, Date.now())).toBe("queued");
      jobs.claim(jobs.get(job.key)!, "instance-that-crashed", Date.now() + 3_600_000);
      await state.storage.setAlarm(Date.now() + 3_600_000);
    });
    expect((await stub.status(job.key)).state).toBe("inflight");
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const status = await finished(stub, job.key);
    expect(status.attempts).toBe(2);
    expect(await env.PAGES.head(job.key)).not.toBeNull();
    // Alarms are at-least-once: another run finds nothing to do and generates nothing.
    await runInDurableObject(stub, (_i, state) => state.storage.setAlarm(Date.now() + 3_600_000));
    await runDurableObjectAlarm(stub);
    expect((await generator(store).stats()).calls).toBe(1);
  });

  it("finishes without generating when the page is already fresh or the store moved on", async () => {
    const store = uniqueStore("idem");
    await seedStore(store);
    const stub = member("idem");
    const fresh = await jobFor(store, "explorer");
    await env.PAGES.put(fresh.key, "<html>already</html>", { customMetadata: { key: fresh.key, source: "llm" } });
    const old = await jobFor(store, "loyalist");
    await env.DB.prepare("UPDATE ShopSettings SET settingsVersion = 7 WHERE store = ?").bind(store).run();
    await env.CACHE.delete(`settings/${store}`);
    await runInDurableObject(stub, async (_instance, state) => {
      const jobs = new JobStore(state.storage.sql);
      jobs.add(fresh, false, Date.now());
      jobs.add(old, false, Date.now());
      await state.storage.setAlarm(Date.now());
    });
    expect((await finished(stub, fresh.key, "skipped")).reason).toBe("already fresh");
    // The superseded job hands over to the current variant's page: that one is generated, the old never.
    await expectHandedOver(stub, store, old);
  });

  it("never stores a template answer as the key's page, and refuses one without a reason", async () => {
    // (LLM outages and the breaker: llm-outage.test.ts.)
    const store = uniqueStore("fallback");
    await seedStore(store);
    await generator(store).behave("template_mode");
    const stub = member("fallback");
    const job = await jobFor(store, "explorer");
    await stub.enqueue(job);
    const waiting = await eventually(async () => {
      const s = await stub.status(job.key);
      return s.reason?.startsWith("template_mode") ? s : undefined;
    });
    expect(waiting).toMatchObject({ state: "queued", attempts: 0 });
    expect(await env.PAGES.head(job.key)).toBeNull();
    expect(await env.CACHE.get(job.key)).toBeNull();
    const log = await runInDurableObject(stub, (_instance, state) => new JobStore(state.storage.sql).lastLog(job.key));
    expect(log).toBeNull();
    expect((await stub.stats(store)).personas[0]).toMatchObject({ jobsDone: 0, jobsFailed: 0 });
    await stub.forget(store);

    // A template that does not say why is a malformed answer: retried, never stored as a page.
    const other = uniqueStore("unlabelled");
    await seedStore(other);
    await generator(other).behave("unlabelled");
    const stub2 = member("unlabelled");
    const job2 = await jobFor(other, "explorer");
    await stub2.enqueue(job2);
    const status = await finished(stub2, job2.key, "failed");
    expect(status.reason).toMatch(/fallback must be set exactly when source is template/);
    expect(await env.PAGES.head(job2.key)).toBeNull();
  });

  it("skips a job whose persona selection changed since it was queued", async () => {
    const store = uniqueStore("moved");
    await seedStore(store);
    const stub = member("moved");
    const old = await jobFor(store, "loyalist");
    // A new arrival changes the loyalist selection's merchandising, so its variant.
    await changeProducts(store, { upsert: [{ ...sampleProducts(store, 9)[8]!, listedAt: LISTED_FROM + 3_600_000 }], reselect: "always" });
    await stub.enqueue(old);
    // A shopper whose isolate still held the old selection queued the old variant: the pool queues
    // the current one in its place (whichever member owns its key), so the page is not left missing.
    await expectHandedOver(stub, store, old);
  });

  it("backs off exponentially with jitter, capped", () => {
    expect(retryDelayMs(1, 1000, () => 0)).toBe(500);
    expect(retryDelayMs(3, 1000, () => 0)).toBe(2000);
    expect(retryDelayMs(3, 1000, () => 0.999)).toBeLessThan(4000);
    expect(retryDelayMs(30, 1000, () => 0.999)).toBeLessThanOrEqual(300_000);
  });

  it("forgets a store's jobs, log and counters, or one shopper's queued jobs", async () => {
    const store = uniqueStore("forget");
    await seedStore(store, { settings: { scope: "shopper" } });
    const stub = member("forget");
    const a = await jobFor(store, "explorer", "alice");
    const b = await jobFor(store, "explorer", "bob");
    await runInDurableObject(stub, (_instance, state) => {
      const jobs = new JobStore(state.storage.sql);
      jobs.add(a, false, Date.now());
      jobs.add(b, false, Date.now());
    });
    const aliceMarker = a.key.slice(a.key.lastIndexOf("/"), a.key.lastIndexOf("-") + 1);
    expect(await stub.forget(store, aliceMarker)).toBe(1);
    expect(await stub.pending(store)).toEqual([b.key]);
    expect(await stub.forget(store)).toBe(1);
    expect(await stub.pending(store)).toEqual([]);
    expect((await stub.stats(store)).personas).toEqual([]);
  });
});
