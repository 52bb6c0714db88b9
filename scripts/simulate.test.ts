import { getHmac } from "@shopify/shopify-api/test-helpers";
import { describe, expect, it } from "vitest";
import { optionsFromArgs, webhookHmac } from "./simulate.ts";

/** The simulator's own pieces; the whole of it runs against the real stack in e2e/experiment.test.ts. */
describe("simulate", () => {
  it("signs webhooks as Shopify's own test helper does", () => {
    const body = JSON.stringify({ id: 1, note: "ünïcode" });
    expect(webhookHmac(body, "s3cret")).toBe(getHmac(body, "s3cret"));
  });

  it("takes its flags with defaults, and refuses bad ones with the flag named", () => {
    const env = { SHOPIFY_API_SECRET: "x" };
    expect(optionsFromArgs([], env)).toMatchObject({ store: "demo-apparel", shopDomain: "demo-apparel.myshopify.com", shoppers: 400, uplift: 0.15, seed: 1, holdout: 50, secret: "x" });
    expect(optionsFromArgs(["--shoppers", "120", "--uplift", "0", "--seed", "9", "--holdout", "keep", "--store", "demo-home"], env)).toMatchObject({
      shoppers: 120,
      uplift: 0,
      seed: 9,
      holdout: null,
      store: "demo-home",
    });
    expect(() => optionsFromArgs(["--shoppers", "many"], env)).toThrow('--shoppers must be a whole number from 1 to 100000 (got "many")');
    expect(() => optionsFromArgs(["--holdout", "0"], env)).toThrow(/--holdout must be a whole percent from 1 to 99/);
    expect(() => optionsFromArgs(["--store", "../x"], env)).toThrow(/--store must be a store id/);
    expect(() => optionsFromArgs(["--bogus"], env)).toThrow();
  });
});
