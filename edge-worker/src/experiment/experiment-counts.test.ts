import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_BUYER_LOOKUP } from "../../../core/edge-api.ts";
import { shopperHash } from "../../../core/experiment.ts";
import { uniqueStore } from "../../test/helpers.ts";
import { EdgeApi } from "../edge-api.ts";

/** EdgeApi.experimentCounts: what the admin's results page reads of a store's experiment. */
const api = () => new EdgeApi(createExecutionContext(), env);

describe("EdgeApi.experimentCounts", () => {
  it("returns the range's counts and the first exposure in the range of each buyer asked about", async () => {
    const store = uniqueStore("api-exp");
    const log = env.EXPOSURES.getByName(store);
    const h = (id: string) => shopperHash(store, id);
    // b1: first seen on the 1st as wand/explorer, again on the 3rd as wand/dealhunter.
    await log.record("2026-11-01", h("b1"), "wand", "explorer");
    await log.record("2026-11-03", h("b1"), "wand", "dealhunter");
    // b2: a holdout shopper seen on the 2nd only; b3: seen only before the range; v4: never buys.
    await log.record("2026-11-02", h("b2"), "holdout", "minimalist");
    await log.record("2026-10-20", h("b3"), "wand", "explorer");
    await log.record("2026-11-02", h("v4"), "wand", "loyalist");
    await log.recordFunnel({ day: "2026-11-03", shopper: h("b2"), events: ["product_added_to_cart"] });

    const counts = await api().experimentCounts(store, "2026-11-01", "2026-11-30", [h("b1"), h("b2"), h("b3"), h("never"), h("b1")]);
    expect(counts).toEqual({
      store,
      from: "2026-11-01",
      to: "2026-11-30",
      // b1 counts once, on the 1st as explorer; b3 is outside the range.
      exposures: [
        { day: "2026-11-01", arm: "wand", persona: "explorer", visitors: 1 },
        { day: "2026-11-02", arm: "holdout", persona: "minimalist", visitors: 1 },
        { day: "2026-11-02", arm: "wand", persona: "loyalist", visitors: 1 },
      ],
      funnel: [{ day: "2026-11-03", arm: "holdout", persona: "minimalist", event: "product_added_to_cart", shoppers: 1 }],
      // Buyers in the arm and persona they were counted under; b3 and the never-seen shopper are absent.
      buyers: [
        { shopper: h("b1"), day: "2026-11-01", arm: "wand", persona: "explorer" },
        { shopper: h("b2"), day: "2026-11-02", arm: "holdout", persona: "minimalist" },
      ].sort((a, b) => a.shopper.localeCompare(b.shopper)),
    });

    // A range starting later sees b1 first on the 3rd, as dealhunter.
    const later = await api().experimentCounts(store, "2026-11-03", "2026-11-03", [h("b1")]);
    expect(later.buyers).toEqual([{ shopper: h("b1"), day: "2026-11-03", arm: "wand", persona: "dealhunter" }]);
    expect(later.exposures).toEqual([{ day: "2026-11-03", arm: "wand", persona: "dealhunter", visitors: 1 }]);

    // Without buyers: the counts alone.
    expect((await api().experimentCounts(store, "2026-11-01", "2026-11-01")).buyers).toEqual([]);
  });

  it("refuses bad dates, too long ranges, bad stores and bad buyer lists with a clear error", async () => {
    const store = uniqueStore("api-exp-bad");
    await expect(api().experimentCounts(store, "2026-11-31", "2026-12-01")).rejects.toThrow("experimentCounts: from and to must be YYYY-MM-DD days");
    await expect(api().experimentCounts(store, "yesterday", "2026-12-01")).rejects.toThrow(/YYYY-MM-DD/);
    await expect(api().experimentCounts(store, "2026-12-02", "2026-12-01")).rejects.toThrow("experimentCounts: from must not be after to");
    await expect(api().experimentCounts(store, "2025-01-01", "2026-12-31")).rejects.toThrow("experimentCounts: a range covers at most 400 days");
    await expect(api().experimentCounts("Not A Store", "2026-12-01", "2026-12-01")).rejects.toThrow(/invalid store id/);
    await expect(api().experimentCounts(store, "2026-12-01", "2026-12-01", ["customer-7"])).rejects.toThrow(/not a shopper hash/);
    const tooMany = Array.from({ length: MAX_BUYER_LOOKUP + 1 }, (_, i) => shopperHash(store, `s${i}`));
    await expect(api().experimentCounts(store, "2026-12-01", "2026-12-01", tooMany)).rejects.toThrow(`at most ${MAX_BUYER_LOOKUP} buyers`);
    // The largest allowed list is looked up in one statement.
    expect((await api().experimentCounts(store, "2026-12-01", "2026-12-01", tooMany.slice(1))).buyers).toEqual([]);
  });
});
