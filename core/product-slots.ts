import { escapeAttr } from "./html.ts";
import { renderProductCard, type CardLocale } from "./product-card.ts";
import type { Persona, Product } from "./types.ts";

/**
 * Product slots (docs/decisions/0001-catalog-rows-and-selections.md, "Cards at serve time"). A cached
 * page, template or LLM-written, carries no product facts: each product is a slot
 *
 *   <wand-product handle="H"></wand-product>             (or … handle="H" data-badge="B"></wand-product>)
 *
 * that the edge replaces by the product's card from the live facts when it serves the page. A price
 * or stock change then needs a new expansion, never a new page.
 *
 * Only the canonical form that productSlot() writes is expanded: attribute order, quoting, spacing
 * and escaping exactly as written here. Anything else that looks like a slot is left as it is (and an
 * unknown element is inert markup in a browser), so no other spelling can smuggle a card, or markup,
 * into a page. The generator writes every slot it keeps through productSlot().
 *
 * Expansion runs once per page and facts version at the edge: splitProductSlots() does the scanning
 * once per page (callers memoise it), renderSlots() only joins segments and cards.
 */

/** The canonical slot of a product; `badge` is a short label its card shows ("New"). */
export function productSlot(handle: string, badge?: string): string {
  const b = badge ? ` data-badge="${escapeAttr(badge)}"` : "";
  return `<wand-product handle="${escapeAttr(handle)}"${b}></wand-product>`;
}

export interface ProductSlot {
  /** The handle as written (decoded), not yet matched against the products. */
  handle: string;
  badge?: string;
  /**
   * The slot sat alone in an `<li>` (as in a grid): the `<li>`/`</li>` were moved out of the
   * neighbouring segments into the slot, so a product that is gone takes its grid cell with it.
   */
  inListItem: boolean;
}

export interface SplitPage {
  /** Static markup around the slots: always `slots.length + 1` segments. */
  segments: string[];
  slots: ProductSlot[];
}

export interface ExpandedSlots {
  html: string;
  /** Handles (as the products spell them) whose cards are on the page, in page order, each once. */
  shown: string[];
  /** How many of the shown products can be bought (not sold out). */
  available: number;
  /** Slot handles without a product (removed from the catalog, or never in the selection). */
  missing: string[];
}

export interface SlotContext {
  /** The products the slots may show: a list, or a map from lowercase handle (productsByHandle()). */
  products: readonly Product[] | ReadonlyMap<string, Product>;
  persona: Persona;
  /** "" (relative), an origin, or a market's locale prefix ("/fr"): card links and forms start with it. */
  baseUrl: string;
  /**
   * The cards' strings and number format (English, en-US when absent). A page's slots are expanded
   * per language and market: memoise the result per page, facts version and locale.
   */
  locale?: CardLocale;
}

// Attribute values as escapeAttr writes them: no quotes, no angle brackets, "&" only in its entities.
const VALUE = String.raw`(?:[^"'<>&\x60]|&(?:amp|lt|gt|quot|#39|#96|#123|#125);)*`;
const SLOT = new RegExp(`<wand-product handle="(${VALUE})"(?: data-badge="(${VALUE})")?></wand-product>`, "g");
const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#96;": "`", "&#123;": "{", "&#125;": "}" };
const ENTITY = /&(?:amp|lt|gt|quot|#39|#96|#123|#125);/g;

function decode(value: string): string {
  return value.includes("&") ? value.replace(ENTITY, (e) => ENTITIES[e]!) : value;
}

/** Finds the canonical slots of a page once; the result can be kept and rendered many times. */
export function splitProductSlots(html: string): SplitPage {
  const segments: string[] = [];
  const slots: ProductSlot[] = [];
  if (!html.includes("<wand-product ")) return { segments: [html], slots };
  let last = 0;
  for (const m of html.matchAll(SLOT)) {
    const rawHandle = m[1]!;
    const rawBadge = m[2];
    const handle = decode(rawHandle);
    const badge = rawBadge === undefined ? undefined : decode(rawBadge);
    // Exactly productSlot()'s output, or not a slot (e.g. a raw "{{" that escapeAttr would have neutralised).
    if (m[0] !== productSlot(handle, badge) || handle === "") continue;
    const start = m.index;
    const end = start + m[0].length;
    const inListItem = html.endsWith("<li>", start) && html.startsWith("</li>", end);
    segments.push(html.slice(last, inListItem ? start - 4 : start));
    last = inListItem ? end + 5 : end;
    slots.push(badge ? { handle, badge, inListItem } : { handle, inListItem });
  }
  segments.push(html.slice(last));
  return { segments, slots };
}

/** A lookup by lowercase handle, for renderSlots() called many times with the same products. */
export function productsByHandle(products: readonly Product[]): Map<string, Product> {
  const map = new Map<string, Product>();
  for (const p of products) {
    const key = p.handle.toLowerCase();
    if (!map.has(key)) map.set(key, p);
  }
  return map;
}

/**
 * Joins the segments with each slot's card. A slot whose product is missing becomes nothing (with
 * its `<li>`), and a product's second slot too: a product is on a page at most once.
 */
export function renderSlots(split: SplitPage, o: SlotContext): ExpandedSlots {
  const byHandle = o.products instanceof Map ? o.products : productsByHandle(o.products as readonly Product[]);
  const { segments, slots } = split;
  const shown: string[] = [];
  const seen = new Set<string>();
  const missing: string[] = [];
  let available = 0;
  let html = segments[0]!;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    const key = slot.handle.toLowerCase();
    const product = byHandle.get(key) ?? byHandle.get(slot.handle);
    if (!product) missing.push(slot.handle);
    else if (!seen.has(key)) {
      seen.add(key);
      shown.push(product.handle);
      if (product.available) available++;
      const card = renderProductCard(product, { persona: o.persona, baseUrl: o.baseUrl, ...(slot.badge ? { badge: slot.badge } : {}), ...(o.locale ? { locale: o.locale } : {}) });
      html += slot.inListItem ? `<li>${card}</li>` : card;
    }
    html += segments[i + 1]!;
  }
  return { html, shown, available, missing };
}

/** splitProductSlots + renderSlots in one call, for a page expanded once. */
export function expandProductSlots(html: string, o: SlotContext): ExpandedSlots {
  return renderSlots(splitProductSlots(html), o);
}

/** The slot handles of a page, in page order, each once (lowercase duplicates dropped). */
export function slotHandles(split: SplitPage): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const s of split.slots) {
    const key = s.handle.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(s.handle);
    }
  }
  return out;
}
