import { PipelineError } from "./pipeline-error.ts";

/**
 * Pulls the page fragment out of a chat answer. Models wrap HTML in code fences, add prose before and
 * after, or return a whole document although asked for a fragment; all of that is tolerated here so
 * the sanitizer sees only the markup.
 */

export interface ExtractedHtml {
  /** The markup meant for inside <main>: a document's <body> content, with any <style> of its <head>. */
  html: string;
  /** Text of the document's <title>, if the model wrote one. */
  title: string | null;
}

const FENCE = /```[ \t]*([\w-]*)[^\n]*\n([\s\S]*?)(?:(```)|$)/g;
const FIRST_TAG = /<(?:!doctype|html|head|body|main|section|article|div|header|nav|aside|footer|style|h[1-6]|p|ul|ol|figure|details|table|wand-product)\b/i;

export function extractHtml(answer: string): ExtractedHtml {
  const trimmed = answer.trim();
  if (!trimmed) throw new PipelineError("empty answer");

  const fenced = fromFences(trimmed);
  // A fence left open means the answer was cut off: its tail is page, not closing prose.
  const markup = stripProse(fenced?.body ?? trimmed, !fenced || fenced.closed);
  if (markup === null) throw new PipelineError("answer contains no HTML");

  const title = /<title\b[^>]*>([\s\S]*?)<\/title\s*>/i.exec(markup)?.[1] ?? null;
  const head = /<head\b[^>]*>([\s\S]*?)<\/head\s*>/i.exec(markup)?.[1] ?? "";
  const headStyles = head.match(/<style\b[^>]*>[\s\S]*?<\/style\s*>/gi)?.join("\n") ?? "";
  const body = /<body\b[^>]*>([\s\S]*?)(?:<\/body\s*>|$)/i.exec(markup)?.[1];

  const fragment = body !== undefined
    ? `${headStyles}\n${body}`
    : markup
        .replace(/<head\b[^>]*>[\s\S]*?<\/head\s*>/i, headStyles)
        .replace(/<!doctype[^>]*>/gi, "")
        .replace(/<\/?html\b[^>]*>/gi, "")
        .replace(/<title\b[^>]*>[\s\S]*?<\/title\s*>/gi, "");

  if (!fragment.trim()) throw new PipelineError("answer has no page content");
  return { html: fragment.trim(), title: title === null ? null : cleanTitle(title) };
}

/** The most likely page among fenced blocks: an html-tagged one, else the longest with markup. */
function fromFences(text: string): { body: string; closed: boolean } | null {
  const blocks = [...text.matchAll(FENCE)].map((m) => ({ lang: (m[1] ?? "").toLowerCase(), body: m[2] ?? "", closed: m[3] !== undefined }));
  const withMarkup = blocks.filter((b) => FIRST_TAG.test(b.body));
  if (withMarkup.length === 0) return null;
  const tagged = withMarkup.filter((b) => b.lang === "html" || b.lang === "htm");
  const pool = tagged.length ? tagged : withMarkup;
  return pool.reduce((best, b) => (b.body.length > best.body.length ? b : best));
}

/** Cuts prose before the first structural tag and, when `cutTail`, after the last '>'. */
function stripProse(text: string, cutTail: boolean): string | null {
  const start = text.search(FIRST_TAG);
  if (start < 0) return null;
  const end = text.lastIndexOf(">");
  return cutTail && end > start ? text.slice(start, end + 1) : text.slice(start);
}

function cleanTitle(raw: string): string | null {
  return plainText(raw).slice(0, 120) || null;
}

/**
 * The text of a piece of markup, with the entities our own pipeline writes decoded (the result is
 * escaped again wherever it is written, e.g. the shell's <title>).
 */
export function plainText(html: string): string {
  return html
    .replace(/<[^>]*>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#0*39;|&apos;/g, "'")
    .replace(/&#123;/g, "{")
    .replace(/&#125;/g, "}")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}
