import { describe, expect, it } from "vitest";
import { detectPersona } from "../../../core/persona.ts";
import { PERSONAS } from "../../../core/types.ts";
import { MAX_CATEGORIES, MAX_VISITS, signalsFromQuery } from "./signals.ts";

const all = { enabledPersonas: [...PERSONAS], defaultPersona: "explorer" as const };
const parse = (s: string) => signalsFromQuery(new URLSearchParams(s));

describe("signals from the extension's query parameters", () => {
  it("reads every documented parameter", () => {
    const { signals, shopperId } = parse(
      "wand_sid=abcDEF123_-x&wand_utm_source=newsletter&wand_utm_medium=email&wand_utm_campaign=spring%20sale" +
        "&wand_utm_term=linen&wand_utm_content=hero&wand_ref=https%3A%2F%2Fwww.google.com%2Fsearch%3Fq%3Dsecret&wand_visits=4&wand_cats=Shirts,Hats,%20Shirts%20",
    );
    expect(shopperId).toBe("abcDEF123_-x");
    expect(signals).toEqual({
      override: null,
      utm: { source: "newsletter", medium: "email", campaign: "spring sale", term: "linen", content: "hero" },
      // Only the origin is kept: the search query of the referring page is none of our business.
      referrer: "https://www.google.com/",
      visitCount: 4,
      categoriesSeen: ["Shirts", "Hats"],
      customer: null,
    });
  });

  it("drops malformed values one by one instead of failing the page", () => {
    const { signals, shopperId } = parse(
      "wand_sid=short&wand_utm_source=" + "x".repeat(101) + "&wand_ref=javascript:alert(1)&wand_visits=-3&wand_cats=" + "y".repeat(61),
    );
    expect(shopperId).toBeNull();
    expect(signals.utm).toBeUndefined();
    expect(signals.referrer).toBeNull();
    expect(signals.visitCount).toBeNull();
    expect(signals.categoriesSeen).toEqual([]);
  });

  it("bounds visit counts and category lists", () => {
    expect(parse("wand_visits=999999999").signals.visitCount).toBe(MAX_VISITS);
    expect(parse("wand_visits=0").signals.visitCount).toBe(1);
    const many = Array.from({ length: 40 }, (_, i) => `c${i}`).join(",");
    expect(parse(`wand_cats=${many}`).signals.categoriesSeen).toHaveLength(MAX_CATEGORIES);
  });

  it("never takes an override, Shopify's parameters or anything unknown as a signal", () => {
    const { signals } = parse("persona=dealhunter&wand_persona=dealhunter&signature=abc&timestamp=1&shop=x.myshopify.com&logged_in_customer_id=5");
    expect(signals).toEqual({ override: null, referrer: null, visitCount: null, categoriesSeen: [], customer: null });
  });

  it("strips control characters from free text", () => {
    expect(parse("wand_utm_campaign=black%0Afriday%00").signals.utm?.campaign).toBe("black friday");
  });
});

describe("persona detection from the extension's parameters", () => {
  const persona = (query: string) => detectPersona(parse(query).signals, all).persona;

  it("a sale campaign from a deal site → dealhunter", () => {
    expect(persona("wand_utm_source=slickdeals&wand_utm_medium=affiliate&wand_utm_campaign=black-friday&wand_ref=https%3A%2F%2Fslickdeals.net%2F")).toBe("dealhunter");
  });

  it("a frequent visitor from the shop's newsletter → loyalist", () => {
    expect(persona("wand_utm_source=newsletter&wand_utm_medium=email&wand_visits=7")).toBe("loyalist");
  });

  it("a search-engine visitor coming back to one category → minimalist", () => {
    expect(persona("wand_ref=https%3A%2F%2Fwww.google.com%2F&wand_visits=2&wand_cats=Shirts&wand_utm_medium=cpc")).toBe("minimalist");
  });

  it("browsing many categories from social media → explorer", () => {
    expect(persona("wand_ref=https%3A%2F%2Fwww.pinterest.com%2F&wand_cats=Shirts,Hats,Bags,Shoes")).toBe("explorer");
  });

  it("no signals → the merchant's default, with the reason", () => {
    const decision = detectPersona(parse("").signals, { enabledPersonas: ["minimalist", "loyalist"], defaultPersona: "loyalist" });
    expect(decision.persona).toBe("loyalist");
    expect(decision.reasons.join(" ")).toMatch(/default/);
  });
});
