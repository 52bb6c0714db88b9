import { describe, expect, it } from "vitest";
import { firstUnbalancedTag, MAX_BODY_BYTES, validatePage } from "./validate-page.ts";

const three = ["a", "b", "c"];

describe("validatePage", () => {
  it("accepts a well-formed body with three products", () => {
    expect(() => validatePage("<section><h1>x</h1><br><p>y</p></section>", three)).not.toThrow();
  });

  it("needs at least three products", () => {
    expect(() => validatePage("<p>x</p>", ["a", "b"])).toThrow("only 2 catalog products placed; at least 3 needed");
  });

  it("bounds the size", () => {
    expect(() => validatePage(`<p>${"x".repeat(MAX_BODY_BYTES)}</p>`, three)).toThrow(/bytes; the limit is/);
  });

  it.each([`<script>x</script>`, `<p onclick="x">a</p>`, `<a href="javascript:x">a</a>`, `<div srcdoc="x"></div>`, `<wand-product handle="a"></wand-product>`])(
    "re-checks the sanitizer's promises: %s",
    (html) => {
      expect(() => validatePage(html, three)).toThrow(/safety re-check/);
    },
  );

  it("refuses markup that is not well-formed", () => {
    expect(() => validatePage("<div><p>x</div>", three)).toThrow("page is not well-formed: </div> closes <p>");
  });
});

describe("firstUnbalancedTag", () => {
  it("ignores void elements, comments and style content", () => {
    expect(firstUnbalancedTag(`<style>a>b{}</style><div><img src="x"><br/><!-- <p> --></div>`)).toBeNull();
  });
  it("finds unclosed and stray tags", () => {
    expect(firstUnbalancedTag("<div>")).toBe("<div> is never closed");
    expect(firstUnbalancedTag("</div>")).toBe("</div> without an opening tag");
  });
});
