import { describe, expect, it } from "vitest";
import { defaultSettings } from "../../core/settings.ts";
import { candidatesFromProducts, selectForPersona } from "../../core/selection.ts";
import { decodeCharacterReferences, sampleProducts } from "../test/helpers.ts";
import { armInput, preparePage, renderForm, renderedNow, shopperTouches, type PreparedPage, type TouchContent } from "./touches.ts";

/** The page with these touches in its slots, its rendered form kept under a key named by their markup. */
function renderTouches(page: PreparedPage, content: TouchContent): string {
  const touchKey = `${content.greeting}\u0000${content["recently-viewed"]}\u0000${content["loyalty-note"]}\u0000${content["arm-input"] ?? ""}`;
  return renderedNow(page, touchKey) ?? renderForm(page, touchKey, content);
}

const content = { greeting: "<p>Hi</p>", "recently-viewed": "<ul><li>x</li></ul>", "loyalty-note": "" };

describe("page touches", () => {
  it("fills every marked slot, whatever the markup around it, and drops what the page had in it", async () => {
    const html =
      '<html><body><header><div class="g" data-wand-slot="greeting" id="x">old text</div></header>' +
      "<main><section data-wand-slot='recently-viewed'></section></main>" +
      '<footer><div data-wand-slot="loyalty-note"><b>stale</b></div><div data-wand-slot="unknown">keep?</div></footer></body></html>';
    const page = await preparePage(html, "");
    const out = renderTouches(page, content);
    expect(out).toContain('<div class="g" data-wand-slot="greeting" id="x"><p>Hi</p></div>');
    expect(out).toContain("<section data-wand-slot='recently-viewed'><ul><li>x</li></ul></section>");
    expect(out).toContain('<div data-wand-slot="loyalty-note"></div>');
    expect(out).toContain('<div data-wand-slot="unknown"></div>');
    expect(out).not.toContain("stale");
  });

  it("makes root-relative links and forms absolute only when a base URL is given", async () => {
    const html =
      '<a href="/products/a">a</a><a href="//cdn.example.com/x">cdn</a><a href="#main">skip</a>' +
      '<a href="https://other.example/p">abs</a><form method="post" action="/cart/add"></form>';
    const relative = renderTouches(await preparePage(html, ""), content);
    expect(relative).toBe(html);
    const absolute = renderTouches(await preparePage(html, "https://shop.example"), content);
    expect(absolute).toContain('href="https://shop.example/products/a"');
    expect(absolute).toContain('action="https://shop.example/cart/add"');
    expect(absolute).toContain('href="//cdn.example.com/x"');
    expect(absolute).toContain('href="#main"');
    expect(absolute).toContain('href="https://other.example/p"');
  });

  it("serves the page in ASCII: non-ASCII text of the page and of the touches as references a browser decodes back", async () => {
    const html = '<html><head><title>Café – shop</title></head><body><p title="it’s">Été · 12 €</p><div data-wand-slot="greeting"></div></body></html>';
    const out = renderTouches(await preparePage(html, ""), { ...content, greeting: "<p>Ravi de vous revoir’</p>" });
    expect(/[^\x00-\x7f]/.test(out)).toBe(false);
    const decoded = decodeCharacterReferences(out);
    expect(decoded).toContain("<title>Café – shop</title>");
    expect(decoded).toContain('<p title="it’s">Été · 12 €</p>');
    expect(decoded).toContain("<p>Ravi de vous revoir’</p>");
  });

  it("is not fooled by page text that imitates a slot marker", async () => {
    const html = '<p>&lt;!--wand-slot-fake:greeting--&gt;</p><!--wand-slot-fake:greeting--><div data-wand-slot="greeting"></div>';
    const out = renderTouches(await preparePage(html, ""), content);
    expect(out.match(/<p>Hi<\/p>/g)).toHaveLength(1);
    expect(out).toContain("<!--wand-slot-fake:greeting-->");
  });

  it("renders each shopper's own touches even when pages are rendered from memory", async () => {
    const page = await preparePage('<div data-wand-slot="greeting"></div><main></main>', "", "page-a");
    const first = renderTouches(page, content);
    expect(renderTouches(page, content)).toBe(first);
    const other = renderTouches(page, { ...content, greeting: "<p>Welcome back</p>" });
    expect(other).toBe('<div data-wand-slot="greeting"><p>Welcome back</p></div><main></main>');
    expect(renderTouches(page, content)).toBe('<div data-wand-slot="greeting"><p>Hi</p></div><main></main>');
  });

  it("puts the arm after every persona property and leaves the head as it was", async () => {
    const form = (v: string) =>
      `<form method="post" action="/cart/add"><input type="hidden" name="id" value="${v}"><input type="hidden" name="properties[_wand_persona]" value="explorer"><button>Add</button></form>`;
    const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body>${form("1")}${form("2")}</body></html>`;
    const page = await preparePage(html, "", "page-exp");
    const withArm = (arm: string) => html.replaceAll('value="explorer">', `value="explorer"><input type="hidden" name="properties[_wand_arm]" value="${arm}">`);
    const holdout = renderTouches(page, { ...content, "arm-input": armInput("holdout") });
    expect(holdout).toBe(withArm("holdout"));
    expect(renderTouches(page, { ...content, "arm-input": armInput("wand") })).toBe(withArm("wand"));
    // Outside the experiment: the page as it was.
    expect(renderTouches(page, content)).toBe(html);
  });

  it("picks recently viewed products of the categories seen from the persona's selection, in stock only", () => {
    const products = sampleProducts("t-touch-recent", 8).map((p) => (p.handle === "item-4" ? { ...p, available: false } : p));
    const selection = selectForPersona({ store: "t-touch-recent", persona: "explorer", candidates: candidatesFromProducts(products), now: 0 });
    const settings = defaultSettings({ store: "t-touch-recent", shopName: "Shop", shopDomain: "shop.example" });
    const touches = shopperTouches({ settings, selection, persona: "explorer", signals: { categoriesSeen: ["shoes"] }, baseUrl: "https://shop.example", signedIn: false });
    // Shoes in the selection: item-1, item-7 (item-4 is sold out).
    expect(touches["recently-viewed"]).toContain('<a href="https://shop.example/products/item-1">Item 1</a>');
    expect(touches["recently-viewed"]).toContain("/products/item-7");
    expect(touches["recently-viewed"]).not.toContain("item-4");
    expect(touches["recently-viewed"]).not.toContain("item-0");
    const none = shopperTouches({ settings, selection, persona: "explorer", signals: {}, baseUrl: "", signedIn: false });
    expect(none["recently-viewed"]).toBe("");
  });
});
