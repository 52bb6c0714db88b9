/**
 * HTML safety rules for everything WandStore writes into a page.
 *
 * Pages may be served through Shopify's app proxy, where a response of type `application/liquid`
 * is rendered as Liquid: a product title like `{{ customer.email }}` would then execute. So every
 * escaping function here also neutralises Liquid delimiters, and `neutraliseLiquid` is exported for
 * HTML produced elsewhere (the generator's sanitised LLM output).
 */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Makes `{{`, `}}`, `{%` and `%}` inert by writing the brace as an HTML entity: the browser shows
 * the same characters, Liquid never sees a delimiter. A `{` followed by `{` or `%`, and a `}`
 * preceded by `}` or `%`, is replaced, so no delimiter survives however the braces are stacked.
 * Meant for text and attribute values (entities are not decoded inside <style>: WandStore's own
 * CSS never contains these sequences, see page-shell.ts).
 */
export function neutraliseLiquid(s: string): string {
  if (!s.includes("{") && !s.includes("}")) return s;
  return s.replace(/\{(?=[{%])/g, "&#123;").replace(/(?<=[}%])\}/g, "&#125;");
}

/** Escapes text for an HTML text node (and neutralises Liquid). */
export function escapeHtml(s: string): string {
  return neutraliseLiquid(s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!));
}

/**
 * Escapes a value for a double- or single-quoted HTML attribute (and neutralises Liquid).
 * Always quote attributes: an unquoted attribute cannot be made safe by escaping alone.
 */
export function escapeAttr(s: string): string {
  return neutraliseLiquid(s.replace(/[&<>"'`]/g, (c) => (c === "`" ? "&#96;" : HTML_ESCAPES[c]!)));
}
