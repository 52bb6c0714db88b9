import { escapeAttr, escapeHtml } from "./html.ts";
import { formatMoney, savingsOf } from "./money.ts";
import { cartAddUrl, isHttpUrl, productUrl } from "./urls.ts";
import type { Persona, Product } from "./types.ts";

/**
 * One product card: the only place product facts become markup, for template pages and for the
 * generator's `<wand-product>` placeholders alike, so a price or link on any page is the catalog's.
 *
 * Accessibility: the title is the card's heading and its only link (the image is not a second link);
 * the struck-through compare-at price is announced as "Regular price"; each add-to-cart button has a
 * unique accessible name ("Add to cart: <title>"). Add to cart is a plain form POST (works without JS).
 * A sold-out product keeps its card (the shopper still sees it exists) but has no add-to-cart form:
 * a visible "Sold out" label takes its place, so nothing on the page offers what cannot be bought.
 */

/** The line-item property that attributes an add to cart to the persona page. */
export const PERSONA_PROPERTY = "properties[_wand_persona]";

function firstSentence(text: string, max = 140): string {
  const firstLine = text.split("\n")[0] ?? "";
  const m = /^(.+?[.!?])(\s|$)/.exec(firstLine);
  const sentence = m ? m[1]! : firstLine;
  return sentence.length <= max ? sentence : `${sentence.slice(0, max - 1).trimEnd()}…`;
}

function media(p: Product): string {
  // Only http(s) images: a stored catalog could carry anything (the importer filters too).
  if (p.image && isHttpUrl(p.image.url)) {
    const alt = p.image.alt.trim() || p.title;
    // Fixed intrinsic size + aspect-ratio box: no layout shift, and a neutral box with the alt text
    // when the image cannot load.
    return `<div class="media"><img src="${escapeAttr(p.image.url)}" alt="${escapeAttr(alt)}" width="600" height="600" loading="lazy" decoding="async"></div>`;
  }
  return `<div class="media"><span>${escapeHtml(p.productType || "No image")}</span></div>`;
}

function prices(p: Product): string {
  const price = `<span class="visually-hidden">Price:</span> <data class="price" value="${escapeAttr(p.price)}">${escapeHtml(formatMoney(p.price, p.currency))}</data>`;
  const s = savingsOf(p);
  if (!s || p.compareAtPrice === null) return `<p class="prices">${price}</p>`;
  return (
    `<p class="prices">${price} <span class="visually-hidden">Regular price:</span> ` +
    `<s class="compare"><data value="${escapeAttr(p.compareAtPrice)}">${escapeHtml(formatMoney(p.compareAtPrice, p.currency))}</data></s></p>`
  );
}

function savingsBadge(p: Product): string {
  const s = savingsOf(p);
  if (!s) return "";
  return `<p class="save" data-wand-savings="${s.amount}">Save ${escapeHtml(formatMoney(s.amount, p.currency))} (${s.percent}%)</p>`;
}

function addToCart(p: Product, persona: Persona, baseUrl: string): string {
  if (!p.available) return `<p class="sold-out">Sold out</p>`;
  return (
    `<form method="post" action="${escapeAttr(cartAddUrl(baseUrl))}">` +
    `<input type="hidden" name="id" value="${escapeAttr(p.firstVariantId)}">` +
    `<input type="hidden" name="quantity" value="1">` +
    `<input type="hidden" name="${PERSONA_PROPERTY}" value="${persona}">` +
    `<button type="submit" class="add">Add to cart<span class="visually-hidden">: ${escapeHtml(p.title)}</span></button>` +
    `</form>`
  );
}

/** `badge`: a short label shown under the image ("New"). */
export function renderProductCard(p: Product, o: { persona: Persona; baseUrl: string; badge?: string }): string {
  const url = productUrl(o.baseUrl, p.handle);
  const title = `<h3 class="card-title"><a href="${escapeAttr(url)}">${escapeHtml(p.title)}</a></h3>`;
  const parts: string[] = [`<article class="card" data-wand-product="${escapeAttr(p.handle)}">`, media(p)];
  if (o.badge) parts.push(`<span class="badge">${escapeHtml(o.badge)}</span>`);
  switch (o.persona) {
    case "dealhunter":
      // Savings lead: the badge comes before the title.
      parts.push(savingsBadge(p), title, prices(p));
      break;
    case "minimalist":
      parts.push(title, prices(p));
      if (p.description) parts.push(`<p class="card-desc">${escapeHtml(firstSentence(p.description))}</p>`);
      break;
    case "explorer": {
      const meta = [p.productType, p.vendor].filter((x) => x.length > 0).join(" · ");
      parts.push(title);
      if (meta) parts.push(`<p class="card-meta">${escapeHtml(meta)}</p>`);
      parts.push(prices(p), savingsBadge(p));
      break;
    }
    case "loyalist":
      parts.push(title, prices(p), savingsBadge(p));
      break;
  }
  parts.push(addToCart(p, o.persona, o.baseUrl), "</article>");
  return parts.join("");
}
