/**
 * HTML in pure ASCII: every character above U+007F outside raw-text elements becomes a numeric
 * character reference (`–` → `&#x2013;`), which a browser decodes back to the same character in
 * text, RCDATA (`<title>`) and attribute values alike. Why: a served page is joined from cached
 * parts on every hit, and one non-ASCII character anywhere (a typographic apostrophe in a product
 * description) makes the JavaScript engine hold the whole page as a two-byte string, which costs
 * twice the memory and about twice the time to encode as the UTF-8 response body. An all-ASCII page
 * stays a one-byte string and is encoded on the fast path.
 *
 * `<script>` and `<style>` contents are raw text, where references are not decoded: they are kept
 * as they are (our pages have no script, and the shell's stylesheet is ASCII).
 */

const NON_ASCII = /[^\x00-\x7f]/;
const NON_ASCII_ALL = /[^\x00-\x7f]/gu;
const RAW_TEXT = /(<(script|style)\b[^>]*>[\s\S]*?<\/\2\s*>)/gi;

function reference(char: string): string {
  return `&#x${char.codePointAt(0)!.toString(16)};`;
}

export function asciiHtml(html: string): string {
  if (!NON_ASCII.test(html)) return html;
  // split with a capturing group: odd indexes are the raw-text elements, kept byte for byte.
  return html
    .split(RAW_TEXT)
    .map((part, i) => {
      if (i % 3 === 1) return part;
      if (i % 3 === 2) return ""; // the tag-name capture of the element before
      return part.replace(NON_ASCII_ALL, reference);
    })
    .join("");
}

/** Whether a string is pure ASCII (what asciiHtml returns for HTML without raw-text non-ASCII). */
export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}
