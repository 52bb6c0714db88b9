import { PipelineError } from "./pipeline-error.ts";

/**
 * Last gate before the shell: the expanded body must sell something (enough catalog products), stay
 * within a size a shopper's phone downloads quickly, and be well-formed. It also re-checks the
 * sanitizer's promises, so a regression there yields a template page instead of an unsafe one.
 */

export const MIN_PRODUCTS = 3;
/** The generated body (cards included); the shell adds about 8 KB of CSS. */
export const MAX_BODY_BYTES = 400_000;

const VOID_ELEMENTS = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);
const UNSAFE = [
  /<\s*(?:script|iframe|object|embed|frame|meta|link|base|svg|math)\b/i,
  /<[^>]+\son[a-z]+\s*=/i,
  /<[^>]+\ssrcdoc\s*=/i,
  /(?:href|src|action)\s*=\s*["']?\s*(?:javascript|vbscript|data):/i,
  /<wand-product\b/i,
];

export function validatePage(body: string, placed: readonly string[]): void {
  if (placed.length < MIN_PRODUCTS) {
    throw new PipelineError(`only ${placed.length} catalog product${placed.length === 1 ? "" : "s"} placed; at least ${MIN_PRODUCTS} needed`);
  }
  const bytes = new TextEncoder().encode(body).length;
  if (bytes > MAX_BODY_BYTES) throw new PipelineError(`page body is ${bytes} bytes; the limit is ${MAX_BODY_BYTES}`);
  const unsafe = UNSAFE.find((pattern) => pattern.test(body));
  if (unsafe) throw new PipelineError(`page failed the safety re-check (${unsafe.source})`);
  const unbalanced = firstUnbalancedTag(body);
  if (unbalanced) throw new PipelineError(`page is not well-formed: ${unbalanced}`);
}

/** Checks that every element is closed in order; returns a description of the first fault, or null. */
export function firstUnbalancedTag(html: string): string | null {
  const markup = html.replace(/<style\b[^>]*>[\s\S]*?<\/style\s*>/gi, "").replace(/<!--[\s\S]*?-->/g, "");
  const open: string[] = [];
  for (const match of markup.matchAll(/<(\/?)([a-zA-Z][\w-]*)\b[^>]*?(\/?)>/g)) {
    const [, closing, rawName] = match;
    const name = (rawName ?? "").toLowerCase();
    if (VOID_ELEMENTS.has(name)) continue;
    if (!closing) {
      open.push(name);
      continue;
    }
    const top = open.pop();
    if (top !== name) return top ? `</${name}> closes <${top}>` : `</${name}> without an opening tag`;
  }
  return open.length ? `<${open[open.length - 1]}> is never closed` : null;
}
