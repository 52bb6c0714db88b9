import { describe, expect, it } from "vitest";
import { sanitizeFragment, shopHref } from "./sanitize.ts";

const relative = { baseUrl: "", shopDomain: "demo.myshopify.com" };
const absolute = { baseUrl: "https://demo.myshopify.com", shopDomain: "demo.myshopify.com" };

describe("shopHref", () => {
  it.each([
    ["/collections/all", "/collections/all"],
    ["  /products/tee?variant=1#top ", "/products/tee?variant=1#top"],
    ["#deals", "#deals"],
    ["https://demo.myshopify.com/collections/sale", "/collections/sale"],
    ["HTTPS://DEMO.MYSHOPIFY.COM/pages/about", "/pages/about"],
    ["/", "/"],
    ["/search?q=linen", "/search?q=linen"],
    ["/blogs/news/spring", "/blogs/news/spring"],
  ])("keeps the shop path %s", (input, expected) => {
    expect(shopHref(input, relative)).toBe(expected);
  });

  it("prefixes the base URL", () => {
    expect(shopHref("/collections/all", absolute)).toBe("https://demo.myshopify.com/collections/all");
    expect(shopHref("#deals", absolute)).toBe("#deals");
  });

  it.each(["/cart/add?id=1&quantity=9", "/cart/123:4", "/checkout", "/account/logout", "/apps/other", "/collectionsx",
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "data:text/html,x", "mailto:a@b.c", "products/tee", "/a b", "https://demo.myshopify.com.evil.example/"])(
    "drops %s",
    (input) => {
      expect(shopHref(input, relative)).toBeNull();
    },
  );
});

describe("sanitizeFragment", () => {
  it("keeps allowed structure, text and attributes", () => {
    const html = `<section id="s" class="intro" aria-label="Intro"><h2 title="t">Hi</h2><details open><summary>More</summary><p>Text <strong>bold</strong></p></details></section>`;
    expect(sanitizeFragment(html, relative)).toEqual({ html, warnings: [] });
  });

  it("turns <main> into a <div> (the shell owns <main>)", () => {
    expect(sanitizeFragment(`<main class="x"><p>a</p></main>`, relative).html).toBe(`<div class="x"><p>a</p></div>`);
  });

  it("removes the classes of catalog cards and the wand- prefix", () => {
    const { html } = sanitizeFragment(`<div class="card promo wand-x" id="wand-1"><span class="price">$1</span></div>`, relative);
    expect(html).toBe(`<div class="promo"><span>$1</span></div>`);
  });

  it("keeps the text of a link it cannot keep", () => {
    expect(sanitizeFragment(`<p><a href="https://evil.example">Go</a></p>`, relative).html).toBe("<p>Go</p>");
  });

  it("empties placeholders, self-closing or with content, and keeps only the handle", () => {
    const { html } = sanitizeFragment(
      `<div><wand-product handle="a"/><p>between</p><wand-product handle="b" price="1">B for $1</wand-product><wand-product handle="c"></div>`,
      relative,
    );
    expect(html).toBe(`<div><wand-product handle="a"></wand-product><p>between</p><wand-product handle="b"></wand-product><wand-product handle="c"></wand-product></div>`);
  });

  it("drops placeholders inside links, paragraphs and headings", () => {
    const { html, warnings } = sanitizeFragment(`<a href="/pages/x"><wand-product handle="a"></wand-product></a><p><wand-product handle="b"/></p><div><wand-product handle="c"/></div>`, relative);
    expect(html).toBe(`<a href="/pages/x"></a><p></p><div><wand-product handle="c"></wand-product></div>`);
    expect(warnings).toEqual(["dropped misplaced product placeholders: a inside <a>, b inside <p>"]);
  });

  it("keeps a style block first, cleaned", () => {
    const { html } = sanitizeFragment(`<p>a</p><style>.a{background:url(x)}</style>`, relative);
    expect(html).toBe(`<style>.a{background:none}</style>\n<p>a</p>`);
  });

  it("cleans style attributes", () => {
    const { html } = sanitizeFragment(`<p style="color:red;background:url(https://evil.example/x)">a</p>`, relative);
    expect(html).toBe(`<p style="color:red;background:none">a</p>`);
  });

  it("reports what it removed", () => {
    const { warnings } = sanitizeFragment(`<script>x</script><img src="/a.png"><p>ok</p>`, relative);
    expect(warnings).toEqual(["removed disallowed elements: img, script"]);
  });
});
