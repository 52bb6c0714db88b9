import { renderProductCard } from "../../core/product-card.ts";
import type { CatalogSnapshot, Persona, Product } from "../../core/types.ts";

/**
 * Replaces each sanitized `<wand-product handle="...">` element by the catalog's product card, so every
 * title, price, image, link and add-to-cart form on the page is the catalog's. Unknown handles (the
 * model invented them) and repeats of a product already placed are dropped.
 */

export interface ExpandedPlaceholders {
  html: string;
  /** Handles of the products placed, in page order, each once. */
  placed: string[];
  /** Handles the catalog does not have. */
  unknown: string[];
  /** Handles placed a second time (dropped). */
  repeated: string[];
}

// sanitize.ts emits placeholders as empty elements whose only attribute is a double-quoted handle.
const PLACEHOLDER = /<wand-product(?:\s+handle="([^"]*)")?\s*>\s*<\/wand-product>/g;

export function expandPlaceholders(
  html: string,
  o: { catalog: CatalogSnapshot; persona: Persona; baseUrl: string },
): ExpandedPlaceholders {
  const byHandle = new Map<string, Product>(o.catalog.products.map((p) => [p.handle.toLowerCase(), p]));
  const placed: string[] = [];
  const unknown: string[] = [];
  const repeated: string[] = [];
  const expanded = html.replace(PLACEHOLDER, (_whole, rawHandle: string | undefined) => {
    // No handle: sanitize.ts already warned (a misplaced or incomplete placeholder).
    if (rawHandle === undefined) return "";
    const handle = decodeAttribute(rawHandle).trim();
    const product = byHandle.get(handle.toLowerCase());
    if (!product) {
      unknown.push(handle || "(empty handle)");
      return "";
    }
    if (placed.includes(product.handle)) {
      repeated.push(product.handle);
      return "";
    }
    placed.push(product.handle);
    return renderProductCard(product, { persona: o.persona, baseUrl: o.baseUrl });
  });
  return { html: expanded, placed, unknown, repeated };
}

/** sanitize-html writes attribute values with &amp; &quot; &lt; &gt; escaped; handles are compared decoded. */
function decodeAttribute(value: string): string {
  return value.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#0*39;/g, "'").replace(/&amp;/g, "&");
}
