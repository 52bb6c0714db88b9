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

/** MurmurHash3's fmix32 (Austin Appleby's published constants), written apart from hash.ts. */
function referenceFmix32(x: number): number {
  let h = BigInt(x >>> 0);
  const mask = 0xffffffffn;
  h ^= h >> 16n;
  h = (h * 0x85ebca6bn) & mask;
  h ^= h >> 13n;
  h = (h * 0xc2b2ae35n) & mask;
  h ^= h >> 16n;
  return Number(h);
}

describe("bucketOf", () => {
  it("is the finalised fold of the FNV-1a 64 halves, modulo the buckets (every shopper keeps their arm)", () => {
    for (const input of ["holdout:demo-apparel:sim-1-0", "holdout:s:customer-42", "ui/demo-apparel/explorer", "Ünïcödé ✓ 🧙", ...Array.from({ length: 200 }, (_, i) => `holdout:bench-hit:m-${i}`)]) {
      const h = referenceFnv1a64(input);
      const folded = parseInt(h.slice(0, 8), 16) ^ parseInt(h.slice(8), 16);
      for (const buckets of [2, 10, 100]) expect(bucketOf(input, buckets)).toBe(referenceFmix32(folded) % buckets);
    }
  });

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
