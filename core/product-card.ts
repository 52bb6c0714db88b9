import { escapeAttr, escapeHtml } from "./html.ts";
import { message, messagesFor, type Messages } from "./locales/index.ts";
import { DEFAULT_FORMAT_LOCALE, formatMoney, formatPercent, savingsOf } from "./money.ts";
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
 *
 * Language and market: the card's fixed strings come from the page language's locale, and amounts
 * are written for the shopper's locale in the product's own currency (the market's, once its
 * facts are applied: core/market-prices.ts). Product titles and descriptions are catalog data and
 * appear as the catalog has them.
 */

/** How a card speaks: its fixed strings and the BCP 47 locale its amounts are formatted for. */
export interface CardLocale {
  messages: Messages;
  /** e.g. "fr-FR": French number format, whatever the currency. */
  formatLocale: string;
}

/** English strings, US number format: the cards as they were before markets. */
export const DEFAULT_CARD_LOCALE: CardLocale = { messages: messagesFor("en").messages, formatLocale: DEFAULT_FORMAT_LOCALE };

/** The line-item property that attributes an add to cart to the persona page. */
export const PERSONA_PROPERTY = "properties[_wand_persona]";

function firstSentence(text: string, max = 140): string {
  const firstLine = text.split("\n")[0] ?? "";
  const m = /^(.+?[.!?])(\s|$)/.exec(firstLine);
  const sentence = m ? m[1]! : firstLine;
  return sentence.length <= max ? sentence : `${sentence.slice(0, max - 1).trimEnd()}…`;
}

function media(p: Product, l: CardLocale): string {
  // Only http(s) images: a stored catalog could carry anything (the importer filters too).
  if (p.image && isHttpUrl(p.image.url)) {
    const alt = p.image.alt.trim() || p.title;
    // Fixed intrinsic size + aspect-ratio box: no layout shift, and a neutral box with the alt text
    // when the image cannot load.
    return `<div class="media"><img src="${escapeAttr(p.image.url)}" alt="${escapeAttr(alt)}" width="600" height="600" loading="lazy" decoding="async"></div>`;
  }
  return `<div class="media"><span>${escapeHtml(p.productType || l.messages.noImage)}</span></div>`;
}

function prices(p: Product, l: CardLocale): string {
  const money = (amount: string) => escapeHtml(formatMoney(amount, p.currency, l.formatLocale));
  const price = `<span class="visually-hidden">${escapeHtml(l.messages.price)}</span> <data class="price" value="${escapeAttr(p.price)}">${money(p.price)}</data>`;
  const s = savingsOf(p);
  if (!s || p.compareAtPrice === null) return `<p class="prices">${price}</p>`;
  return (
    `<p class="prices">${price} <span class="visually-hidden">${escapeHtml(l.messages.regularPrice)}</span> ` +
    `<s class="compare"><data value="${escapeAttr(p.compareAtPrice)}">${money(p.compareAtPrice)}</data></s></p>`
  );
}

function savingsBadge(p: Product, l: CardLocale): string {
  const s = savingsOf(p);
  if (!s) return "";
  const text = message(l.messages, "save", { amount: formatMoney(s.amount, p.currency, l.formatLocale), percent: formatPercent(s.percent, l.formatLocale) });
  return `<p class="save" data-wand-savings="${s.amount}">${escapeHtml(text)}</p>`;
}

function addToCart(p: Product, persona: Persona, baseUrl: string, l: CardLocale): string {
  if (!p.available) return `<p class="sold-out">${escapeHtml(l.messages.soldOut)}</p>`;
  return (
    `<form method="post" action="${escapeAttr(cartAddUrl(baseUrl))}">` +
    `<input type="hidden" name="id" value="${escapeAttr(p.firstVariantId)}">` +
    `<input type="hidden" name="quantity" value="1">` +
    `<input type="hidden" name="${PERSONA_PROPERTY}" value="${persona}">` +
    `<button type="submit" class="add">${escapeHtml(l.messages.addToCart)}<span class="visually-hidden">: ${escapeHtml(p.title)}</span></button>` +
    `</form>`
  );
}

/** `badge`: a short label shown under the image ("New"); `locale`: English and en-US when absent. */
export function renderProductCard(p: Product, o: { persona: Persona; baseUrl: string; badge?: string; locale?: CardLocale }): string {
  const l = o.locale ?? DEFAULT_CARD_LOCALE;
  const url = productUrl(o.baseUrl, p.handle);
  const title = `<h3 class="card-title"><a href="${escapeAttr(url)}">${escapeHtml(p.title)}</a></h3>`;
  const parts: string[] = [`<article class="card" data-wand-product="${escapeAttr(p.handle)}">`, media(p, l)];
  if (o.badge) parts.push(`<span class="badge">${escapeHtml(o.badge)}</span>`);
  switch (o.persona) {
    case "dealhunter":
      // Savings lead: the badge comes before the title.
      parts.push(savingsBadge(p, l), title, prices(p, l));
      break;
    case "minimalist":
      parts.push(title, prices(p, l));
      if (p.description) parts.push(`<p class="card-desc">${escapeHtml(firstSentence(p.description))}</p>`);
      break;
    case "explorer": {
      const meta = [p.productType, p.vendor].filter((x) => x.length > 0).join(" · ");
      parts.push(title);
      if (meta) parts.push(`<p class="card-meta">${escapeHtml(meta)}</p>`);
      parts.push(prices(p, l), savingsBadge(p, l));
      break;
    }
    case "loyalist":
      parts.push(title, prices(p, l), savingsBadge(p, l));
      break;
  }
  parts.push(addToCart(p, o.persona, o.baseUrl, l), "</article>");
  return parts.join("");
}
