import { describe, expect, it } from "vitest";
import { cacheKey, cacheKeyPrefix, cacheVariant, parseCacheKey, shopperKeyMarker } from "./cache-key.ts";
import { resolveShopperLocale, type ShopMarkets } from "./locale.ts";
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

describe("cache keys per language", () => {
  const SHOP: ShopMarkets = {
    primary: { country: "US", language: "en", currency: "USD" },
    markets: [
      { handle: "us", countries: ["US", "CA"], currency: "USD", languages: ["en", "fr"] },
      { handle: "europe", countries: ["FR", "BE", "DE", "ES"], currency: "EUR", languages: ["fr", "de", "es", "en"] },
    ],
    languages: ["en", "fr", "de", "es"],
  };

  it("keys scope persona by language, and scope shopper by language and shopper", () => {
    expect(cacheKey({ store: "demo-home", persona: "explorer", scope: "persona", variant, language: "fr" })).toBe(`ui/demo-home/explorer/fr/${variant}`);
    expect(cacheKey({ store: "demo-home", persona: "explorer", scope: "shopper", shopper: "7", variant, language: "pt-BR" })).toBe(
      `ui/demo-home/explorer/pt-BR/s-${hashString("shopper:7")}-${variant}`,
    );
  });

  it("the language, not the country: shoppers of one language in different countries share a page", () => {
    const keyOf = (country: string, language: string) => {
      const locale = resolveShopperLocale({ country, language }, SHOP);
      return cacheKey({ store: "demo-home", persona: "explorer", scope: "persona", variant, language: locale.pageLanguage });
    };
    expect(keyOf("FR", "fr")).toBe(keyOf("BE", "fr"));
    expect(keyOf("FR", "fr")).toBe(keyOf("CA", "fr"));
    expect(keyOf("DE", "en")).toBe(keyOf("US", "en"));
    expect(keyOf("FR", "fr")).not.toBe(keyOf("FR", "de"));
  });

  it("is bounded: 1,000 shoppers with any country and language values make at most one key per published language", () => {
    const values = ["fr", "FR", "fr-FR", "de", "es", "en", "it", "xx", "", "pt-BR", "zh", "<script>", "ar"];
    const countries = ["FR", "US", "DE", "JP", "ZZ", "es", "", "BE"];
    const keys = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const locale = resolveShopperLocale({ country: countries[i % countries.length]!, language: values[(i * 7) % values.length]!, currency: i % 3 ? "EUR" : "JPY" }, SHOP);
      keys.add(cacheKey({ store: "demo-home", persona: "dealhunter", scope: "persona", variant, language: locale.pageLanguage }));
    }
    expect(keys.size).toBeLessThanOrEqual(SHOP.languages.length);
    expect([...keys].map((k) => parseCacheKey(k)!.language).sort()).toEqual(["de", "en", "es", "fr"]);
  });

  it("refuses a language that is not a canonical tag", () => {
    for (const language of ["FR", "fr_FR", "", "fr/../x", "x".repeat(20), "s-0123456789abcdef"]) {
      expect(() => cacheKey({ store: "s", persona: "explorer", scope: "persona", variant, language }), language).toThrow(RangeError);
    }
  });

  it("reads back language keys of both scopes, and keys written before languages", () => {
    for (const persona of PERSONAS) {
      const key = cacheKey({ store: "demo-jewelry", persona, scope: "persona", variant, language: "de" });
      expect(parseCacheKey(key)).toEqual({ store: "demo-jewelry", persona, variant, language: "de" });
      const shopperKey = cacheKey({ store: "demo-jewelry", persona, scope: "shopper", shopper: "x", variant, language: "zh-Hant-TW" });
      expect(parseCacheKey(shopperKey)).toEqual({ store: "demo-jewelry", persona, variant, language: "zh-Hant-TW", shopperHash: hashString("shopper:x") });
      expect(parseCacheKey(`ui/demo-jewelry/${persona}/${variant}`)).toEqual({ store: "demo-jewelry", persona, variant });
    }
    for (const bad of [`ui/demo/explorer/FR/${variant}`, `ui/demo/explorer/fr/${variant}/x`, `ui/demo/explorer/fr/fr`, `ui/demo/explorer/${variant}/${variant}`]) {
      expect(parseCacheKey(bad), bad).toBeNull();
    }
  });

  it("lists and purges per language, and finds a shopper's pages in every language", () => {
    const fr = cacheKey({ store: "demo", persona: "explorer", scope: "persona", variant, language: "fr" });
    expect(cacheKeyPrefix("demo", "explorer", "fr")).toBe("ui/demo/explorer/fr/");
    expect(fr.startsWith(cacheKeyPrefix("demo", "explorer", "fr"))).toBe(true);
    expect(fr.startsWith(cacheKeyPrefix("demo", "explorer"))).toBe(true);
    expect(fr.startsWith(cacheKeyPrefix("demo", "explorer", "de"))).toBe(false);
    for (const language of ["fr", "de", undefined]) {
      const key = cacheKey({ store: "demo", persona: "loyalist", scope: "shopper", shopper: "cust-9", variant, ...(language ? { language } : {}) });
      expect(key).toContain(shopperKeyMarker("cust-9"));
      expect(key).not.toContain(shopperKeyMarker("cust-8"));
    }
  });
});
