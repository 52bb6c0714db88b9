import { ALLOWED_TAGS } from "./sanitize.ts";
import { Parser, type Handler } from "htmlparser2";
import { PipelineError } from "./pipeline-error.ts";

/**
 * Last gate before the shell: the body must sell something (enough catalog products), stay within a
 * size a shopper's phone downloads quickly, and be well-formed. It also re-checks the sanitizer's
 * promises, so a regression there yields a template page instead of an unsafe one.
 *
 * Both checks read the document as htmlparser2 (the parser sanitize-html is built on) parses it, not
 * its characters: escaped text (`title="&lt;img onerror=…&gt;"`, `<p>&lt;script&gt;</p>`) is text
 * and can never fail a page, while an element, attribute or URL scheme that really is there always
 * does. Attribute values are checked as the parser decodes them, i.e. as a browser reads them.
 */

export const MIN_PRODUCTS = 3;
/** The generated body; the shell adds about 8 KB of CSS. */
export const MAX_BODY_BYTES = 400_000;

/** The canonical product slot `<wand-product handle="H" data-badge="B"></wand-product>`; the edge expands it. */
const SLOT = "wand-product";
const SLOT_ATTRIBUTES = new Set(["handle", "data-badge"]);

/** The elements sanitize.ts lets through, plus the one `<style>` element it writes itself. Anything else is a leftover. */
const ALLOWED_ELEMENTS = new Set([...ALLOWED_TAGS, "style", SLOT]);

/** htmlparser2's void elements: it closes them itself (an implied close that is not a fault). */
const VOID_ELEMENTS = new Set([
  "area", "base", "basefont", "br", "col", "command", "embed", "frame", "hr", "img", "input", "isindex", "keygen",
  "link", "meta", "param", "source", "track", "wbr",
]);

/** Attributes a browser reads as a URL to open, load or submit to. */
const URL_ATTRIBUTES = new Set([
  "href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "background", "cite", "data", "codebase",
  "classid", "archive", "longdesc", "lowsrc", "dynsrc", "ping", "manifest", "icon", "profile", "usemap",
]);
const SCRIPT_SCHEME = /^(?:javascript|vbscript|livescript|data):/i;
// Browsers ignore ASCII whitespace and control characters inside a scheme ("java\tscript:").
const IGNORED_IN_SCHEME = /[\u0000-\u0020\u007f-\u009f]/g;

/** CSS that loads or runs something, after escapes and comments are removed (sanitize-css.ts removes all of it). */
const UNSAFE_CSS = [
  { name: "url(", pattern: /(?<![\w-])url\s*\(/i },
  { name: "@import", pattern: /@import\b/i },
  { name: "expression(", pattern: /(?<![\w-])expression\s*\(/i },
  { name: "a resource function", pattern: /(?<![\w-])(?:src|image|image-set|-webkit-image-set|cross-fade|-webkit-cross-fade|element|-moz-element|paint)\s*\(/i },
  { name: "@font-face", pattern: /@font-face\b/i },
  { name: "a script binding", pattern: /(?<![\w-])(?:behavior|-ms-behavior|-moz-binding)\s*:/i },
  { name: "a script URL", pattern: /(?:javascript|vbscript|livescript)\s*:/i },
];

export function validatePage(body: string, placed: readonly string[]): void {
  if (placed.length < MIN_PRODUCTS) {
    throw new PipelineError(`only ${placed.length} catalog product${placed.length === 1 ? "" : "s"} placed; at least ${MIN_PRODUCTS} needed`);
  }
  const bytes = new TextEncoder().encode(body).length;
  if (bytes > MAX_BODY_BYTES) throw new PipelineError(`page body is ${bytes} bytes; the limit is ${MAX_BODY_BYTES}`);
  const findings = inspectMarkup(body);
  if (findings.unsafe) throw new PipelineError(`page failed the safety re-check (${findings.unsafe})`);
  if (findings.unbalanced) throw new PipelineError(`page is not well-formed: ${findings.unbalanced}`);
}

/**
 * Checks that every element is closed, in order, by an end tag of its own; returns a description of
 * the first fault, or null. A close the parser has to imply (end of input, an end tag of an ancestor,
 * a `<div>` inside a `<p>`) and an end tag that closes nothing are faults; void elements are not.
 */
export function firstUnbalancedTag(html: string): string | null {
  return inspectMarkup(html).unbalanced;
}

interface Findings {
  /** The first leftover the sanitizer should have removed, or null. */
  unsafe: string | null;
  /** The first well-formedness fault, or null. */
  unbalanced: string | null;
}

/**
 * htmlparser2's Parser drops an end tag that matches no open element without telling its handler.
 * This subclass announces every end tag the tokenizer reads before the parser acts on it, so the
 * handler can tell a stray one (nothing closed) from a real one. `onclosetag(start, end)` is the
 * tokenizer's callback into the parser; the whole input is parsed in one call, so the indices are
 * offsets into it.
 */
class EndTagReportingParser extends Parser {
  private readonly input: string;
  private readonly onEndTag: (name: string | null) => void;

  constructor(handler: Partial<Handler>, input: string, onEndTag: (name: string | null) => void) {
    super(handler, { decodeEntities: true });
    this.input = input;
    this.onEndTag = onEndTag;
  }

  override onclosetag(start: number, endIndex: number): void {
    this.onEndTag(this.input.slice(start, endIndex).toLowerCase());
    super.onclosetag(start, endIndex);
    this.onEndTag(null);
  }
}

function inspectMarkup(html: string): Findings {
  const findings: Findings = { unsafe: null, unbalanced: null };
  const unsafe = (what: string) => (findings.unsafe ??= what);
  const unbalanced = (what: string) => (findings.unbalanced ??= what);

  /** Open non-void elements, innermost last, as the parser sees them. */
  const open: string[] = [];
  let endTag: string | null = null;
  let endTagClosedSomething = false;
  /** An element the parser closed on its own; what made it do so is known at the next event. */
  let impliedClose: string | null = null;
  let tag = "";
  let css = "";

  const handler: Partial<Handler> = {
    onopentagname(name) {
      if (impliedClose) unbalanced(`<${name}> implicitly closes <${impliedClose}>`);
      impliedClose = null;
      const parent = open.at(-1);
      if (parent === SLOT) unsafe(`<${name}> inside <${SLOT}>`);
      tag = name;
    },
    onattribute(name, value) {
      const problem = unsafeAttribute(name, value);
      if (problem) unsafe(`${problem} on <${tag}>`);
    },
    onopentag(name, attribs, isImplied) {
      if (isImplied) {
        // The parser turns a stray </p> into <p></p> and a </br> into <br>.
        unbalanced(`</${name}> without an opening tag`);
        endTagClosedSomething = true;
      }
      if (!ALLOWED_ELEMENTS.has(name)) unsafe(`<${name}> element`);
      if (name === SLOT) {
        const extra = Object.keys(attribs).find((a) => !SLOT_ATTRIBUTES.has(a));
        if (extra !== undefined) unsafe(`<${SLOT}> with attribute ${extra}`);
        else if (!attribs.handle?.trim()) unsafe(`<${SLOT}> without a handle`);
      }
      if (!VOID_ELEMENTS.has(name)) open.push(name);
      if (name === "style") css = "";
    },
    ontext(text) {
      const current = open.at(-1);
      if (current === "style") css += text;
      else if (current === SLOT) unsafe(`text inside <${SLOT}>`);
    },
    oncomment() {
      if (open.at(-1) === SLOT) unsafe(`a comment inside <${SLOT}>`);
    },
    onclosetag(name, isImplied) {
      if (VOID_ELEMENTS.has(name)) return;
      open.pop();
      if (name === "style") {
        const problem = unsafeCss(css);
        if (problem) unsafe(`${problem} in <style>`);
      }
      if (!isImplied) {
        endTagClosedSomething = true;
        return;
      }
      if (endTag !== null) unbalanced(`</${endTag}> closes <${name}>`);
      else impliedClose ??= name;
    },
    onend() {
      // The parser closes whatever is still open at the end of the input, innermost first.
      if (impliedClose) unbalanced(`<${impliedClose}> is never closed`);
    },
  };

  const parser = new EndTagReportingParser(handler, html, (name) => {
    if (name !== null) {
      endTag = name;
      endTagClosedSomething = false;
      return;
    }
    if (!endTagClosedSomething) unbalanced(`</${endTag}> without an opening tag`);
    endTag = null;
  });
  parser.end(html);
  return findings;
}

function unsafeAttribute(name: string, value: string): string | null {
  if (name.startsWith("on")) return `event handler attribute ${name}`;
  if (name === "srcdoc") return "srcdoc attribute";
  if (URL_ATTRIBUTES.has(name)) {
    const scheme = SCRIPT_SCHEME.exec(value.replace(IGNORED_IN_SCHEME, ""));
    if (scheme) return `${scheme[0].toLowerCase()} URL in ${name}`;
  }
  if (name === "style") {
    const problem = unsafeCss(value);
    if (problem) return `${problem} in a style attribute`;
  }
  return null;
}

function unsafeCss(css: string): string | null {
  const plain = decodeCssEscapes(css).replace(/\/\*[\s\S]*?(?:\*\/|$)/g, "");
  return UNSAFE_CSS.find(({ pattern }) => pattern.test(plain))?.name ?? null;
}

/** `\75 rl(` is the `url(` a browser reads; the check must read it the same way. */
function decodeCssEscapes(css: string): string {
  return css
    .replace(/\\\r?\n/g, "")
    .replace(/\\([0-9a-f]{1,6})[ \t\n\r\f]?/gi, (_whole, hex: string) => {
      const code = parseInt(hex, 16);
      return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? "\uFFFD" : String.fromCodePoint(code);
    })
    .replace(/\\(.)/g, "$1");
}
