import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { armOf, shopperHash } from "../../../core/experiment.ts";
import { page, seedStore, uniqueStore } from "../../test/helpers.ts";
import type { ExposureLog } from "./exposure-log.ts";

const log = (store: string) => env.EXPOSURES.getByName(store);
const h = (store: string, id: string) => shopperHash(store, id);

/** The error an RPC call rejects with (awaited at once: a DO stub's promise is not a plain one). */
async function failure(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
  } catch (error) {
    return String(error);
  }
  return "no error";
}

describe("ExposureLog", () => {
  it("counts distinct shoppers per day, arm and persona; a repeated record changes nothing", async () => {
    const store = uniqueStore("exp");
    expect(await log(store).record("2026-12-01", h(store, "a"), "wand", "explorer")).toBe(true);
    expect(await log(store).record("2026-12-01", h(store, "a"), "wand", "explorer")).toBe(false);
    // The same shopper on another request the same day, detected as another persona: still one visitor.
    expect(await log(store).record("2026-12-01", h(store, "a"), "wand", "dealhunter")).toBe(false);
    await log(store).record("2026-12-01", h(store, "b"), "holdout", "explorer");
    await log(store).record("2026-12-01", h(store, "c"), "wand", "dealhunter");
    await log(store).record("2026-12-02", h(store, "a"), "wand", "explorer");
    await log(store).record("2026-12-02", h(store, "d"), "holdout", "loyalist");

    expect(await log(store).daily("2026-12-01", "2026-12-02")).toEqual([
      { day: "2026-12-01", arm: "holdout", persona: "explorer", visitors: 1 },
      { day: "2026-12-01", arm: "wand", persona: "dealhunter", visitors: 1 },
      { day: "2026-12-01", arm: "wand", persona: "explorer", visitors: 1 },
      { day: "2026-12-02", arm: "holdout", persona: "loyalist", visitors: 1 },
      { day: "2026-12-02", arm: "wand", persona: "explorer", visitors: 1 },
    ]);
    // Over the range each shopper counts once, on the first day they appear: `a` is not counted again on 12-02.
    expect(await log(store).exposures("2026-12-01", "2026-12-02")).toEqual([
      { day: "2026-12-01", arm: "holdout", persona: "explorer", visitors: 1 },
      { day: "2026-12-01", arm: "wand", persona: "dealhunter", visitors: 1 },
      { day: "2026-12-01", arm: "wand", persona: "explorer", visitors: 1 },
      { day: "2026-12-02", arm: "holdout", persona: "loyalist", visitors: 1 },
    ]);
    // A range starting on 12-02 sees `a` there.
    expect(await log(store).exposures("2026-12-02", "2026-12-02")).toEqual([
      { day: "2026-12-02", arm: "holdout", persona: "loyalist", visitors: 1 },
      { day: "2026-12-02", arm: "wand", persona: "explorer", visitors: 1 },
    ]);
  });

  it("records a batch as one record after another would: first row of a shopper's day wins, stored ones are skipped", async () => {
    const store = uniqueStore("exp-batch");
    await log(store).record("2026-12-01", h(store, "a"), "wand", "explorer");
    const added = await log(store).recordMany([
      { day: "2026-12-01", shopper: h(store, "a"), arm: "wand", persona: "dealhunter" }, // stored already
      { day: "2026-12-01", shopper: h(store, "b"), arm: "holdout", persona: "loyalist" },
      { day: "2026-12-01", shopper: h(store, "b"), arm: "holdout", persona: "explorer" }, // b again: the first row counts
      { day: "2026-12-01", shopper: h(store, "c"), arm: "wand", persona: "explorer" },
      { day: "2026-12-02", shopper: h(store, "a"), arm: "wand", persona: "explorer" }, // a new day
    ]);
    expect(added).toBe(3);
    expect(await log(store).recordMany([{ day: "2026-12-01", shopper: h(store, "c"), arm: "wand", persona: "explorer" }])).toBe(0);
    expect(await log(store).recordMany([])).toBe(0);
    expect(await log(store).daily("2026-12-01", "2026-12-02")).toEqual([
      { day: "2026-12-01", arm: "holdout", persona: "loyalist", visitors: 1 },
      { day: "2026-12-01", arm: "wand", persona: "explorer", visitors: 2 },
      { day: "2026-12-02", arm: "wand", persona: "explorer", visitors: 1 },
    ]);
    // 1,000 new shoppers in one call: all counted once.
    const many = Array.from({ length: 1000 }, (_, i) => ({ day: "2026-12-03", shopper: h(store, `n${i}`), arm: i % 10 === 0 ? ("holdout" as const) : ("wand" as const), persona: "minimalist" as const }));
    expect(await log(store).recordMany(many)).toBe(1000);
    expect(await log(store).daily("2026-12-03", "2026-12-03")).toEqual([
      { day: "2026-12-03", arm: "holdout", persona: "minimalist", visitors: 100 },
      { day: "2026-12-03", arm: "wand", persona: "minimalist", visitors: 900 },
    ]);
  });

  it("keeps funnel events of exposed shoppers only, once per day and event", async () => {
    const store = uniqueStore("funnel");
    await log(store).record("2026-12-01", h(store, "a"), "holdout", "minimalist");
    expect(await log(store).recordFunnel({ day: "2026-12-01", shopper: h(store, "a"), events: ["product_viewed", "product_viewed", "product_added_to_cart"] })).toBe(2);
    expect(await log(store).recordFunnel({ day: "2026-12-01", shopper: h(store, "a"), events: ["product_added_to_cart"] })).toBe(0);
    expect(await log(store).recordFunnel({ day: "2026-12-03", shopper: h(store, "a"), events: ["product_added_to_cart", "checkout_completed"] })).toBe(2);
    expect(await log(store).recordFunnel({ day: "2026-12-01", shopper: h(store, "never-served"), events: ["checkout_completed"] })).toBe(0);

    expect(await log(store).funnel("2026-12-01", "2026-12-31")).toEqual([
      { day: "2026-12-01", arm: "holdout", persona: "minimalist", event: "product_added_to_cart", shoppers: 1 },
      { day: "2026-12-01", arm: "holdout", persona: "minimalist", event: "product_viewed", shoppers: 1 },
      { day: "2026-12-03", arm: "holdout", persona: "minimalist", event: "checkout_completed", shoppers: 1 },
    ]);
    const stored = await runInDurableObject(log(store), (_: ExposureLog, state) => state.storage.sql.exec("SELECT COUNT(*) AS n FROM funnel").one().n);
    expect(stored).toBe(4);
  });

  it("refuses malformed input instead of storing it", async () => {
    const store = uniqueStore("bad");
    expect(await failure(() => log(store).record("2026-13-1", h(store, "a"), "wand", "explorer"))).toMatch(/YYYY-MM-DD/);
    expect(await failure(() => log(store).record("2026-12-01", "customer-1", "wand", "explorer"))).toMatch(/shopper hash/);
    // @ts-expect-error: an arm that does not exist
    expect(await failure(() => log(store).record("2026-12-01", h(store, "a"), "treatment", "explorer"))).toMatch(/an arm/);
    expect(await failure(() => log(store).exposures("2026-12-02", "2026-12-01"))).toMatch(/from ≤ to/);
    expect(await log(store).daily("2026-01-01", "2026-12-31")).toEqual([]);
    expect(await log(store).exposures("2026-01-01", "2026-12-31")).toEqual([]);
  });

  it("forgets one shopper (customers/redact) and a whole store (shop/redact), and keeps working", async () => {
    const store = uniqueStore("redact");
    await log(store).record("2026-12-01", h(store, "a"), "wand", "explorer");
    await log(store).record("2026-12-01", h(store, "b"), "wand", "explorer");
    await log(store).recordFunnel({ day: "2026-12-01", shopper: h(store, "a"), events: ["product_viewed"] });
    expect(await log(store).forgetShopper(h(store, "a"))).toBe(2);
    expect(await log(store).exposures("2026-12-01", "2026-12-01")).toEqual([{ day: "2026-12-01", arm: "wand", persona: "explorer", visitors: 1 }]);
    expect(await log(store).funnel("2026-12-01", "2026-12-01")).toEqual([]);

    await log(store).clear();
    expect(await log(store).daily("2026-12-01", "2026-12-01")).toEqual([]);
    expect(await log(store).record("2026-12-01", h(store, "b"), "wand", "explorer")).toBe(true);
  });

  it("prunes shopper rows before a day but keeps the per-day totals", async () => {
    const store = uniqueStore("prune");
    await log(store).record("2026-10-01", h(store, "a"), "wand", "explorer");
    await log(store).record("2026-12-01", h(store, "b"), "wand", "explorer");
    expect(await log(store).prune("2026-11-01")).toBe(1);
    expect(await log(store).exposures("2026-01-01", "2026-12-31")).toEqual([{ day: "2026-12-01", arm: "wand", persona: "explorer", visitors: 1 }]);
    expect((await log(store).daily("2026-01-01", "2026-12-31")).length).toBe(2);
  });
});

describe("armOf and the edge", () => {
  it("gives the arm the edge serves: Wand-Cache holdout exactly for the holdout arm", async () => {
    const store = uniqueStore("arms");
    await seedStore(store, { settings: { holdoutPercent: 50 } });
    const arms: string[] = [];
    for (let i = 0; i < 16; i++) {
      const shopper = `arm-check-${i}`;
      const res = await page(`/s/${store}?shopper=${shopper}`);
      await res.text();
      expect(res.headers.get("Wand-Cache") === "holdout" ? "holdout" : "wand", shopper).toBe(armOf(store, shopper, 50));
      arms.push(armOf(store, shopper, 50));
    }
    // Both arms occur, so the comparison above checked each of them.
    expect(new Set(arms)).toEqual(new Set(["wand", "holdout"]));
  });
});
