import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HtmlValidate } from "html-validate";
import Papa from "papaparse";
import { afterAll, describe, expect, it } from "vitest";
import { CSV_DEMO_STORES, DEMO_STORES } from "../core/demo-stores.ts";
import { selectionHandles } from "../core/selection.ts";
import { PERSONAS, type CatalogProduct } from "../core/types.ts";
import { csvPath, loadDemoStore } from "./demo/load-catalogs.ts";
import { renderDemoPages } from "./render-demo.ts";

/**
 * The "done when" check of the demo pages: `render:demo` writes 4 persona pages per demo store; each
 * page read back from disk passes a real HTML validator, and every product fact on it equals the
 * sample CSV's — parsed here independently with papaparse, not through core's importer. The large
 * store's products are derived from the CSVs' (core/demo-large.ts): their title and image must be a
 * CSV product's, their prices those of the derived catalog.
 */

const outDir = mkdtempSync(join(tmpdir(), "wand-demo-pages-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));
const written = renderDemoPages(outDir);

// html-validate's recommended preset (includes its WCAG rules), nothing switched off.
const validator = new HtmlValidate({ extends: ["html-validate:recommended"] });

type Row = Record<string, string>;

/** What the CSV says about a product, read straight from the rows (first row = product fields). */
interface CsvFacts {
  title: string;
  price: number;
  compareAt: number | null;
  imageSrc: string | null;
  imageAlt: string;
}

/** The facts of a derived product, checked against the CSV products it was derived from. */
function derivedFacts(products: readonly CatalogProduct[], csv: readonly CsvFacts[]): Map<string, CsvFacts> {
  const facts = new Map<string, CsvFacts>();
  for (const p of products) {
    const seed = csv.find((f) => p.title.startsWith(`${f.title} – `) && f.imageSrc === p.image?.url);
    if (!seed) continue;
    facts.set(p.handle, { title: p.title, price: Number(p.price), compareAt: p.compareAtPrice === null ? null : Number(p.compareAtPrice), imageSrc: seed.imageSrc, imageAlt: p.title });
  }
  return facts;
}

function csvFacts(file: string): Map<string, CsvFacts> {
  const rows = Papa.parse<Row>(readFileSync(file, "utf8"), { header: true, skipEmptyLines: true }).data;
  const facts = new Map<string, CsvFacts>();
  for (const handle of new Set(rows.map((r) => r.Handle!))) {
    const own = rows.filter((r) => r.Handle === handle);
    const variant = own.find((r) => (r["Variant Price"] ?? "") !== "")!;
    const price = Number(variant["Variant Price"]);
    const compareAt = variant["Variant Compare At Price"] ? Number(variant["Variant Compare At Price"]) : null;
    const imageRow = own.find((r) => (r["Image Src"] ?? "") !== "");
    facts.set(handle, {
      title: own[0]!.Title!,
      price,
      compareAt: compareAt !== null && compareAt > price ? compareAt : null,
      imageSrc: imageRow ? imageRow["Image Src"]! : null,
      imageAlt: imageRow?.["Image Alt Text"] || own[0]!.Title!,
    });
  }
  return facts;
}

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const decode = (s: string) =>
  s.replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d))).replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const one = (re: RegExp, s: string): string => {
  const m = re.exec(s);
  if (!m) throw new Error(`no match for ${re} in ${s.slice(0, 200)}`);
  return m[1]!;
};

describe("npm run render:demo", () => {
  it("writes the four persona pages of each demo store", () => {
    expect(written).toHaveLength(DEMO_STORES.length * PERSONAS.length);
    for (const d of DEMO_STORES) expect(readdirSync(join(outDir, d.store)).sort()).toEqual(PERSONAS.map((p) => `${p}.html`).sort());
  });
});

describe.each(DEMO_STORES.map((d) => [d.store, d] as const))("demo pages of %s", (_store, demo) => {
  const products = loadDemoStore(demo).products;
  const facts = demo.kind === "csv" ? csvFacts(csvPath(demo)) : derivedFacts(products, CSV_DEMO_STORES.flatMap((d) => [...csvFacts(csvPath(d)).values()]));
  const base = `https://${demo.shopDomain}`;

  it.each(PERSONAS)("%s.html shows the persona's selection, each product once, within 100 KB", (persona) => {
    const page = written.find((p) => p.store === demo.store && p.persona === persona)!;
    const html = readFileSync(page.path, "utf8");
    const handles = [...html.matchAll(/<article class="card" data-wand-product="([^"]+)"/g)].map((m) => m[1]);
    expect(handles.length).toBeGreaterThan(0);
    expect(handles).toEqual(selectionHandles(page.selection));
    expect(html).not.toContain("<wand-product");
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(100 * 1024);
  });

  it.each(PERSONAS)("%s.html is valid HTML (html-validate, recommended rules)", async (persona) => {
    const html = readFileSync(join(outDir, demo.store, `${persona}.html`), "utf8");
    const report = await validator.validateString(html, `${demo.store}/${persona}.html`);
    const messages = report.results.flatMap((r) => r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}: ${m.message}`));
    expect(messages).toEqual([]);
    expect(report.valid).toBe(true);
  });

  it.each(PERSONAS)("%s.html shows only the CSV's product facts", (persona) => {
    const html = readFileSync(join(outDir, demo.store, `${persona}.html`), "utf8");
    const cards = html.match(/<article class="card"[\s\S]*?<\/article>/g) ?? [];
    expect(cards.length).toBeGreaterThan(0);
    const seenIds = new Set<string>();
    for (const card of cards) {
      const handle = one(/data-wand-product="([^"]+)"/, card);
      const f = facts.get(handle);
      expect(f, `product ${handle} is in the CSV`).toBeDefined();
      if (!f) continue;
      // Title and link.
      const link = one(/<h3 class="card-title"><a href="([^"]+)">/, card);
      expect(link).toBe(`${base}/products/${handle}`);
      expect(decode(one(/<h3 class="card-title"><a href="[^"]+">([^<]+)<\/a>/, card))).toBe(f.title);
      // Price: machine-readable value and the text the shopper reads.
      expect(Number(one(/<data class="price" value="([^"]+)">/, card))).toBe(f.price);
      expect(decode(one(/<data class="price" value="[^"]+">([^<]+)</, card))).toBe(usd.format(f.price));
      // Compare-at price and saving, exactly when the CSV has a real one.
      if (f.compareAt === null) {
        expect(card).not.toContain('class="compare"');
        expect(card).not.toContain('class="save"');
      } else {
        expect(Number(one(/<s class="compare"><data value="([^"]+)">/, card))).toBe(f.compareAt);
        expect(decode(one(/<s class="compare"><data value="[^"]+">([^<]+)</, card))).toBe(usd.format(f.compareAt));
        if (persona !== "minimalist") {
          const cents = Math.round(f.compareAt * 100) - Math.round(f.price * 100);
          const percent = Math.floor((cents * 100) / Math.round(f.compareAt * 100));
          expect(decode(one(/<p class="save"[^>]*>([^<]+)</, card))).toBe(`Save ${usd.format(cents / 100)} (${percent}%)`);
        }
      }
      // Image and its alt text.
      if (f.imageSrc) {
        expect(decode(one(/<img src="([^"]+)"/, card))).toBe(f.imageSrc);
        expect(decode(one(/<img [^>]*alt="([^"]+)"/, card))).toBe(f.imageAlt);
      }
      // A sold-out product has no form, only its label.
      const product = products.find((p) => p.handle === handle)!;
      if (!product.available) {
        expect(card).toContain('<p class="sold-out">Sold out</p>');
        expect(card).not.toContain("<form");
        continue;
      }
      // The add-to-cart form: the shop's /cart/add, the product's variant, quantity 1, the persona.
      // The CSV format has no variant ids: the id is the catalog's derived one (numeric, unique).
      expect(one(/<form method="post" action="([^"]+)">/, card)).toBe(`${base}/cart/add`);
      const id = one(/<input type="hidden" name="id" value="([^"]+)">/, card);
      expect(id).toMatch(/^[1-9]\d*$/);
      expect(id).toBe(product.firstVariantId);
      expect(seenIds.has(id), `product ${handle} appears once`).toBe(false);
      seenIds.add(id);
      expect(card).toContain('<input type="hidden" name="quantity" value="1">');
      expect(card).toContain(`<input type="hidden" name="properties[_wand_persona]" value="${persona}">`);
    }
  });
});
