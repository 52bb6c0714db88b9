import { describe, expect, it } from "vitest";
import { cacheKey, cacheKeyPrefix, cacheVariant, parseCacheKey } from "./cache-key.ts";
import { hashString } from "./hash.ts";
import { detectPersona } from "./persona.ts";
import { PROMPT_VERSION } from "./prompt-version.ts";
import { PERSONAS, type PersonaSignals } from "./types.ts";

const variant = cacheVariant({ merchVersion: "0123456789abcdef", settingsVersion: 3, promptVersion: PROMPT_VERSION });

describe("cacheVariant", () => {
  it("is a 16-hex hash that changes with each of merchandising, settings and prompt version", () => {
    expect(variant).toMatch(/^[0-9a-f]{16}$/);
    const others = [
      cacheVariant({ merchVersion: "0123456789abcdee", settingsVersion: 3, promptVersion: PROMPT_VERSION }),
      cacheVariant({ merchVersion: "0123456789abcdef", settingsVersion: 4, promptVersion: PROMPT_VERSION }),
      cacheVariant({ merchVersion: "0123456789abcdef", settingsVersion: 3, promptVersion: `${PROMPT_VERSION}b` }),
    ];
    expect(new Set([variant, ...others]).size).toBe(4);
    expect(cacheVariant({ merchVersion: "0123456789abcdef", settingsVersion: 3, promptVersion: PROMPT_VERSION })).toBe(variant);
  });
});

describe("cacheKey", () => {
  it("keys scope persona by store, persona and variant", () => {
    expect(cacheKey({ store: "demo-home", persona: "dealhunter", scope: "persona", variant })).toBe(`ui/demo-home/dealhunter/${variant}`);
  });

  it("ignores the shopper for scope persona: every shopper shares the page", () => {
    expect(cacheKey({ store: "demo-home", persona: "explorer", scope: "persona", shopper: "cust-1", variant })).toBe(
      cacheKey({ store: "demo-home", persona: "explorer", scope: "persona", shopper: "cust-2", variant }),
    );
  });

  it("keys scope shopper by a hash of the shopper, never the raw id", () => {
    const key = cacheKey({ store: "demo-home", persona: "loyalist", scope: "shopper", shopper: "7364517", variant });
    expect(key).toBe(`ui/demo-home/loyalist/s-${hashString("shopper:7364517")}-${variant}`);
    expect(key).not.toContain("7364517");
    expect(cacheKey({ store: "demo-home", persona: "loyalist", scope: "shopper", shopper: "7364518", variant })).not.toBe(key);
  });

  it("refuses what would make an ambiguous or unsafe key", () => {
    expect(() => cacheKey({ store: "a/b", persona: "explorer", scope: "persona", variant })).toThrow(RangeError);
    expect(() => cacheKey({ store: "", persona: "explorer", scope: "persona", variant })).toThrow(RangeError);
    expect(() => cacheKey({ store: "s", persona: "wizard" as never, scope: "persona", variant })).toThrow(RangeError);
    expect(() => cacheKey({ store: "s", persona: "explorer", scope: "persona", variant: "v1" })).toThrow(RangeError);
    expect(() => cacheKey({ store: "s", persona: "explorer", scope: "shopper", variant })).toThrow(/shopper id/);
  });

  it("never contains a volatile request parameter: two proxied requests of one persona share a key", () => {
    // What changes between requests of the same shopper: signature, timestamp, path_prefix, a
    // fresh UTM click. Only the store, the detected persona and the variant may reach the key.
    const requests = [
      { signature: "a1b2", timestamp: "1764100000", utm: { campaign: "summer-sale", content: "banner-1" } },
      { signature: "ffee", timestamp: "1764100093", utm: { campaign: "summer-sale", content: "banner-2" } },
    ];
    const keys = requests.map((r) => {
      const signals: PersonaSignals = { utm: r.utm };
      const { persona } = detectPersona(signals, { enabledPersonas: [...PERSONAS], defaultPersona: "explorer" });
      return cacheKey({ store: "demo-home", persona, scope: "persona", variant });
    });
    expect(keys[0]).toBe(keys[1]);
    for (const r of requests) {
      for (const v of [r.signature, r.timestamp, r.utm.content]) expect(keys[0]).not.toContain(v);
    }
  });
});

describe("parseCacheKey", () => {
  it("reads back every key cacheKey makes", () => {
    for (const persona of PERSONAS) {
      expect(parseCacheKey(cacheKey({ store: "demo-jewelry", persona, scope: "persona", variant }))).toEqual({ store: "demo-jewelry", persona, variant });
      const shopperKey = cacheKey({ store: "demo-jewelry", persona, scope: "shopper", shopper: "x", variant });
      expect(parseCacheKey(shopperKey)).toEqual({ store: "demo-jewelry", persona, variant, shopperHash: hashString("shopper:x") });
    }
  });

  it.each([
    "",
    "ui/demo/explorer",
    `settings/demo/explorer/${"a".repeat(16)}`,
    `ui/demo/wizard/${"a".repeat(16)}`,
    `ui/Demo/explorer/${"a".repeat(16)}`,
    "ui/demo/explorer/not-a-variant",
    `ui/demo/explorer/${"a".repeat(16)}/extra`,
    `ui/demo/explorer/s-${"a".repeat(15)}-${"b".repeat(16)}`,
  ])("returns null for %j", (key) => {
    expect(parseCacheKey(key)).toBeNull();
  });

  it("gives prefixes for listing a store's or a persona's pages", () => {
    expect(cacheKeyPrefix("demo")).toBe("ui/demo/");
    expect(cacheKeyPrefix("demo", "explorer")).toBe("ui/demo/explorer/");
    expect(cacheKey({ store: "demo", persona: "explorer", scope: "persona", variant }).startsWith(cacheKeyPrefix("demo", "explorer"))).toBe(true);
  });
});
