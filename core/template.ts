import { escapeAttr, escapeHtml } from "./html.ts";
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
 */

interface Ctx {
  selection: PersonaSelection;
  settings: ShopSettings;
  persona: Persona;
  baseUrl: string;
}

interface Section {
  id: string;
  group: SelectionGroup;
  handles: string[];
}

/** The groups that still hold products of the selection, each handle once, with unique element ids. */
function sectionsOf(selection: PersonaSelection): Section[] {
  const present = new Set(selection.products.map((p) => p.handle.toLowerCase()));
  const placed = new Set<string>();
  const ids = new Set<string>();
  const sections: Section[] = [];
  for (const group of selection.groups) {
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
  return `<p class="lede">There are no products to show right now.</p>${moreLink(ctx, `Visit ${ctx.settings.shopName}`)}`;
}

type Layout = (ctx: Ctx, sections: Section[]) => { title: string; body: string };

const minimalist: Layout = (ctx, sections) => {
  const title = "Just the essentials";
  if (sections.length === 0) return { title, body: `<h1>${title}</h1>${emptyState(ctx)}` };
  const body = `<h1>${title}</h1><p class="lede">A few things we think you will like. Nothing more.</p>${sections.map(section).join("")}${moreLink(ctx, "See everything in the shop")}`;
  return { title, body };
};

const explorer: Layout = (ctx, sections) => {
  const title = "Explore the collection";
  if (sections.length === 0) return { title, body: `<h1>${title}</h1>${emptyState(ctx)}` };
  const nav = `<nav class="category-nav" aria-label="Categories"><ul>${sections
    .map((s) => `<li><a href="#${s.id}">${escapeHtml(s.group.title)}</a></li>`)
    .join("")}</ul></nav>`;
  const body = `<h1>${title}</h1><p class="lede">A little of everything we carry, one category at a time. Wander through them all.</p>${nav}${sections.map(section).join("")}${moreLink(ctx, "Browse the whole shop")}`;
  return { title, body };
};

const dealhunter: Layout = (ctx, sections) => {
  const hasDeals = sections.some((s) => s.group.id === "deals");
  const title = hasDeals ? "Today's best deals" : "Our best prices";
  const summary = hasDeals ? "The biggest markdowns come first, then more great prices." : "Our lowest prices come first.";
  const banner = `<div class="deal-banner"><h1>${title}</h1><p>${summary}</p></div>`;
  if (sections.length === 0) return { title, body: `${banner}${emptyState(ctx)}` };
  return { title, body: `${banner}${sections.map(section).join("")}${moreLink(ctx, "See every product")}` };
};

const loyalist: Layout = (ctx, sections) => {
  const title = "Welcome back";
  const hero = `<div class="welcome"><h1>${title}</h1><p>Good to see you again at ${escapeHtml(ctx.settings.shopName)}. Here is what is new since you were last here.</p></div>`;
  if (sections.length === 0) return { title, body: `${hero}${emptyState(ctx)}` };
  return { title, body: `${hero}${sections.map(section).join("")}${moreLink(ctx, "Back to the shop")}` };
};

const LAYOUTS: Record<Persona, Layout> = { minimalist, explorer, dealhunter, loyalist };

/**
 * The complete template page (a full HTML document) of a persona, with product slots where the
 * cards go: expand them with expandProductSlots() before a shopper sees the page.
 */
export function renderTemplatePage(o: { selection: PersonaSelection; settings: ShopSettings; persona: Persona; baseUrl: string }): string {
  const { title, body } = LAYOUTS[o.persona](o, sectionsOf(o.selection));
  return renderPageShell({ settings: o.settings, persona: o.persona, title: `${title} | ${o.settings.shopName}`, body, source: "template" });
}
