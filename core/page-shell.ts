import { ensureContrast, readableOn, relativeLuminance } from "./colour.ts";
import { escapeAttr, escapeHtml } from "./html.ts";
import { canonicalLanguage, primaryLanguage, textDirection } from "./locale.ts";
import { message, messagesFor } from "./locales/index.ts";
import { renderSlot } from "./slots.ts";
import type { GenerationSource, Persona, ShopSettings } from "./types.ts";

/**
 * The document around every WandStore page, template or LLM: head, CSP, brand-colour CSS, the
 * landmarks and the per-shopper slots. One shell, so every page is equally safe and accessible
 * whatever wrote its body.
 */

/**
 * Strict CSP: no scripts at all, styles only inline, images from https or data URLs, forms only to
 * the shop (and the page's own origin, which is the shop's when served through the app proxy).
 */
export function buildCsp(shopDomain: string): string {
  return [
    "default-src 'none'",
    "script-src 'none'",
    "style-src 'unsafe-inline'",
    "img-src https: data:",
    `form-action 'self' https://${shopDomain}`,
    "base-uri 'none'",
    "object-src 'none'",
  ].join("; ");
}

/** CSS custom properties from the brand colours, adjusted where needed to keep text readable. */
function themeVariables(c: ShopSettings["colours"]): string {
  const light = relativeLuminance(c.background) > 0.5;
  const text = ensureContrast(c.text, c.background);
  const accent = ensureContrast(c.accent, c.background);
  return [
    `--wand-bg:${c.background};`,
    `--wand-text:${text};`,
    `--wand-primary:${c.primary};`,
    `--wand-on-primary:${readableOn(c.primary)};`,
    `--wand-accent:${accent};`,
    `--wand-on-accent:${readableOn(accent)};`,
    // Neutral box behind images: what the shopper sees when an image does not load.
    `--wand-surface:${light ? "#ececec" : "#2b2b2b"};`,
    `--wand-line:${light ? "#d4d4d4" : "#4a4a4a"};`,
  ].join("");
}

/*
 * CSS is written one rule per line and every declaration ends with ";", so the stylesheet never
 * contains "}}" or "%}" (Liquid delimiters) — neutraliseLiquid() leaves a whole page unchanged.
 * Mobile first: the base rules are for a phone; min-width queries widen the layouts.
 */
const BASE_CSS = [
  "*,*::before,*::after{box-sizing:border-box;}",
  "html{-webkit-text-size-adjust:100%;}",
  "body{margin:0;background:var(--wand-bg);color:var(--wand-text);font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif;font-size:1rem;line-height:1.5;}",
  "a{color:inherit;text-underline-offset:.2em;}",
  ":focus-visible{outline:3px solid var(--wand-accent);outline-offset:2px;}",
  ".skip-link{position:absolute;left:.5rem;top:-4rem;z-index:10;padding:.5rem 1rem;background:var(--wand-bg);color:var(--wand-text);border:2px solid var(--wand-accent);}",
  ".skip-link:focus{top:.5rem;}",
  ".visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0;}",
  ".site-header{background:var(--wand-primary);color:var(--wand-on-primary);padding:.75rem 1rem;}",
  ".site-header :focus-visible{outline-color:var(--wand-on-primary);}",
  ".shop-name{margin:0;font-weight:700;font-size:1.125rem;}",
  "main{display:block;max-width:72rem;margin:0 auto;padding:1.5rem 1rem 3rem;}",
  "h1,h2,h3{line-height:1.2;}",
  "h1{font-size:1.75rem;margin:0 0 .5rem;}",
  "h2{font-size:1.25rem;margin:2rem 0 1rem;}",
  ".lede{margin:0 0 1.5rem;max-width:40rem;}",
  ".grid{list-style:none;margin:0;padding:0;display:grid;gap:1rem;grid-template-columns:repeat(auto-fill,minmax(min(100%,14rem),1fr));}",
  ".grid>li{display:flex;}",
  ".card{display:flex;flex-direction:column;gap:.5rem;width:100%;padding:.75rem;border:1px solid var(--wand-line);border-radius:.5rem;background:var(--wand-bg);}",
  ".media{position:relative;aspect-ratio:1/1;overflow:hidden;border-radius:.375rem;background:var(--wand-surface);color:var(--wand-text);display:flex;align-items:center;justify-content:center;text-align:center;font-size:.875rem;padding:0;}",
  ".media img{display:block;width:100%;height:100%;object-fit:cover;}",
  ".card-title{font-size:1.0625rem;margin:0;}",
  ".card-title a{text-decoration:none;}",
  ".card-title a:hover{text-decoration:underline;}",
  ".card-meta{margin:0;font-size:.875rem;}",
  ".card-desc{margin:0;}",
  ".prices{margin:0;display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem .5rem;}",
  ".price{font-weight:700;font-size:1.125rem;}",
  ".compare{font-size:.9375rem;}",
  ".save{display:inline-block;align-self:flex-start;margin:0;padding:.125rem .5rem;border-radius:.375rem;background:var(--wand-accent);color:var(--wand-on-accent);font-weight:700;font-size:.875rem;}",
  ".card form{margin-top:auto;}",
  ".add{display:block;width:100%;min-height:2.75rem;padding:.625rem 1rem;border:0;border-radius:.375rem;background:var(--wand-primary);color:var(--wand-on-primary);font:inherit;font-weight:600;cursor:pointer;}",
  ".add:hover{filter:brightness(1.15);}",
  // A sold-out card has no form: this label sits where the button would be.
  ".sold-out{margin:auto 0 0;padding:.625rem 1rem;border:1px dashed var(--wand-line);border-radius:.375rem;background:var(--wand-surface);color:var(--wand-text);font-weight:600;text-align:center;}",
  ".site-footer{border-top:1px solid var(--wand-line);padding:1.5rem 1rem;font-size:.875rem;}",
  ".site-footer p{max-width:72rem;margin:0 auto;}",
  ".more{margin:2.5rem 0 0;}",
];

const PERSONA_CSS: Record<Persona, string[]> = {
  // Few items, one column, generous whitespace, quiet type.
  minimalist: [
    ".persona-minimalist main{max-width:38rem;padding:3rem 1.5rem 4rem;}",
    ".persona-minimalist h1{font-weight:300;font-size:2.25rem;letter-spacing:-.01em;}",
    ".persona-minimalist h2{font-weight:400;font-size:.875rem;text-transform:uppercase;letter-spacing:.12em;margin-top:3rem;}",
    ".persona-minimalist .grid{grid-template-columns:1fr;gap:4rem;}",
    ".persona-minimalist .card{border:0;padding:0;gap:.75rem;}",
    ".persona-minimalist .media{aspect-ratio:4/3;border-radius:0;}",
    ".persona-minimalist .add{width:auto;background:transparent;color:var(--wand-text);border:1px solid var(--wand-text);}",
  ],
  // Breadth: category navigation and dense grids, one section per category.
  explorer: [
    ".category-nav ul{list-style:none;margin:0 0 1rem;padding:0;display:flex;flex-wrap:wrap;gap:.5rem;}",
    ".category-nav a{display:inline-block;padding:.375rem .875rem;border:1px solid var(--wand-line);border-radius:999px;text-decoration:none;}",
    ".category-nav a:hover{border-color:var(--wand-text);}",
    ".persona-explorer .grid{grid-template-columns:repeat(2,minmax(0,1fr));gap:.75rem;}",
    ".persona-explorer .card{padding:.5rem;}",
    ".persona-explorer section{scroll-margin-top:1rem;}",
    "@media (min-width:40rem){.persona-explorer .grid{grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));}\n}",
  ],
  // Savings first: a deals banner, horizontal cards with the saving leading.
  dealhunter: [
    ".deal-banner{background:var(--wand-accent);color:var(--wand-on-accent);padding:1rem;border-radius:.5rem;margin:0 0 1.5rem;}",
    ".deal-banner h1{margin:0;}",
    ".deal-banner p{margin:.25rem 0 0;font-weight:600;}",
    ".persona-dealhunter .grid{grid-template-columns:1fr;gap:.75rem;}",
    ".persona-dealhunter .card{display:grid;grid-template-columns:6.5rem 1fr;column-gap:.75rem;row-gap:.375rem;align-items:start;}",
    ".persona-dealhunter .card>*{grid-column:2;}",
    ".persona-dealhunter .card>.media{grid-column:1;grid-row:1 / span 5;}",
    ".persona-dealhunter .save{font-size:1rem;}",
    "@media (min-width:48rem){.persona-dealhunter .grid{grid-template-columns:repeat(2,minmax(0,1fr));}\n}",
  ],
  // Welcome back: a warm hero, new arrivals up front.
  loyalist: [
    ".welcome{background:var(--wand-primary);color:var(--wand-on-primary);padding:2rem 1.25rem;border-radius:.75rem;margin:0 0 1rem;}",
    ".welcome h1{font-size:2rem;}",
    ".welcome :focus-visible{outline-color:var(--wand-on-primary);}",
    ".badge{display:inline-block;align-self:flex-start;padding:.125rem .5rem;border:1px solid currentColor;border-radius:999px;font-size:.75rem;font-weight:700;text-transform:uppercase;letter-spacing:.06em;}",
    ".persona-loyalist .grid{grid-template-columns:repeat(auto-fill,minmax(min(100%,16rem),1fr));}",
  ],
};

const cssCache = new Map<string, string>();

/** The page's stylesheet; the same colours and persona always give the same string (cached). */
export function pageCss(colours: ShopSettings["colours"], persona: Persona): string {
  const key = `${persona}|${colours.primary}|${colours.accent}|${colours.background}|${colours.text}`;
  let css = cssCache.get(key);
  if (css === undefined) {
    css = [`:root{${themeVariables(colours)}}`, ...BASE_CSS, ...PERSONA_CSS[persona]].join("\n");
    if (cssCache.size > 200) cssCache.clear();
    cssCache.set(key, css);
  }
  return css;
}

/**
 * `language`: the BCP 47 tag of the page's text (the body's language: the template's locale, or the
 * language the LLM was told to write in); "en" when absent. The shell's own strings come from that
 * language's locale; where there is none they are English and say so with their own `lang`.
 */
export function renderPageShell(o: { settings: ShopSettings; persona: Persona; title: string; body: string; source: GenerationSource; language?: string }): string {
  const { settings, persona } = o;
  const language = canonicalLanguage(o.language) ?? "en";
  const { language: stringsLanguage, messages } = messagesFor(language);
  // The shell's strings are in another language than the page's: mark them, for screen readers.
  const rtl = textDirection(language) === "rtl";
  const own = stringsLanguage === primaryLanguage(language) ? "" : ` lang="${stringsLanguage}"${rtl ? ' dir="ltr"' : ""}`;
  const dir = rtl ? ' dir="rtl"' : "";
  return `<!DOCTYPE html>
<html lang="${escapeAttr(language)}"${dir}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(buildCsp(settings.shopDomain))}">
<meta name="referrer" content="strict-origin-when-cross-origin">
<title>${escapeHtml(o.title)}</title>
<style>
${pageCss(settings.colours, persona)}
</style>
</head>
<body class="persona-${persona}" data-wand-persona="${persona}" data-wand-source="${o.source}">
<a class="skip-link" href="#main"${own}>${escapeHtml(messages.skipLink)}</a>
<header class="site-header">
<p class="shop-name">${escapeHtml(settings.shopName)}</p>
${renderSlot("greeting")}
</header>
<main id="main">
${o.body}
${renderSlot("recently-viewed")}
</main>
<footer class="site-footer">
${renderSlot("loyalty-note")}
<p${own}>${escapeHtml(message(messages, "footer", { shop: settings.shopName }))}</p>
</footer>
</body>
</html>
`;
}
