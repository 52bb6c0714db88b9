import { escapeAttr, escapeHtml } from "./html.ts";
import { savingsOf, toCents } from "./money.ts";
import { renderPageShell } from "./page-shell.ts";
import { renderProductCard } from "./product-card.ts";
import { shopHomeUrl } from "./urls.ts";
import type { CatalogSnapshot, Persona, Product, ShopSettings } from "./types.ts";

/**
 * The persona template pages: what a shopper gets at once on a cache miss, and what the generator
 * falls back to. Four visibly different layouts from the same catalog:
 *
 * - minimalist: a handful of products from different categories, one column, lots of whitespace;
 * - explorer: every category with its own section and an in-page category navigation;
 * - dealhunter: products on sale first, sorted by the saving (percent, then amount), then low prices;
 * - loyalist: a welcome back, then new arrivals (the catalog's latest products) and more to love.
 *
 * Product order within the catalog is taken as listing order: CSV and API catalogs list products
 * oldest first, so the end of the list is "new". All text goes through escapeHtml/escapeAttr.
 */

export const MINIMALIST_COUNT = 4;
export const EXPLORER_PER_CATEGORY = 8;
export const DEALS_COUNT = 12;
export const LOYALIST_NEW_COUNT = 6;
export const LOYALIST_MORE_COUNT = 6;

interface Ctx {
  catalog: CatalogSnapshot;
  settings: ShopSettings;
  persona: Persona;
  baseUrl: string;
}

function grid(products: Product[], ctx: Ctx, badge?: string): string {
  const items = products.map((p) => {
    return `<li>${renderProductCard(p, { persona: ctx.persona, baseUrl: ctx.baseUrl, badge })}</li>`;
  });
  return `<ul class="grid">${items.join("")}</ul>`;
}

function moreLink(ctx: Ctx, text: string): string {
  return `<p class="more"><a href="${escapeAttr(shopHomeUrl(ctx.baseUrl))}">${escapeHtml(text)}</a></p>`;
}

function emptyState(ctx: Ctx): string {
  return `<p class="lede">There are no products to show right now.</p>${moreLink(ctx, `Visit ${ctx.settings.shopName}`)}`;
}

/** Category of a product: its type, else its first tag, else a catch-all. */
export function categoryOf(p: Product): string {
  const raw = p.productType.trim() || p.tags[0]?.trim() || "";
  if (!raw) return "More to discover";
  return raw.charAt(0).toUpperCase() + raw.slice(1);
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "other";
}

function minimalist(ctx: Ctx): { title: string; body: string } {
  const available = ctx.catalog.products.filter((p) => p.available);
  // One product per category first, for a small but varied selection; then fill in catalog order.
  const picks: Product[] = [];
  const seen = new Set<string>();
  for (const p of available) {
    if (picks.length >= MINIMALIST_COUNT) break;
    const c = categoryOf(p);
    if (!seen.has(c)) {
      seen.add(c);
      picks.push(p);
    }
  }
  for (const p of available) {
    if (picks.length >= MINIMALIST_COUNT) break;
    if (!picks.includes(p)) picks.push(p);
  }
  const title = "Just the essentials";
  const body = picks.length
    ? `<h1>${title}</h1><p class="lede">A few things we think you will like. Nothing more.</p><section aria-labelledby="picks"><h2 id="picks">Our picks</h2>${grid(picks, ctx)}</section>${moreLink(ctx, "See everything in the shop")}`
    : `<h1>${title}</h1>${emptyState(ctx)}`;
  return { title, body };
}

function explorer(ctx: Ctx): { title: string; body: string } {
  const groups = new Map<string, Product[]>();
  for (const p of ctx.catalog.products) {
    const c = categoryOf(p);
    const list = groups.get(c);
    if (list) list.push(p);
    else groups.set(c, [p]);
  }
  // Biggest categories first; available products first within a category.
  const categories = [...groups.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  const title = "Explore the collection";
  if (categories.length === 0) return { title, body: `<h1>${title}</h1>${emptyState(ctx)}` };
  const used = new Set<string>();
  const ids = categories.map(([name]) => {
    let id = `cat-${slug(name)}`;
    while (used.has(id)) id += "-x";
    used.add(id);
    return id;
  });
  const nav = `<nav class="category-nav" aria-label="Categories"><ul>${categories
    .map(([name, list], i) => `<li><a href="#${ids[i]}">${escapeHtml(name)} (${list.length})</a></li>`)
    .join("")}</ul></nav>`;
  const sections = categories
    .map(([name, list], i) => {
      const shown = [...list.filter((p) => p.available), ...list.filter((p) => !p.available)].slice(0, EXPLORER_PER_CATEGORY);
      return `<section id="${ids[i]}" aria-labelledby="${ids[i]}-h"><h2 id="${ids[i]}-h">${escapeHtml(name)}</h2>${grid(shown, ctx)}</section>`;
    })
    .join("");
  const count = ctx.catalog.products.length;
  const body = `<h1>${title}</h1><p class="lede">${count} ${count === 1 ? "product" : "products"} in ${categories.length} ${categories.length === 1 ? "category" : "categories"}. Wander through them all.</p>${nav}${sections}${moreLink(ctx, "Browse the whole shop")}`;
  return { title, body };
}

function dealhunter(ctx: Ctx): { title: string; body: string } {
  const available = ctx.catalog.products.filter((p) => p.available);
  const deals = available
    .map((p) => ({ p, s: savingsOf(p) }))
    .filter((x): x is { p: Product; s: NonNullable<ReturnType<typeof savingsOf>> } => x.s !== null)
    .sort((a, b) => b.s.percent - a.s.percent || b.s.cents - a.s.cents || a.p.title.localeCompare(b.p.title))
    .slice(0, DEALS_COUNT)
    .map((x) => x.p);
  const rest = available
    .filter((p) => !deals.includes(p) && savingsOf(p) === null)
    .sort((a, b) => (toCents(a.price) ?? 0) - (toCents(b.price) ?? 0) || a.title.localeCompare(b.title))
    .slice(0, deals.length ? 6 : 8);
  const title = deals.length ? "Today's best deals" : "Our best prices";
  const best = deals[0] ? savingsOf(deals[0]) : null;
  const summary = best
    ? `${deals.length} ${deals.length === 1 ? "product" : "products"} on sale: save up to ${best.percent}%.`
    : "No markdowns right now, so here are our lowest prices first.";
  const banner = `<div class="deal-banner"><h1>${title}</h1><p>${escapeHtml(summary)}</p></div>`;
  if (deals.length === 0 && rest.length === 0) return { title, body: `${banner}${emptyState(ctx)}` };
  const dealSection = deals.length ? `<section aria-labelledby="deals"><h2 id="deals">Biggest savings first</h2>${grid(deals, ctx)}</section>` : "";
  const restSection = rest.length ? `<section aria-labelledby="low"><h2 id="low">${deals.length ? "More great prices" : "Lowest prices first"}</h2>${grid(rest, ctx)}</section>` : "";
  return { title, body: `${banner}${dealSection}${restSection}${moreLink(ctx, "See every product")}` };
}

function loyalist(ctx: Ctx): { title: string; body: string } {
  const available = ctx.catalog.products.filter((p) => p.available);
  const newest = [...available].reverse().slice(0, LOYALIST_NEW_COUNT);
  const more = available.filter((p) => !newest.includes(p)).slice(0, LOYALIST_MORE_COUNT);
  const title = "Welcome back";
  const hero = `<div class="welcome"><h1>${title}</h1><p>Good to see you again at ${escapeHtml(ctx.settings.shopName)}. Here is what is new since you were last here.</p></div>`;
  if (newest.length === 0) return { title, body: `${hero}${emptyState(ctx)}` };
  const newSection = `<section aria-labelledby="new"><h2 id="new">New arrivals</h2>${grid(newest, ctx, "New")}</section>`;
  const moreSection = more.length ? `<section aria-labelledby="again"><h2 id="again">More to love</h2>${grid(more, ctx)}</section>` : "";
  return { title, body: `${hero}${newSection}${moreSection}${moreLink(ctx, "Back to the shop")}` };
}

const LAYOUTS: Record<Persona, (ctx: Ctx) => { title: string; body: string }> = { minimalist, explorer, dealhunter, loyalist };

/** The complete template page (a full HTML document) of a persona. */
export function renderTemplatePage(o: { catalog: CatalogSnapshot; settings: ShopSettings; persona: Persona; baseUrl: string }): string {
  const { title, body } = LAYOUTS[o.persona](o);
  return renderPageShell({ settings: o.settings, persona: o.persona, title: `${title} | ${o.settings.shopName}`, body, source: "template" });
}
