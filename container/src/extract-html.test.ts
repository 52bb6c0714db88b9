import { describe, expect, it } from "vitest";
import { extractHtml } from "./extract-html.ts";

describe("extractHtml", () => {
  it("returns a bare fragment as it is", () => {
    expect(extractHtml("  <section><h1>Hi</h1></section>\n")).toEqual({ html: "<section><h1>Hi</h1></section>", title: null });
  });

  it("takes an html-tagged fence over other fences", () => {
    const answer = "Here:\n```css\n.a{}\n```\nand\n```html\n<h1>Page</h1>\n```\nBye";
    expect(extractHtml(answer).html).toBe("<h1>Page</h1>");
  });

  it("takes an unclosed fence (an answer cut off at max_tokens)", () => {
    expect(extractHtml("```html\n<section><h1>Cut").html).toBe("<section><h1>Cut");
  });

  it("cuts prose before and after unfenced markup", () => {
    expect(extractHtml("Of course! <div><p>x</p></div> Hope you like it.").html).toBe("<div><p>x</p></div>");
  });

  it("takes the body of a document, its head styles and its title", () => {
    const doc = "<!doctype html><html><head><title>Big &amp; bold</title><style>.a{}</style><meta charset=utf-8></head><body class=x><h1>Hi</h1></body></html>";
    expect(extractHtml(doc)).toEqual({ html: "<style>.a{}</style>\n<h1>Hi</h1>", title: "Big & bold" });
  });

  it("drops a head when there is no body element", () => {
    expect(extractHtml("<html><head><title>T</title><link rel=stylesheet href=x></head><h1>Hi</h1></html>").html).toBe("<h1>Hi</h1>");
  });

  it.each([
    ["", "empty answer"],
    ["   \n ", "empty answer"],
    ["Sorry, I can't do that.", "answer contains no HTML"],
    ["<html><head><title>x</title></head><body>  </body></html>", "answer has no page content"],
  ])("refuses %j", (answer, reason) => {
    expect(() => extractHtml(answer)).toThrow(reason);
  });
});
