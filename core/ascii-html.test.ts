import { describe, expect, it } from "vitest";
import { asciiHtml, isAscii } from "./ascii-html.ts";

// What a browser shows is what the HTML parser decodes; decode the references the same way here.
function decodeReferences(html: string): string {
  return html.replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)));
}

describe("asciiHtml", () => {
  it("returns ASCII HTML unchanged (the same string)", () => {
    const html = `<p class="a">Trail shoe &amp; socks</p>`;
    expect(asciiHtml(html)).toBe(html);
  });

  it("turns every non-ASCII character of text and attributes into a reference that decodes back", () => {
    const html = `<title>Café – Été</title><p title="naïve’s">It’s 12 € · 😀 — ok</p><a href="/fr/products/crème">x</a>`;
    const out = asciiHtml(html);
    expect(isAscii(out)).toBe(true);
    expect(out).toContain("&#x2013;");
    expect(out).toContain("&#x1f600;"); // an astral character is one reference, not two surrogates
    expect(decodeReferences(out)).toBe(html);
  });

  it("keeps raw-text elements byte for byte", () => {
    const html = `<style>.q::before{content:"–"}</style><p>–</p><script type="application/ld+json">{"n":"é"}</script><STYLE media="x">é</STYLE >é`;
    const out = asciiHtml(html);
    expect(out).toBe(`<style>.q::before{content:"–"}</style><p>&#x2013;</p><script type="application/ld+json">{"n":"é"}</script><STYLE media="x">é</STYLE >&#xe9;`);
  });

  it("leaves existing references alone", () => {
    expect(asciiHtml(`<p>&eacute; é</p>`)).toBe(`<p>&eacute; &#xe9;</p>`);
  });
});
