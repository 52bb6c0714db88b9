import { escapeAttr, escapeHtml } from "./html.ts";
import { canonicalLanguage, primaryLanguage } from "./locale.ts";
import { localizeGroups, message, messagesFor, type Messages } from "./locales/index.ts";
import { renderPageShell } from "./page-shell.ts";
import { productSlot } from "./product-slots.ts";
import { shopHomeUrl } from "./urls.ts";
import type { Persona, PersonaSelection, SelectionGroup, ShopSettings } from "./types.ts";

/**
 * The persona template pages: what a shopper gets at once on a cache miss, and what the generator
 * falls back to. They show the persona's bounded selection (core/selection.ts), one section per
 * selection group in the group's order, and four visibly different layouts:
 *
 * - minimalist: a handful of products, one column, lots of whitespace;
 * - explorer: a section per category with an in-page category navigation;
 * - dealhunter: a deals banner, the biggest savings first, then more low prices;
 * - loyalist: a welcome back, then new arrivals (badged "New") and more to love.
 *
 * Products are slots (core/product-slots.ts), expanded into cards from the live facts when the page
 * is served. So the template's own text states no product fact at all — no price, saving, stock
 * or count — which would go stale between two facts refreshes. All text goes through
 * escapeHtml/escapeAttr. The page's size is bounded by the selection's, whatever the catalog's.
 *
 * Language: every fixed string (headlines, intros, links, the fixed groups' titles and badges) comes
 * from the page language's locale (core/locales/); a language without one gets the English page,
 * and its `lang` says so. Category names and product text are catalog data, as the catalog has them.
 */

interface Ctx {
  selection: PersonaSelection;
  settings: ShopSettings;
  persona: Persona;
  baseUrl: string;
  t: Messages;
}

interface Section {
  id: string;
  group: SelectionGroup;
  handles: string[];
}

/** The groups that still hold products of the selection, each handle once, with unique element ids. */
function sectionsOf(selection: PersonaSelection, t: Messages): Section[] {
  const present = new Set(selection.products.map((p) => p.handle.toLowerCase()));
  const placed = new Set<string>();
  const ids = new Set<string>();
  const sections: Section[] = [];
  for (const group of localizeGroups(selection.groups, t)) {
    const handles: string[] = [];
    for (const h of group.handles) {
      const key = h.toLowerCase();
      if (!present.has(key) || placed.has(key)) continue;
      placed.add(key);
      handles.push(h);
    }
    if (handles.length === 0) continue;
    let id = elementId(group.id);
    while (ids.has(id)) id += "-x";
    ids.add(id);
    sections.push({ id, group, handles });
  }
  return sections;
}

/** A group id as an element id: letters, digits and hyphens, starting with a letter. */
function elementId(raw: string): string {
  const s = raw.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  return /^[a-z]/.test(s) ? s : `g-${s || "group"}`;
}

function section(s: Section): string {
  const items = s.handles.map((h) => `<li>${productSlot(h, s.group.badge)}</li>`).join("");
  return `<section id="${s.id}" aria-labelledby="${s.id}-h"><h2 id="${s.id}-h">${escapeHtml(s.group.title)}</h2><ul class="grid">${items}</ul></section>`;
}

function moreLink(ctx: Ctx, text: string): string {
  return `<p class="more"><a href="${escapeAttr(shopHomeUrl(ctx.baseUrl))}">${escapeHtml(text)}</a></p>`;
}

function emptyState(ctx: Ctx): string {
  return `<p class="lede">${escapeHtml(ctx.t.emptyState)}</p>${moreLink(ctx, message(ctx.t, "visitShop", { shop: ctx.settings.shopName }))}`;
}

type Layout = (ctx: Ctx, sections: Section[]) => { title: string; body: string };

const h1 = (title: string) => `<h1>${escapeHtml(title)}</h1>`;
const lede = (text: string) => `<p class="lede">${escapeHtml(text)}</p>`;

const minimalist: Layout = (ctx, sections) => {
  const title = ctx.t.minimalistTitle;
  if (sections.length === 0) return { title, body: `${h1(title)}${emptyState(ctx)}` };
  const body = `${h1(title)}${lede(ctx.t.minimalistLede)}${sections.map(section).join("")}${moreLink(ctx, ctx.t.minimalistMore)}`;
  return { title, body };
};

const explorer: Layout = (ctx, sections) => {
  const title = ctx.t.explorerTitle;
  if (sections.length === 0) return { title, body: `${h1(title)}${emptyState(ctx)}` };
  const nav = `<nav class="category-nav" aria-label="${escapeAttr(ctx.t.categoriesNav)}"><ul>${sections
    .map((s) => `<li><a href="#${s.id}">${escapeHtml(s.group.title)}</a></li>`)
    .join("")}</ul></nav>`;
  const body = `${h1(title)}${lede(ctx.t.explorerLede)}${nav}${sections.map(section).join("")}${moreLink(ctx, ctx.t.explorerMore)}`;
  return { title, body };
};

const dealhunter: Layout = (ctx, sections) => {
  const hasDeals = sections.some((s) => s.group.id === "deals");
  const title = hasDeals ? ctx.t.dealhunterTitle : ctx.t.dealhunterTitleNoDeals;
  const summary = hasDeals ? ctx.t.dealhunterLede : ctx.t.dealhunterLedeNoDeals;
  const banner = `<div class="deal-banner">${h1(title)}<p>${escapeHtml(summary)}</p></div>`;
  if (sections.length === 0) return { title, body: `${banner}${emptyState(ctx)}` };
  return { title, body: `${banner}${sections.map(section).join("")}${moreLink(ctx, ctx.t.dealhunterMore)}` };
};

const loyalist: Layout = (ctx, sections) => {
  const title = ctx.t.loyalistTitle;
  const hero = `<div class="welcome">${h1(title)}<p>${escapeHtml(message(ctx.t, "loyalistLede", { shop: ctx.settings.shopName }))}</p></div>`;
  if (sections.length === 0) return { title, body: `${hero}${emptyState(ctx)}` };
  return { title, body: `${hero}${sections.map(section).join("")}${moreLink(ctx, ctx.t.loyalistMore)}` };
};

const LAYOUTS: Record<Persona, Layout> = { minimalist, explorer, dealhunter, loyalist };

/**
 * The complete template page (a full HTML document) of a persona, with product slots where the
 * cards go: expand them with expandProductSlots() (with the same language's card locale) before a
 * shopper sees the page. `language`: the page language (BCP 47), English when absent.
 */
export function renderTemplatePage(o: { selection: PersonaSelection; settings: ShopSettings; persona: Persona; baseUrl: string; language?: string }): string {
  const { language: stringsLanguage, messages: t } = messagesFor(o.language);
  // The page is in the locale's language: the requested tag when it is that language ("fr-CA"), else the locale's.
  const requested = canonicalLanguage(o.language);
  const language = requested !== null && primaryLanguage(requested) === stringsLanguage ? requested : stringsLanguage;
  const { title, body } = LAYOUTS[o.persona]({ ...o, t }, sectionsOf(o.selection, t));
  return renderPageShell({ settings: o.settings, persona: o.persona, title: `${title} | ${o.settings.shopName}`, body, source: "template", language });
}
