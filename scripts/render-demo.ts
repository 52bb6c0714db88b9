import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { renderTemplatePage } from "../core/template.ts";
import { PERSONAS, type Persona } from "../core/types.ts";
import { shopBaseUrl } from "../core/urls.ts";
import { loadDemoCatalogs } from "./demo/load-catalogs.ts";

/**
 * `npm run render:demo [outDir]`: writes the four persona template pages of every demo store to
 * `<outDir>/<store>/<persona>.html` (default `.tmp/demo-pages`). Direct-route flavour: links and
 * forms are absolute URLs of the shop's domain, as `/s/<store>` serves them.
 */

export interface RenderedPage {
  store: string;
  persona: Persona;
  path: string;
  html: string;
}

export function renderDemoPages(outDir: string): RenderedPage[] {
  const pages: RenderedPage[] = [];
  for (const { demo, catalog, settings } of loadDemoCatalogs()) {
    const dir = join(outDir, demo.store);
    mkdirSync(dir, { recursive: true });
    for (const persona of PERSONAS) {
      const html = renderTemplatePage({ catalog, settings, persona, baseUrl: shopBaseUrl(settings.shopDomain) });
      const path = join(dir, `${persona}.html`);
      writeFileSync(path, html);
      pages.push({ store: demo.store, persona, path, html });
    }
  }
  return pages;
}

// Run as a script (not when imported by a test).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? ".tmp/demo-pages");
  const pages = renderDemoPages(outDir);
  for (const p of pages) console.log(`${p.path}  ${(p.html.length / 1024).toFixed(1)} KB`);
  console.log(`${pages.length} pages written to ${outDir}`);
}
