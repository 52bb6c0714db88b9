import { describe, expect, it } from "vitest";
import { AA_TEXT, contrastRatio, ensureContrast, parseHex, readableOn } from "./colour.ts";
import { DEFAULT_COLOURS } from "./settings.ts";

describe("colour", () => {
  it("parses short and long hex", () => {
    expect(parseHex("#fff")).toEqual([255, 255, 255]);
    expect(parseHex("#1F2937")).toEqual([31, 41, 55]);
    expect(() => parseHex("red")).toThrow(RangeError);
  });

  it("computes WCAG contrast", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#777", "#777")).toBeCloseTo(1, 5);
  });

  it("the default colours meet AA for every text/background pair a page uses", () => {
    const c = DEFAULT_COLOURS;
    expect(contrastRatio(c.text, c.background)).toBeGreaterThanOrEqual(AA_TEXT);
    expect(contrastRatio(c.accent, c.background)).toBeGreaterThanOrEqual(AA_TEXT);
    expect(contrastRatio(readableOn(c.primary), c.primary)).toBeGreaterThanOrEqual(AA_TEXT);
    expect(contrastRatio(readableOn(c.accent), c.accent)).toBeGreaterThanOrEqual(AA_TEXT);
  });

  it("replaces a brand colour that would be unreadable", () => {
    expect(ensureContrast("#ffff00", "#ffffff")).toBe("#111111");
    expect(ensureContrast("#b45309", "#ffffff")).toBe("#b45309");
    expect(readableOn("#000000")).toBe("#ffffff");
    expect(readableOn("#ffeb3b")).toBe("#111111");
  });
});
