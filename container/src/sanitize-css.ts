/**
 * CSS from the model, for a <style> element or a style attribute. sanitize-html does not look inside
 * <style> at all and only regex-filters style attributes, so this is our own allowlist-minded pass:
 * no resource loading of any kind (url(), image-set(), @import, @font-face), no script-ish CSS
 * (expression(), behavior, -moz-binding, javascript:), no way to close the <style> element, no text
 * that reads like a product fact via `content:`, and no Liquid delimiters.
 *
 * Escapes are decoded first so that `\75 rl(` is seen as the `url(` a browser would read.
 */

/** Functions that fetch something or run something; the whole call is replaced by `none`. */
const BLOCKED_FUNCTIONS = /(?<![\w-])(?:url|src|image|image-set|-webkit-image-set|cross-fade|-webkit-cross-fade|element|-moz-element|paint|expression)\s*\(/gi;
const BLOCKED_PROPERTIES = /(?<![\w-])(?:behavior|-ms-behavior|-moz-binding)\s*:/gi;
const BLOCKED_AT_RULES = /@(?:import|charset|namespace)\b[^;{}]*;?/gi;
const FONT_FACE = /@font-face\b[^{}]*\{[^{}]*\}?/gi;
const SCRIPT_SCHEMES = /(?:javascript|vbscript|livescript)\s*:/gi;
// The value runs to the first ';' or '}' outside quotes.
const CONTENT_DECLARATION = /(?<![\w-])content\s*:\s*((?:"[^"]*"?|'[^']*'?|[^;}"'])*)/gi;

export const MAX_CSS_CHARS = 24_000;

export function sanitizeCss(input: string): string {
  let css = decodeEscapes(input)
    // A decoded backslash would start a new escape in the browser's eyes; none is needed in output.
    .replace(/\\/g, "")
    .replace(/\/\*[\s\S]*?(?:\*\/|$)/g, " ")
    .replace(BLOCKED_AT_RULES, "")
    .replace(FONT_FACE, "");
  css = replaceCalls(css);
  css = css
    .replace(BLOCKED_PROPERTIES, "x-blocked:")
    .replace(SCRIPT_SCHEMES, "blocked-scheme-")
    .replace(CONTENT_DECLARATION, (whole: string, value: string) => (isDecorativeContent(value) ? whole : "content: none"));
  if (css.length > MAX_CSS_CHARS) css = css.slice(0, css.lastIndexOf("}", MAX_CSS_CHARS) + 1);
  return (
    css
      // "</style" must never appear: a CSS hex escape keeps the character for the CSS parser.
      .replace(/</g, "\\3c ")
      // Liquid's {{ {% }} %} never occur in valid CSS except as adjacent braces ("}}" closing an
      // @media block, "100%}"); a space keeps the meaning and stops Liquid from seeing a delimiter.
      .replace(/\{(?=[{%])/g, "{ ")
      .replace(/([}%])(?=\})/g, "$1 ")
      .trim()
  );
}

function decodeEscapes(css: string): string {
  return css
    .replace(/\\\r?\n/g, "")
    .replace(/\\([0-9a-f]{1,6})[ \t\n\r\f]?/gi, (_whole, hex: string) => {
      const code = parseInt(hex, 16);
      return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? "\uFFFD" : String.fromCodePoint(code);
    })
    .replace(/\\([^\n])/g, "$1");
}

/** Replaces each blocked function call, up to its balancing parenthesis (quotes respected), by `none`. */
function replaceCalls(css: string): string {
  let out = "";
  let from = 0;
  BLOCKED_FUNCTIONS.lastIndex = 0;
  for (let match = BLOCKED_FUNCTIONS.exec(css); match; match = BLOCKED_FUNCTIONS.exec(css)) {
    out += css.slice(from, match.index) + "none";
    from = endOfCall(css, match.index + match[0].length);
    BLOCKED_FUNCTIONS.lastIndex = from;
  }
  return out + css.slice(from);
}

function endOfCall(css: string, start: number): number {
  let depth = 1;
  let quote: string | null = null;
  for (let i = start; i < css.length; i++) {
    const ch = css[i];
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === "(") {
      depth++;
    } else if (ch === ")" && --depth === 0) {
      return i + 1;
    }
  }
  return css.length;
}

/** Bullets, arrows and empty strings are decoration; longer text or digits could fake a price or title. */
function isDecorativeContent(value: string): boolean {
  for (const literal of value.matchAll(/(["'])(.*?)\1/g)) {
    const text = literal[2] ?? "";
    if ([...text].length > 2 || /\d/.test(text)) return false;
  }
  // An unbalanced quote means the value ran past a ';' or '}' inside a string: not decoration.
  return !/["']/.test(value.replace(/(["'])(.*?)\1/g, "")) && !/attr\s*\(/i.test(value);
}
