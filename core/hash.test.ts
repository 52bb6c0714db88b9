import { describe, expect, it } from "vitest";
import { bucketOf, hashString } from "./hash.ts";

/** Reference FNV-1a 64 with BigInt over TextEncoder bytes: slow but obviously right. */
function referenceFnv1a64(input: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(input)) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, "0");
}

describe("hashString", () => {
  it.each([
    ["", "cbf29ce484222325"],
    ["a", "af63dc4c8601ec8c"],
    ["foobar", "85944171f73967e8"],
  ])("matches the published FNV-1a 64 vector for %j", (input, expected) => {
    expect(hashString(input)).toBe(expected);
  });

  it.each(["ui/demo-apparel/explorer", "Ünïcödé ✓", "emoji 🧙‍♀️ wand", "x".repeat(10_000), "lone \ud800 surrogate"])(
    "agrees with a BigInt reference over UTF-8 bytes for %j",
    (input) => {
      expect(hashString(input)).toBe(referenceFnv1a64(input));
    },
  );

  it("is always 16 lowercase hex characters", () => {
    for (let i = 0; i < 200; i++) expect(hashString(`key-${i}`)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe("bucketOf", () => {
  it("is stable and within range", () => {
    for (let i = 0; i < 500; i++) {
      const b = bucketOf(`ui/s/p/${i}`, 10);
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(10);
      expect(bucketOf(`ui/s/p/${i}`, 10)).toBe(b);
    }
  });

  it("spreads keys over every bucket roughly evenly", () => {
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 5000; i++) counts[bucketOf(`shopper-${i}`, 10)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(400);
  });

  it("refuses a bucket count that is not a positive integer", () => {
    expect(() => bucketOf("x", 0)).toThrow(RangeError);
    expect(() => bucketOf("x", 2.5)).toThrow(RangeError);
  });
});
