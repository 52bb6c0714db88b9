import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createContext, runInContext } from "node:vm";
import { Liquid, Tag, type TagToken, type TopLevelToken } from "liquidjs";
import { describe, expect, it } from "vitest";

/*
 * The storefront's market context on its way to the app proxy: the app block's real Liquid rendered
 * with a storefront's `localization`, `request.locale` and `routes`, then the block's script run in a
 * small stand-in DOM (node:vm) to see the iframe URL it builds.
 */

const root = fileURLToPath(new URL("./wand-storefront/", import.meta.url));
const BLOCK = await readFile(`${root}blocks/persona-storefront.liquid`, "utf8");
const SCRIPT = await readFile(`${root}assets/wand-storefront.js`, "utf8");
const LOCALE = JSON.parse(await readFile(`${root}locales/en.default.json`, "utf8")) as { storefront: Record<string, string> };

/** Shopify's `{% schema %}` is configuration, not output. */
class SchemaTag extends Tag {
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    while (remain.length) if ((remain.shift() as TopLevelToken & { name?: string }).name === "endschema") return;
  }
  *render(): Generator<unknown, void, unknown> {}
}

const liquid = new Liquid({ root: [`${root}snippets/`], extname: ".liquid", strictFilters: true });
liquid.registerTag("schema", SchemaTag);
liquid.registerFilter("t", (key: string) => LOCALE.storefront[key.replace(/^storefront\./, "")] ?? key);

interface Storefront {
  rootUrl: string;
  country: string;
  currency: string;
  language: string;
}

const FRANCE: Storefront = { rootUrl: "/fr", country: "FR", currency: "EUR", language: "fr" };
const US: Storefront = { rootUrl: "/", country: "US", currency: "USD", language: "en" };

function renderBlock(s: Storefront): Promise<string> {
  return liquid.parseAndRender(BLOCK, {
    block: { id: "B1", shopify_attributes: "", settings: { heading: "", height: 900, mobile_height: 1200, proxy_path: "/apps/wand" } },
    routes: { root_url: s.rootUrl },
    request: { locale: { iso_code: s.language } },
    localization: { country: { iso_code: s.country, currency: { iso_code: s.currency } } },
  });
}

const unescape = (v: string) => v.replace(/&amp;/g, "&").replace(/&#39;/g, "'").replace(/&quot;/g, '"');
const proxyOf = (html: string) => unescape(/data-proxy="([^"]*)"/.exec(html)![1]!);

/** Runs wand-storefront.js for a block with this data-proxy and stored signals; returns the frame's src. */
function frameSrc(proxy: string, signals: Record<string, unknown>): string {
  let Element: (new () => { dataset: Record<string, string>; connectedCallback(): void; frame?: { src: string } }) | undefined;
  class HTMLElement {
    dataset: Record<string, string> = {};
    append() {}
  }
  const frame = () => ({ dataset: {}, setAttribute() {}, addEventListener() {}, removeEventListener() {}, src: "" });
  const context = createContext({
    HTMLElement,
    localStorage: { getItem: () => JSON.stringify(signals) },
    document: { querySelector: () => null, addEventListener() {}, removeEventListener() {}, createElement: frame },
    customElements: { get: () => undefined, define: (_: string, c: typeof Element) => (Element = c) },
    URLSearchParams,
    setTimeout,
    clearTimeout,
  });
  runInContext(SCRIPT, context);
  const el = new Element!();
  el.dataset.proxy = proxy;
  el.connectedCallback();
  return el.frame!.src;
}

describe("app block: the storefront's market reaches the proxy", () => {
  it("requests the proxy under a market's locale prefix with its country, language and currency", async () => {
    const html = await renderBlock(FRANCE);
    const url = new URL(proxyOf(html), "https://shop.example");
    expect(url.pathname).toBe("/fr/apps/wand");
    expect(Object.fromEntries(url.searchParams)).toEqual({ country: "FR", language: "fr", currency: "EUR", root_url: "/fr" });
    // The no-script frame and the fallback link carry the same URL.
    expect(unescape(/<a href="([^"]*)"/.exec(html)![1]!)).toBe(proxyOf(html));
    expect(unescape(/<iframe[^>]*src="([^"]*)"/.exec(html)![1]!)).toBe(proxyOf(html));
  });

  it("keeps the shop's root for the primary market", async () => {
    const url = new URL(proxyOf(await renderBlock(US)), "https://shop.example");
    expect(url.pathname).toBe("/apps/wand");
    expect(Object.fromEntries(url.searchParams)).toEqual({ country: "US", language: "en", currency: "USD", root_url: "/" });
  });

  it("encodes what Liquid gives it, so a value cannot add parameters", async () => {
    const url = new URL(proxyOf(await renderBlock({ ...FRANCE, language: "fr&country=JP" })), "https://shop.example");
    expect(url.searchParams.get("language")).toBe("fr&country=JP");
    expect(url.searchParams.getAll("country")).toEqual(["FR"]);
  });

  it("the script appends the shopper signals to the block's locale parameters", async () => {
    const src = frameSrc(proxyOf(await renderBlock(FRANCE)), { sid: "a".repeat(24), visits: 2 });
    const url = new URL(src, "https://shop.example");
    expect(url.pathname).toBe("/fr/apps/wand");
    expect(Object.fromEntries(url.searchParams)).toEqual({ country: "FR", language: "fr", currency: "EUR", root_url: "/fr", wand_sid: "a".repeat(24), wand_visits: "2" });
    // A proxy URL without a query (older block markup) still gets a well-formed one.
    expect(frameSrc("/apps/wand", { visits: 1 })).toBe("/apps/wand?wand_visits=1");
  });
});
