import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expandProductSlots } from "../core/product-slots.ts";
import { candidatesFromProducts, selectForPersona } from "../core/selection.ts";
import { renderTemplatePage } from "../core/template.ts";
import { PERSONAS, type Persona, type PersonaSelection } from "../core/types.ts";
import { shopBaseUrl } from "../core/urls.ts";
import { loadDemoCatalogs } from "./demo/load-catalogs.ts";

/**
 * `npm run render:demo [outDir]`: writes the four persona template pages of every demo store to
 * `<outDir>/<store>/<persona>.html` (default `.tmp/demo-pages`), as a shopper gets them: each
 * persona's selection computed in memory from the store's products (as the edge computes it from
 * D1), the template rendered from it and its product slots expanded into cards. Direct-route
 * flavour: links and forms are absolute URLs of the shop's domain, as `/s/<store>` serves them.
 */

export interface RenderedPage {
  store: string;
  persona: Persona;
  path: string;
  html: string;
  selection: PersonaSelection;
}

/** A fixed selection time, so the same catalogs render the same pages. */
const SELECTED_AT = Date.UTC(2026, 0, 1);

export function renderDemoPages(outDir: string): RenderedPage[] {
  const pages: RenderedPage[] = [];
  for (const { demo, products, settings } of loadDemoCatalogs()) {
    const dir = join(outDir, demo.store);
    mkdirSync(dir, { recursive: true });
    const candidates = candidatesFromProducts(products);
    const baseUrl = shopBaseUrl(settings.shopDomain);
    for (const persona of PERSONAS) {
      const selection = selectForPersona({ store: demo.store, persona, candidates, now: SELECTED_AT });
      const template = renderTemplatePage({ selection, settings, persona, baseUrl });
      const { html } = expandProductSlots(template, { products: selection.products, persona, baseUrl });
      const path = join(dir, `${persona}.html`);
      writeFileSync(path, html);
      pages.push({ store: demo.store, persona, path, html, selection });
    }
  }
  return pages;
}

// Run as a script (not when imported by a test).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? ".tmp/demo-pages");
  const pages = renderDemoPages(outDir);
  for (const p of pages) console.log(`${p.path}  ${(p.html.length / 1024).toFixed(1)} KB, ${p.selection.products.length} products`);
  console.log(`${pages.length} pages written to ${outDir}`);
}
