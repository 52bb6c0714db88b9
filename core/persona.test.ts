import { describe, expect, it } from "vitest";
import { OVERRIDE_SCORE, detectPersona } from "./persona.ts";
import { PERSONAS, type Persona, type PersonaSignals } from "./types.ts";

const ALL = { enabledPersonas: [...PERSONAS], defaultPersona: "explorer" as Persona };

interface Case {
  name: string;
  signals: PersonaSignals;
  expected: Persona;
  /** A fragment each expected reason contains. */
  reasons?: string[];
}

describe("detectPersona: one signal per persona", () => {
  const cases: Case[] = [
    // minimalist
    { name: "search-engine referrer", signals: { referrer: "https://www.google.com/search?q=clay+pot" }, expected: "minimalist", reasons: ["search engine"] },
    { name: "search ad (utm_medium cpc)", signals: { utm: { medium: "cpc" } }, expected: "minimalist", reasons: ['utm_medium "cpc"'] },
    { name: "essentials campaign", signals: { utm: { campaign: "spring-essentials" } }, expected: "minimalist", reasons: ['"essentials"'] },
    { name: "returning to one category", signals: { visitCount: 3, categoriesSeen: ["Sofa"] }, expected: "minimalist", reasons: ["one category"] },
    // explorer
    { name: "social referrer", signals: { referrer: "https://www.pinterest.com/pin/123" }, expected: "explorer", reasons: ["social"] },
    { name: "browsed many categories", signals: { categoriesSeen: ["Sofa", "Pots", "Candles"] }, expected: "explorer", reasons: ["3 categories"] },
    { name: "lookbook campaign", signals: { utm: { campaign: "autumn_lookbook" } }, expected: "explorer", reasons: ['"lookbook"'] },
    { name: "social medium", signals: { utm: { medium: "social" } }, expected: "explorer" },
    // dealhunter
    { name: "sale campaign", signals: { utm: { campaign: "summer-sale" } }, expected: "dealhunter", reasons: ['"sale"'] },
    { name: "black friday, written with a space", signals: { utm: { campaign: "Black Friday 2026" } }, expected: "dealhunter", reasons: ["black"] },
    { name: "deal-site referrer", signals: { referrer: "https://slickdeals.net/f/123" }, expected: "dealhunter", reasons: ["deal"] },
    { name: "affiliate medium", signals: { utm: { medium: "affiliate" } }, expected: "dealhunter" },
    { name: "looked at the sale category", signals: { categoriesSeen: ["Sale"] }, expected: "dealhunter", reasons: ['"sale" category'] },
    { name: "customer tagged bargain", signals: { customer: { ordersCount: 0, totalSpent: 0, tags: ["bargain"] } }, expected: "dealhunter" },
    // loyalist
    { name: "repeat customer", signals: { customer: { ordersCount: 4, totalSpent: 120, tags: [] } }, expected: "loyalist", reasons: ["4 orders"] },
    { name: "big spender with one order", signals: { customer: { ordersCount: 1, totalSpent: 450, tags: [] } }, expected: "loyalist", reasons: ["spent 450.00"] },
    { name: "VIP tag", signals: { customer: { ordersCount: 0, totalSpent: 0, tags: ["VIP"] } }, expected: "loyalist", reasons: ['tagged "vip"'] },
    { name: "frequent visitor", signals: { visitCount: 7 }, expected: "loyalist", reasons: ["frequent"] },
    { name: "newsletter click", signals: { utm: { medium: "email", source: "newsletter" } }, expected: "loyalist" },
    { name: "webmail referrer", signals: { referrer: "https://mail.google.com/mail/u/0/" }, expected: "loyalist", reasons: ["mailbox"] },
  ];

  it.each(cases)("$name → $expected", ({ signals, expected, reasons }) => {
    const d = detectPersona(signals, ALL);
    expect(d.persona).toBe(expected);
    expect(d.scores[expected]).toBeGreaterThan(0);
    for (const r of reasons ?? []) expect(d.reasons.join("\n")).toContain(r);
    // Every reason that counted names the persona it counted for.
    expect(d.reasons.some((r) => r.startsWith(`${expected} +`))).toBe(true);
  });
});

describe("detectPersona: conflicting signals", () => {
  const cases: Case[] = [
    {
      name: "order history outweighs a sale campaign",
      signals: { utm: { campaign: "summer-sale" }, customer: { ordersCount: 5, totalSpent: 800, tags: [] } },
      expected: "loyalist",
    },
    {
      name: "a sale campaign plus a deal site outweigh a search referrer",
      signals: { utm: { campaign: "clearance" }, referrer: "https://www.retailmenot.com/x", visitCount: 1 },
      expected: "dealhunter",
    },
    {
      name: "broad browsing outweighs a search referrer",
      signals: { referrer: "https://duckduckgo.com/", categoriesSeen: ["a", "b", "c", "d"] },
      expected: "explorer",
    },
    {
      name: "a bargain-tagged regular: loyal history (3+2) beats the tag (2)",
      signals: { customer: { ordersCount: 3, totalSpent: 90, tags: ["bargain", "vip"] } },
      expected: "loyalist",
    },
    {
      name: "a tie goes to the default persona",
      // explorer +1 (social) vs minimalist +1 (search ad medium); default explorer.
      signals: { referrer: "https://instagram.com/", utm: { medium: "cpc" } },
      expected: "explorer",
    },
  ];

  it.each(cases)("$name", ({ signals, expected }) => {
    const d = detectPersona(signals, ALL);
    expect(d.persona).toBe(expected);
    const best = Math.max(...Object.values(d.scores));
    expect(d.scores[expected]).toBe(best);
    // Conflicts are explained: the losing persona's signal is listed too.
    expect(d.reasons.filter((r) => / \+\d+: /.test(r)).length).toBeGreaterThanOrEqual(2);
  });

  it("a tie without the default goes to the first persona in order, and says so", () => {
    // minimalist +1 (search referrer) vs dealhunter +1 (affiliate); default loyalist.
    const d = detectPersona({ referrer: "https://www.bing.com/", utm: { medium: "affiliate" } }, { enabledPersonas: [...PERSONAS], defaultPersona: "loyalist" });
    expect(d.persona).toBe("minimalist");
    expect(d.reasons.at(-1)).toMatch(/tie between minimalist, dealhunter/);
  });
});

describe("detectPersona: explicit override", () => {
  it("wins over every other signal when the persona is enabled", () => {
    const d = detectPersona({ override: "minimalist", customer: { ordersCount: 9, totalSpent: 9999, tags: ["vip"] } }, ALL);
    expect(d).toEqual({ persona: "minimalist", scores: { minimalist: OVERRIDE_SCORE, explorer: 0, dealhunter: 0, loyalist: 0 }, reasons: ["explicit override: minimalist"] });
  });

  it("is ignored, with a reason, when not enabled or not a persona", () => {
    const off = detectPersona({ override: "dealhunter" }, { enabledPersonas: ["explorer", "loyalist"], defaultPersona: "explorer" });
    expect(off.persona).toBe("explorer");
    expect(off.reasons[0]).toMatch(/override "dealhunter" ignored: persona not enabled/);
    const bogus = detectPersona({ override: "<script>" }, ALL);
    expect(bogus.persona).toBe("explorer");
    expect(bogus.reasons[0]).toMatch(/not a persona/);
  });

  it("is case-insensitive", () => {
    expect(detectPersona({ override: " Loyalist " }, ALL).persona).toBe("loyalist");
  });
});

describe("detectPersona: restricted to the enabled personas", () => {
  it("never picks a disabled persona, however strong its signal", () => {
    const settings = { enabledPersonas: ["minimalist", "explorer"] as Persona[], defaultPersona: "minimalist" as Persona };
    const d = detectPersona({ utm: { campaign: "black-friday" }, customer: { ordersCount: 10, totalSpent: 5000, tags: ["vip"] } }, settings);
    expect(d.persona).toBe("minimalist");
    expect(d.scores.dealhunter).toBe(0);
    expect(d.scores.loyalist).toBe(0);
    expect(d.reasons.some((r) => r.startsWith("dealhunter not enabled, ignored"))).toBe(true);
    expect(d.reasons.at(-1)).toMatch(/no signal for an enabled persona: default minimalist/);
  });

  it("picks the enabled persona whose signals speak", () => {
    const d = detectPersona({ utm: { campaign: "sale" }, referrer: "https://pinterest.com" }, { enabledPersonas: ["explorer", "loyalist"], defaultPersona: "loyalist" });
    expect(d.persona).toBe("explorer");
  });

  it("falls back to the first enabled persona when the default is not enabled", () => {
    const d = detectPersona({}, { enabledPersonas: ["dealhunter", "loyalist"], defaultPersona: "explorer" });
    expect(d.persona).toBe("dealhunter");
  });

  it("with a single enabled persona, always picks it", () => {
    for (const signals of [{}, { utm: { campaign: "sale" } }, { override: "explorer" }] as PersonaSignals[]) {
      expect(detectPersona(signals, { enabledPersonas: ["loyalist"], defaultPersona: "loyalist" }).persona).toBe("loyalist");
    }
  });
});

describe("detectPersona: nothing speaks", () => {
  it.each([
    ["no signals", {}],
    ["first visit, unknown referrer", { visitCount: 1, referrer: "https://example.org/blog" }],
    ["unparseable referrer, empty utm", { referrer: "not a url", utm: { source: "", medium: null } }],
    ["a guest with no orders", { customer: { ordersCount: 0, totalSpent: 0, tags: [] } }],
  ] as [string, PersonaSignals][])("%s → the default persona", (_name, signals) => {
    const d = detectPersona(signals, { enabledPersonas: [...PERSONAS], defaultPersona: "dealhunter" });
    expect(d.persona).toBe("dealhunter");
    expect(d.scores).toEqual({ minimalist: 0, explorer: 0, dealhunter: 0, loyalist: 0 });
    expect(d.reasons).toEqual(["no signal for an enabled persona: default dealhunter"]);
  });
});

describe("detectPersona is deterministic", () => {
  it("gives the same decision for the same signals", () => {
    const s: PersonaSignals = { utm: { campaign: "vip-sale", medium: "email" }, referrer: "https://www.google.de/", visitCount: 4, categoriesSeen: ["a", "b"] };
    expect(detectPersona(s, ALL)).toEqual(detectPersona(structuredClone(s), ALL));
  });

  it("does not count a persona twice for several utm fields naming it", () => {
    const d = detectPersona({ utm: { campaign: "sale", source: "deals", term: "discount" } }, ALL);
    expect(d.scores.dealhunter).toBe(2);
  });
});
