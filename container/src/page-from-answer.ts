import { escapeHtml, neutraliseLiquid } from "../../core/html.ts";
import { renderPageShell } from "../../core/page-shell.ts";
import type { Persona, PersonaSelection, ShopSettings } from "../../core/types.ts";
import { extractHtml, plainText } from "./extract-html.ts";
import { keepProductSlots } from "./placeholders.ts";
import { sanitizeFragment } from "./sanitize.ts";
import { validatePage } from "./validate-page.ts";

/**
 * The output pipeline, from the model's answer text to the page that is cached: extract → sanitize →
 * neutralise Liquid → keep placeholders as canonical product slots → validate → page shell. The edge
 * expands the slots into cards from the live facts when it serves the page (core/product-slots.ts).
 * Pure and synchronous (no LLM, no I/O), so it is also what the generator-sanitize benchmark
 * measures. Throws PipelineError.
 */

export interface AnswerPage {
  html: string;
  /** Handles of the selection's products placed on the page (as slots), in page order. */
  placed: string[];
  warnings: string[];
}

export function pageFromAnswer(
  answer: string,
  o: { selection: PersonaSelection; settings: ShopSettings; persona: Persona; baseUrl: string; language?: string },
): AnswerPage {
  const { selection, settings, persona, baseUrl } = o;
  const warnings: string[] = [];
  const extracted = extractHtml(answer);
  const sanitized = sanitizeFragment(extracted.html, { baseUrl, shopDomain: settings.shopDomain });
  warnings.push(...sanitized.warnings);
  // Liquid is neutralised after sanitizing (removing a tag can join "{" and "{") and before the
  // slots go in (they escape their own attributes, as the cards do their text).
  const kept = keepProductSlots(neutraliseLiquid(sanitized.html), { selection });
  if (kept.unknown.length) warnings.push(`dropped unknown product handles: ${listOf(kept.unknown)}`);
  if (kept.repeated.length) warnings.push(`dropped repeated products: ${listOf(kept.repeated)}`);
  validatePage(kept.html, kept.placed);

  const h1 = /<h1\b[^>]*>([\s\S]*?)<\/h1>/i.exec(kept.html)?.[1];
  const headline = extracted.title ?? (h1 ? plainText(h1).slice(0, 120) : "");
  const title = headline ? `${headline} | ${settings.shopName}` : settings.shopName;
  // Every page needs one top-level heading (accessibility); a model that forgot it gets a hidden one.
  const body = h1 === undefined ? `<h1 class="visually-hidden">${escapeHtml(headline || settings.shopName)}</h1>\n${kept.html}` : kept.html;
  return { html: renderPageShell({ settings, persona, title, body, source: "llm", ...(o.language ? { language: o.language } : {}) }), placed: kept.placed, warnings };
}

/** Model-chosen strings in warnings and logs: a few, each short. */
function listOf(items: string[]): string {
  const shown = items.slice(0, 10).map((h) => (h.length > 60 ? `${h.slice(0, 59)}…` : h));
  return items.length > shown.length ? `${shown.join(", ")} and ${items.length - shown.length} more` : shown.join(", ");
}
