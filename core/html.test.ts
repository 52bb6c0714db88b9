import { describe, expect, it } from "vitest";
import { escapeAttr, escapeHtml, neutraliseLiquid } from "./html.ts";

const LIQUID = /\{\{|\}\}|\{%|%\}/;

describe("escapeHtml / escapeAttr", () => {
  it("escapes the HTML metacharacters", () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&amp;`)).toBe("&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;amp;");
    expect(escapeAttr("a\"b'c<d>e&f`g")).toBe("a&quot;b&#39;c&lt;d&gt;e&amp;f&#96;g");
  });

  it("leaves ordinary text alone", () => {
    expect(escapeHtml("Gold necklace — 14k, 50% off")).toBe("Gold necklace — 14k, 50% off");
  });

  it("neutralises Liquid in what it escapes", () => {
    expect(escapeHtml("{{ customer.email }}")).toBe("&#123;{ customer.email }&#125;");
    expect(escapeAttr("{% render 'x' %}")).toBe("&#123;% render &#39;x&#39; %&#125;");
  });
});

describe("neutraliseLiquid", () => {
  it.each([
    ["{{ shop.name }}", "&#123;{ shop.name }&#125;"],
    ["{% if x %}", "&#123;% if x %&#125;"],
    ["{{{ a }}}", "&#123;&#123;{ a }&#125;&#125;"],
    ["{%}", "&#123;%&#125;"],
    ["{ single } braces", "{ single } braces"],
    ["50%} off", "50%&#125; off"],
  ])("%j → %j", (input, expected) => {
    expect(neutraliseLiquid(input)).toBe(expected);
  });

  it("never lets a delimiter through, whatever the mix of braces and percent signs", () => {
    const alphabet = ["{", "}", "%", "x", " "];
    // Every string of length 1..6 over the alphabet (5^6 = 15,625 for the longest).
    const all = (n: number): string[] => (n === 0 ? [""] : all(n - 1).flatMap((s) => alphabet.map((c) => s + c)));
    for (let n = 1; n <= 6; n++) {
      for (const s of all(n)) expect(neutraliseLiquid(s)).not.toMatch(LIQUID);
    }
  });

  it("is idempotent", () => {
    const once = neutraliseLiquid("{{ a }} {% b %}");
    expect(neutraliseLiquid(once)).toBe(once);
  });
});
