import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { exposureDay, shopperHash } from "../../../core/experiment.ts";
import { uniqueStore } from "../../test/helpers.ts";
import { EdgeApi } from "../edge-api.ts";
import { exposureGeneration, forgetRecordedExposures, recordExposure } from "./record-exposure.ts";
import { MAX_RANGE_DAYS, customerShopperId } from "../../../core/experiment.ts";
import { forgetExperiment, forgetExperimentShopper, readExperimentCounts } from "./stats-read.ts";

const DAY1 = Date.UTC(2026, 11, 1, 9);
const DAY2 = Date.UTC(2026, 11, 2, 9);

async function expose(store: string, shopperId: string, arm: "wand" | "holdout", now: number) {
  const ctx = createExecutionContext();
  const mark = recordExposure(env, ctx, { store, shopperId, arm, persona: "explorer" }, now);
  await waitOnExecutionContext(ctx);
  return mark;
}

describe("exposure recording and the admin's read", () => {
  it("records off the request path, once per shopper and day per isolate, and reads the counts back", async () => {
    const store = uniqueStore("read");
    const mark = await expose(store, "s1", "wand", DAY1);
    expect(mark).toEqual({ arm: "wand", persona: "explorer", shopper: shopperHash(store, "s1") });

    // The second request of the day sends nothing: no waitUntil work at all.
    const promises: Promise<unknown>[] = [];
    recordExposure(env, { waitUntil: (p) => promises.push(p) }, { store, shopperId: "s1", arm: "wand", persona: "explorer" }, DAY1 + 1000);
    expect(promises).toHaveLength(0);

    await expose(store, "s2", "holdout", DAY1);
    await expose(store, "s1", "wand", DAY2);
    await expose(store, "s3", "holdout", DAY2);
    await env.EXPOSURES.getByName(store).recordFunnel({ day: exposureDay(DAY2), shopper: shopperHash(store, "s1"), events: ["checkout_completed"] });

    expect(await readExperimentCounts(env, store, "2026-12-01", "2026-12-02")).toEqual({
      store,
      from: "2026-12-01",
      to: "2026-12-02",
      exposures: [
        { day: "2026-12-01", arm: "holdout", persona: "explorer", visitors: 1 },
        { day: "2026-12-01", arm: "wand", persona: "explorer", visitors: 1 },
        { day: "2026-12-02", arm: "holdout", persona: "explorer", visitors: 1 },
      ],
      funnel: [{ day: "2026-12-02", arm: "wand", persona: "explorer", event: "checkout_completed", shoppers: 1 }],
    });
  });

  it("refuses bad ranges and store ids", async () => {
    const store = uniqueStore("read-bad");
    await expect(readExperimentCounts(env, "Not A Store", "2026-12-01", "2026-12-01")).rejects.toThrow(/store id/);
    await expect(readExperimentCounts(env, store, "2026-02-30", "2026-03-01")).rejects.toThrow(/YYYY-MM-DD/);
    await expect(readExperimentCounts(env, store, "2026-12-02", "2026-12-01")).rejects.toThrow(/after/);
    await expect(readExperimentCounts(env, store, "2025-01-01", "2026-12-31")).rejects.toThrow(new RegExp(`${MAX_RANGE_DAYS} days`));
  });

  it("forgets a shopper by the edge's shopper id, and a whole store", async () => {
    const store = uniqueStore("read-forget");
    forgetRecordedExposures();
    await expose(store, "customer-7", "wand", DAY1);
    await expose(store, "s2", "wand", DAY1);
    expect(await forgetExperimentShopper(env, store, "customer-7")).toBe(1);
    expect((await readExperimentCounts(env, store, "2026-12-01", "2026-12-01")).exposures).toEqual([{ day: "2026-12-01", arm: "wand", persona: "explorer", visitors: 1 }]);
    await forgetExperiment(env, store);
    expect((await readExperimentCounts(env, store, "2026-12-01", "2026-12-01")).exposures).toEqual([]);
    // After a store is forgotten, a returning shopper is recorded again.
    await expose(store, "s2", "wand", DAY1);
    expect((await readExperimentCounts(env, store, "2026-12-01", "2026-12-01")).exposures).toHaveLength(1);
  });

  it("customers/redact through EdgeApi.forgetShopper: the customer's rows (served as customer-<id>) go, funnel included", async () => {
    const store = uniqueStore("read-redact");
    forgetRecordedExposures();
    const api = new EdgeApi(createExecutionContext(), env);
    // The app proxy serves a signed-in customer 42 as "customer-42" (app-proxy/route.ts).
    expect(customerShopperId("42")).toBe("customer-42");
    await expose(store, "customer-42", "holdout", DAY1);
    await expose(store, "customer-42", "holdout", DAY2);
    await expose(store, "customer-43", "wand", DAY1);
    await env.EXPOSURES.getByName(store).recordFunnel({ day: exposureDay(DAY2), shopper: shopperHash(store, "customer-42"), events: ["checkout_completed"] });
    await api.forgetShopper(store, "42");
    const after = await readExperimentCounts(env, store, "2026-12-01", "2026-12-02");
    expect(after.exposures).toEqual([{ day: "2026-12-01", arm: "wand", persona: "explorer", visitors: 1 }]);
    expect(after.funnel).toEqual([]);
    // Nothing left to delete: a redelivered redaction deletes nothing more.
    expect(await forgetExperimentShopper(env, store, "customer-42")).toBe(0);
  });

  it("shop/redact through EdgeApi.forgetStore clears the store's whole exposure log, and only that store's", async () => {
    const store = uniqueStore("read-redact-store");
    const other = uniqueStore("read-redact-other");
    forgetRecordedExposures();
    await expose(store, "s1", "wand", DAY1);
    await expose(other, "s1", "wand", DAY1);
    await new EdgeApi(createExecutionContext(), env).forgetStore(store);
    expect((await readExperimentCounts(env, store, "2026-12-01", "2026-12-01")).exposures).toEqual([]);
    expect((await readExperimentCounts(env, other, "2026-12-01", "2026-12-01")).exposures).toHaveLength(1);
  });

  it("forgets the rows of a batch whose write failed, so the shoppers' next requests send them again", async () => {
    const store = uniqueStore("retry");
    // The store's exposure log refuses the first batch (a storage fault), then works again.
    let refused = 0;
    const faulty = {
      ...env,
      EXPOSURES: {
        getByName: (name: string) => ({
          recordMany: async () => {
            refused++;
            throw new Error(`storage unavailable for ${name}`);
          },
        }),
      },
    } as unknown as Env;
    const before = exposureGeneration(DAY1);
    const ctx = createExecutionContext();
    recordExposure(faulty, ctx, { store, shopperId: "r1", arm: "wand", persona: "explorer" }, DAY1);
    recordExposure(faulty, ctx, { store, shopperId: "r2", arm: "holdout", persona: "explorer" }, DAY1);
    await waitOnExecutionContext(ctx);
    expect(refused).toBe(1);
    // Plans recorded under the old generation record again; the isolate's set no longer holds them.
    expect(exposureGeneration(DAY1)).not.toBe(before);
    await expose(store, "r1", "wand", DAY1);
    await expose(store, "r2", "holdout", DAY1);
    const counts = await readExperimentCounts(env, store, "2026-12-01", "2026-12-01");
    expect(counts.exposures).toEqual([
      { day: "2026-12-01", arm: "holdout", persona: "explorer", visitors: 1 },
      { day: "2026-12-01", arm: "wand", persona: "explorer", visitors: 1 },
    ]);
  });
});
