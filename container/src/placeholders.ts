import { productSlot } from "../../core/product-slots.ts";
import type { PersonaSelection } from "../../core/types.ts";

/**
 * Turns each sanitized `<wand-product handle="...">` element into the canonical product slot
 * (core/product-slots.ts) of a product of the persona's selection. The generator does not expand the
 * slots into cards: the edge does, from the live facts, each time the facts change (ADR 0001). So
 * the page keeps no product fact, and every title, price, image, link and add-to-cart form a shopper
 * sees is the catalog's. Unknown handles (the model invented them, or chose a product outside the
 * selection) and repeats of a product already placed are dropped. A slot carries its group's badge
 * ("New"), as on the template page.
 */

export interface KeptSlots {
  html: string;
  /** Handles of the products placed, in page order, each once. */
  placed: string[];
  /** Handles the selection does not have. */
  unknown: string[];
  /** Handles placed a second time (dropped). */
  repeated: string[];
}

// sanitize.ts emits placeholders as empty elements whose only attribute is a double-quoted handle.
const PLACEHOLDER = /<wand-product(?:\s+handle="([^"]*)")?\s*>\s*<\/wand-product>/g;

export function keepProductSlots(html: string, o: { selection: PersonaSelection }): KeptSlots {
  const products = new Map(o.selection.products.map((p) => [p.handle.toLowerCase(), p.handle] as const));
  const badges = new Map<string, string>();
  for (const g of o.selection.groups) {
    if (!g.badge) continue;
    for (const h of g.handles) if (!badges.has(h.toLowerCase())) badges.set(h.toLowerCase(), g.badge);
  }
  const placed: string[] = [];
  const unknown: string[] = [];
  const repeated: string[] = [];
  const kept = html.replace(PLACEHOLDER, (_whole, rawHandle: string | undefined) => {
    // No handle: sanitize.ts already warned (a misplaced or incomplete placeholder).
    if (rawHandle === undefined) return "";
    const handle = decodeAttribute(rawHandle).trim();
    const key = handle.toLowerCase();
    const product = products.get(key);
    if (product === undefined) {
      unknown.push(handle || "(empty handle)");
      return "";
    }
    if (placed.includes(product)) {
      repeated.push(product);
      return "";
    }
    placed.push(product);
    return productSlot(product, badges.get(key));
  });
  return { html: kept, placed, unknown, repeated };
}

/**
 * sanitize-html writes attribute values with &amp; &quot; &lt; &gt; escaped, and neutraliseLiquid
 * may have written a brace as &#123; or &#125;; handles are compared decoded.
 */
function decodeAttribute(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&#0*39;/g, "'")
    .replace(/&#123;/g, "{")
    .replace(/&#125;/g, "}")
    .replace(/&amp;/g, "&");
}
