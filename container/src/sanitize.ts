import sanitizeHtml from "sanitize-html";
import { sanitizeCss } from "./sanitize-css.ts";

/**
 * The allowlist the model's markup must pass. The model writes layout and copy only: sectioning and
 * text elements, tables, details/summary, links to the shop's own pages, one stylesheet, and
 * `<wand-product handle="...">` placeholders. Everything else is removed — scripts, frames, objects,
 * SVG/MathML, images (product images come from the catalog cards), forms (the only forms on the page
 * are the cards' `/cart/add` forms, whose variant id is the catalog's), meta/link/base, event
 * handlers, and any URL that is not a path on the shop.
 */

/** The elements a generated page may keep (validate-page.ts re-checks the parsed page against it). */
export const ALLOWED_TAGS: readonly string[] = [
  "address", "article", "aside", "footer", "header", "hgroup", "nav", "section", "div",
  "h1", "h2", "h3", "h4", "h5", "h6", "p", "blockquote", "pre", "hr", "br", "wbr",
  "ul", "ol", "li", "dl", "dt", "dd", "figure", "figcaption", "details", "summary",
  "a", "abbr", "b", "bdi", "bdo", "cite", "code", "dfn", "em", "i", "kbd", "mark", "q", "s",
  "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
  "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
  "wand-product",
];

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  "*": ["class", "id", "title", "lang", "dir", "role", "aria-*", "style"],
  a: ["href"],
  "wand-product": ["handle"],
  ol: ["start", "reversed", "type"],
  td: ["colspan", "rowspan", "headers"],
  th: ["colspan", "rowspan", "headers", "scope", "abbr"],
  col: ["span"],
  colgroup: ["span"],
  time: ["datetime"],
  details: ["open"],
};

/**
 * Disallowed elements whose text is dropped too, not just their tags: code and raw text. Other
 * disallowed elements (svg, object, button...) lose only their tags, so one left unclosed by the
 * model cannot swallow the rest of the page; their children pass the allowlist on their own.
 */
const NON_TEXT_TAGS = [
  "script", "style", "textarea", "option", "xmp", "noscript", "noembed", "noframes", "template", "title", "head", "plaintext",
];

/** Elements that must not contain a product card (a card holds its own link and form). */
const NO_CARD_INSIDE = new Set(["a", "summary", "p", "h1", "h2", "h3", "h4", "h5", "h6", "span", "q", "caption"]);

export interface SanitizeOptions {
  /** "" for relative links; otherwise the shop origin to prefix shop paths with. */
  baseUrl: string;
  /** Absolute links to this host are kept (as shop paths); all other hosts are dropped. */
  shopDomain: string;
}

export interface SanitizedHtml {
  html: string;
  warnings: string[];
}

export function sanitizeFragment(input: string, options: SanitizeOptions): SanitizedHtml {
  const styles: string[] = [];
  const withoutStyles = input.replace(/<style\b[^>]*>([\s\S]*?)(?:<\/style\s*>|$)/gi, (_whole, css: string) => {
    styles.push(css);
    return "";
  });

  const removed = new Set<string>();
  const misplaced: string[] = [];
  const warnings: string[] = [];
  const openAncestors: string[] = [];

  const body = sanitizeHtml(normalisePlaceholders(withoutStyles), {
    allowedTags: [...ALLOWED_TAGS],
    allowedAttributes: ALLOWED_ATTRIBUTES,
    // shopHref (transformTags) already reduced every href to a shop path or the shop origin.
    allowedSchemes: ["https", "http"],
    allowedSchemesByTag: {},
    allowProtocolRelative: false,
    disallowedTagsMode: "discard",
    nonTextTags: NON_TEXT_TAGS,
    // Style attributes are cleaned by sanitizeCss in transformTags; sanitize-html would need a regex per property.
    parseStyleAttributes: false,
    nestingLimit: 48,
    onOpenTag(name) {
      openAncestors.push(name);
      if (!ALLOWED_TAGS.includes(name) && name !== "main" && name !== "html" && name !== "body") removed.add(name);
    },
    onCloseTag(name) {
      const at = openAncestors.lastIndexOf(name);
      if (at >= 0) openAncestors.splice(at);
    },
    transformTags: {
      main: (_tag, attribs) => ({ tagName: "div", attribs }),
      a: (tag, attribs) => {
        const href = attribs.href === undefined ? null : shopHref(attribs.href, options);
        const { href: _dropped, ...rest } = attribs;
        return { tagName: tag, attribs: href === null ? rest : { ...rest, href } };
      },
      "wand-product": (tag, attribs) => {
        // The ancestors list includes this element itself (onOpenTag ran first).
        const inside = openAncestors.slice(0, -1).find((a) => NO_CARD_INSIDE.has(a));
        if (attribs.handle === undefined) warnings.push("dropped a product placeholder without a handle");
        if (inside) misplaced.push(`${attribs.handle ?? "?"} inside <${inside}>`);
        // Only the handle: the card brings everything else, and placeholders.ts expects exactly this
        // shape. A placeholder to drop keeps its tag without a handle: renaming it to a disallowed tag
        // would trip sanitize-html, which then mislabels the next closing tag at the same depth.
        const kept: sanitizeHtml.Attributes = attribs.handle === undefined || inside ? {} : { handle: attribs.handle };
        return { tagName: tag, attribs: kept };
      },
      "*": (tag, attribs) => ({ tagName: tag, attribs: tag === "wand-product" ? attribs : cleanGlobalAttributes(attribs) }),
    },
    exclusiveFilter: (frame) => (frame.tag === "a" && !frame.attribs.href ? "excludeTag" : false),
  });

  if (removed.size) warnings.push(`removed disallowed elements: ${[...removed].sort().join(", ")}`);
  if (misplaced.length) warnings.push(`dropped misplaced product placeholders: ${misplaced.join(", ")}`);

  const css = styles.map(sanitizeCss).filter(Boolean).join("\n");
  const html = body.replace(/<wand-product><\/wand-product>/g, "");
  return { html: css ? `<style>${css}</style>\n${html}` : html, warnings };
}

/**
 * Makes every placeholder an empty element before parsing. Models write `<wand-product .../>`
 * (which an HTML parser reads as an unclosed element swallowing the rest of the page) or put a
 * product name and price inside it; the card replaces the element, so its content is never used.
 */
function normalisePlaceholders(html: string): string {
  return html
    .replace(/<wand-product\b([^>]*?)\/?>((?:(?!<\/?wand-product\b)[\s\S])*?)<\/wand-product\s*>/gi, "<wand-product$1></wand-product>")
    .replace(/<wand-product\b([^>]*?)\/?>(?!<\/wand-product>)/gi, "<wand-product$1></wand-product>")
    .replace(/(?<!<wand-product\b[^>]*>)<\/wand-product\s*>/gi, "");
}

/**
 * Storefront pages a link may open. Not /cart (a GET to /cart/add or a /cart/<variant>:<qty> permalink
 * would put a product of the model's choosing in the cart), /checkout or /account.
 */
const SHOP_PAGES = /^\/(?:$|[?#]|(?:collections|products|pages|blogs|search)(?:[/?#]|$))/;

/** A link to a shop page ("/collections/sale", "#top"), prefixed with baseUrl; null for anything else. */
export function shopHref(raw: string, { baseUrl, shopDomain }: SanitizeOptions): string | null {
  const value = raw.trim();
  if (/^#[A-Za-z][\w-]*$/.test(value)) return value;
  let path: string | null = null;
  if (/^\/(?![/\\])/.test(value)) {
    path = value;
  } else if (/^https?:\/\//i.test(value)) {
    try {
      const url = new URL(value);
      if (url.hostname.toLowerCase() === shopDomain.toLowerCase()) path = url.pathname + url.search + url.hash;
    } catch {
      path = null;
    }
  }
  if (path === null || /[\s\\<>"'`\u0000-\u001f\u007f]/.test(path) || !SHOP_PAGES.test(path)) return null;
  return baseUrl + path;
}

/**
 * Class names of the product cards and the page shell (core/product-card.ts, core/page-shell.ts):
 * markup of the model's own that wears them could pass for a card with a price of the model's.
 */
const RESERVED_CLASSES = new Set([
  "card", "card-title", "card-meta", "card-desc", "media", "prices", "price", "compare", "save", "sold-out", "add",
  "skip-link", "site-header", "site-footer", "shop-name",
]);

/** Styles through sanitizeCss; reserved class names and "wand-" classes and ids are removed. */
function cleanGlobalAttributes(attribs: sanitizeHtml.Attributes): sanitizeHtml.Attributes {
  const out: sanitizeHtml.Attributes = {};
  for (const [name, value] of Object.entries(attribs)) {
    if (name === "style") {
      const css = sanitizeCss(value).replace(/[{}]/g, "");
      if (css) out.style = css;
    } else if (name === "class") {
      const classes = value.split(/\s+/).filter((c) => c && !/^wand-/i.test(c) && !RESERVED_CLASSES.has(c.toLowerCase()));
      if (classes.length) out.class = classes.join(" ");
    } else if (name === "id") {
      // "main" is the shell's skip-link target.
      if (!/^wand-/i.test(value) && value !== "main") out.id = value;
    } else {
      out[name] = value;
    }
  }
  return out;
}
