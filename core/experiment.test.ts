import { describe, expect, it } from "vitest";
import { armOf, CART_ATTRIBUTES, exposureContent, exposureDay, exposureFromAttributes, exposureMeta, parseExposure, shopperHash } from "./experiment.ts";
import { bucketOf } from "./hash.ts";

describe("armOf", () => {
  it("gives exactly the edge's holdout rule for every percent", () => {
    // The rule in edge-worker/src/shopper-page.ts, restated: holdout when the percent is positive and
    // bucketOf(`holdout:<store>:<shopper>`, 100) is below it.
    for (const percent of [0, 1, 10, 33, 50, 99, 100]) {
      for (let i = 0; i < 400; i++) {
        const shopper = `shopper-${i}`;
        const edge = percent > 0 && bucketOf(`holdout:demo-apparel:${shopper}`, 100) < percent ? "holdout" : "wand";
        expect(armOf("demo-apparel", shopper, percent)).toBe(edge);
      }
    }
  });

  it("puts about the configured share in the holdout, and nobody at 0 or everybody at 100", () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `b${i.toString(36)}x${(i * 7919) % 1000}`);
    const share = (p: number) => ids.filter((id) => armOf("s1", id, p) === "holdout").length / ids.length;
    expect(share(0)).toBe(0);
    expect(share(100)).toBe(1);
    // 20,000 Bernoulli(0.1) draws: standard error 0.0021, so ±0.01 is more than 4 standard errors.
    expect(Math.abs(share(10) - 0.1)).toBeLessThan(0.01);
    expect(Math.abs(share(50) - 0.5)).toBeLessThan(0.015);
  });

  it("depends on the store, so one shopper id can be in different arms of different stores", () => {
    const differs = Array.from({ length: 200 }, (_, i) => `s${i}`).some((id) => armOf("store-a", id, 50) !== armOf("store-b", id, 50));
    expect(differs).toBe(true);
  });

  it("keeps a shopper's arm when the holdout grows (a holdout shopper stays in the holdout)", () => {
    for (let i = 0; i < 500; i++) {
      if (armOf("s", `id${i}`, 10) === "holdout") expect(armOf("s", `id${i}`, 20)).toBe("holdout");
    }
  });
});

describe("shopper hash, day and attributes", () => {
  it("hashes per store into 16 hex characters", () => {
    expect(shopperHash("a", "customer-1")).toMatch(/^[0-9a-f]{16}$/);
    expect(shopperHash("a", "customer-1")).toBe(shopperHash("a", "customer-1"));
    expect(shopperHash("a", "customer-1")).not.toBe(shopperHash("b", "customer-1"));
  });

  it("takes the UTC day", () => {
    expect(exposureDay(Date.UTC(2026, 11, 1, 23, 59, 59))).toBe("2026-12-01");
    expect(exposureDay(Date.UTC(2026, 11, 2, 0, 0, 0))).toBe("2026-12-02");
  });

  it("writes a meta tag the extension can parse, and refuses a raw shopper id", () => {
    const shopper = shopperHash("s", "abc");
    expect(exposureMeta({ arm: "holdout", persona: "explorer", shopper })).toBe(`<meta name="wand-experiment" content="arm=holdout&amp;persona=explorer&amp;shopper=${shopper}">`);
    expect(() => exposureMeta({ arm: "wand", persona: "explorer", shopper: "customer-1" })).toThrow(RangeError);
  });

  it("writes the exposure header's value and reads it back, refusing anything else", () => {
    const shopper = shopperHash("s", "abc");
    const mark = { arm: "wand", persona: "loyalist", shopper } as const;
    expect(exposureContent(mark)).toBe(`arm=wand&persona=loyalist&shopper=${shopper}`);
    expect(parseExposure(exposureContent(mark))).toEqual(mark);
    expect(() => exposureContent({ ...mark, shopper: "customer-1" })).toThrow(RangeError);
    for (const bad of [null, "", `arm=both&persona=explorer&shopper=${shopper}`, `arm=wand&persona=shopper&shopper=${shopper}`, "arm=wand&persona=explorer&shopper=zz", "arm=wand&persona=explorer"]) {
      expect(parseExposure(bad)).toBeNull();
    }
  });

  it("reads an order's attribution from REST note_attributes or GraphQL customAttributes", () => {
    const shopper = shopperHash("s", "abc");
    const rest = [
      { name: "gift", value: "yes" },
      { name: CART_ATTRIBUTES.shopper, value: shopper },
      { name: CART_ATTRIBUTES.arm, value: "holdout" },
      { name: CART_ATTRIBUTES.persona, value: "dealhunter" },
    ];
    expect(exposureFromAttributes(rest)).toEqual({ shopper, arm: "holdout", persona: "dealhunter" });
    const graphql = rest.map(({ name, value }) => ({ key: name, value }));
    expect(exposureFromAttributes(graphql)).toEqual({ shopper, arm: "holdout", persona: "dealhunter" });
  });

  it("treats missing or forged attributes as not in the experiment", () => {
    const shopper = shopperHash("s", "abc");
    expect(exposureFromAttributes(undefined)).toBeNull();
    expect(exposureFromAttributes([])).toBeNull();
    expect(exposureFromAttributes([{ name: "_wand_arm", value: "wand" }, { name: "_wand_persona", value: "explorer" }])).toBeNull();
    expect(
      exposureFromAttributes([
        { name: "_wand_arm", value: "treatment" },
        { name: "_wand_persona", value: "explorer" },
        { name: "_wand_shopper", value: shopper },
      ]),
    ).toBeNull();
    expect(
      exposureFromAttributes([
        { name: "_wand_arm", value: "wand" },
        { name: "_wand_persona", value: "explorer" },
        { name: "_wand_shopper", value: "customer-42" },
      ]),
    ).toBeNull();
  });
});
