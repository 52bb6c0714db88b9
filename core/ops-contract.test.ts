import { describe, expect, it } from "vitest";
import { mergeCacheListings } from "./ops-contract.ts";

const V1 = "0123456789abcdef";
const V2 = "fedcba9876543210";
const SHOPPER = "aaaaaaaaaaaaaaaa";

describe("mergeCacheListings", () => {
  it("joins a key's KV and R2 copies, marks the current variant and skips non-page keys", () => {
    const entries = mergeCacheListings({
      currentVariant: V2,
      kv: [
        { name: `ui/demo-home/explorer/${V2}`, expiration: 1_900_000_000, metadata: { key: `ui/demo-home/explorer/${V2}`, variant: V2, source: "llm", model: "m", generatedAt: "2026-11-25T10:00:00.000Z" } },
        { name: "settings/demo-home" },
      ],
      r2: [
        { key: `ui/demo-home/explorer/${V2}`, size: 31_000, uploaded: new Date("2026-11-25T10:00:01Z"), customMetadata: { source: "llm", model: "m", generatedAt: "2026-11-25T10:00:00.000Z" } },
        { key: `ui/demo-home/explorer/${V1}`, size: 29_000, uploaded: new Date("2026-11-24T09:00:00Z"), customMetadata: { source: "template", model: "template", generatedAt: "2026-11-24T09:00:00.000Z" } },
        { key: `ui/demo-home/dealhunter/s-${SHOPPER}-${V2}`, size: 100, uploaded: new Date("2026-11-25T11:00:00Z") },
        { key: "latest/demo-home/explorer", size: 31_000, uploaded: new Date() },
      ],
    });
    expect(entries.map((e) => [e.persona, e.variant, e.current, e.inKv, e.inR2, e.source, e.perShopper])).toEqual([
      ["dealhunter", V2, true, false, true, null, true],
      ["explorer", V2, true, true, true, "llm", false],
      ["explorer", V1, false, false, true, "template", false],
    ]);
    expect(entries[1]).toMatchObject({ kvExpiration: 1_900_000_000, bytes: 31_000, generatedAt: "2026-11-25T10:00:00.000Z", model: "m" });
    // Without metadata the upload time stands in for the generation time.
    expect(entries[0]!.generatedAt).toBe("2026-11-25T11:00:00.000Z");
  });

  it("lists a page that only KV still holds", () => {
    const [entry] = mergeCacheListings({ currentVariant: null, kv: [{ name: `ui/demo-home/minimalist/${V1}`, metadata: { source: "template" } }], r2: [] });
    expect(entry).toMatchObject({ inKv: true, inR2: false, current: false, source: "template", bytes: null, kvExpiration: null });
  });
});
