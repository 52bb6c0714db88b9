import { escapeHtml, neutraliseLiquid } from "../../core/html.ts";
import { renderPageShell } from "../../core/page-shell.ts";
import type { CatalogSnapshot, Persona, ShopSettings } from "../../core/types.ts";
import { extractHtml, plainText } from "./extract-html.ts";
import { expandPlaceholders } from "./placeholders.ts";
import { sanitizeFragment } from "./sanitize.ts";
import { validatePage } from "./validate-page.ts";

/**
 * The output pipeline, from the model's answer text to the page a shopper gets: extract → sanitize →
 * neutralise Liquid → expand placeholders → validate → page shell. Pure and synchronous (no LLM, no
 * I/O), so it is also what the generator-sanitize benchmark measures. Throws PipelineError.
 */

export interface AnswerPage {
  html: string;
  /** Handles of the catalog products on the page, in page order. */
  placed: string[];
  warnings: string[];
}

export function pageFromAnswer(
  answer: string,
  o: { catalog: CatalogSnapshot; settings: ShopSettings; persona: Persona; baseUrl: string },
): AnswerPage {
  const { catalog, settings, persona, baseUrl } = o;
  const warnings: string[] = [];
  const extracted = extractHtml(answer);
  const sanitized = sanitizeFragment(extracted.html, { baseUrl, shopDomain: settings.shopDomain });
  warnings.push(...sanitized.warnings);
  // Liquid is neutralised after sanitizing (removing a tag can join "{" and "{") and before the
  // cards go in (they escape their own text).
  const expanded = expandPlaceholders(neutraliseLiquid(sanitized.html), { catalog, persona, baseUrl });
  if (expanded.unknown.length) warnings.push(`dropped unknown product handles: ${listOf(expanded.unknown)}`);
  if (expanded.repeated.length) warnings.push(`dropped repeated products: ${listOf(expanded.repeated)}`);
  validatePage(expanded.html, expanded.placed);

  const h1 = /<h1\b[^>]*>([\s\S]*?)<\/h1>/i.exec(expanded.html)?.[1];
  const headline = extracted.title ?? (h1 ? plainText(h1).slice(0, 120) : "");
  const title = headline ? `${headline} | ${settings.shopName}` : settings.shopName;
  // Every page needs one top-level heading (accessibility); a model that forgot it gets a hidden one.
  const body = h1 === undefined ? `<h1 class="visually-hidden">${escapeHtml(headline || settings.shopName)}</h1>\n${expanded.html}` : expanded.html;
  return { html: renderPageShell({ settings, persona, title, body, source: "llm" }), placed: expanded.placed, warnings };
}

/** Model-chosen strings in warnings and logs: a few, each short. */
function listOf(items: string[]): string {
  const shown = items.slice(0, 10).map((h) => (h.length > 60 ? `${h.slice(0, 59)}…` : h));
  return items.length > shown.length ? `${shown.join(", ")} and ${items.length - shown.length} more` : shown.join(", ");
}
