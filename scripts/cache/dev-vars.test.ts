import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readDevVar, readDevVars } from "./dev-vars.ts";

describe("readDevVar", () => {
  it("reads plain, quoted and exported values and ignores comments", () => {
    const file = join(mkdtempSync(join(tmpdir(), "wand-devvars-")), ".dev.vars");
    writeFileSync(file, ['# local secrets', 'LLM_API_KEY=""', 'OPS_TOKEN = "s3cret value"', "export OTHER='x' ", "PLAIN=abc # note"].join("\n"));
    expect(readDevVar(file, "OPS_TOKEN")).toBe("s3cret value");
    expect(readDevVar(file, "OTHER")).toBe("x");
    expect(readDevVar(file, "PLAIN")).toBe("abc");
    expect(readDevVar(file, "LLM_API_KEY")).toBe("");
    expect(readDevVar(file, "MISSING")).toBeNull();
    expect(readDevVar(join(file, "nope"), "OPS_TOKEN")).toBeNull();
  });
});

describe("readDevVars", () => {
  it("reads every variable, the first of a name given twice, and nothing from an absent file", () => {
    const file = join(mkdtempSync(join(tmpdir(), "wand-devvars-")), ".dev.vars");
    writeFileSync(file, ["# local secrets", "SHOPIFY_API_SECRET=one", "OPS_TOKEN='t'", "SHOPIFY_API_SECRET=two"].join("\n"));
    expect(readDevVars(file)).toEqual({ SHOPIFY_API_SECRET: "one", OPS_TOKEN: "t" });
    expect(readDevVars(join(file, "nope"))).toEqual({});
  });
});
