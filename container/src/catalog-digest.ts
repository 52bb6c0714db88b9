import { categoryOf } from "../../core/selection.ts";
import type { ProductMerch } from "../../core/types.ts";

/**
 * A selected product as the model sees it: its merchandising only (title, category, vendor, tags,
 * description), the text the page's copy may be about. No price, saving or stock: those are live
 * facts that the cards show at serve time and that change without a new page, so copy written
 * from them would go stale. Ids, images and variant ids are left out too (the cards bring them).
 */

export interface DigestProduct {
  handle: string;
  title: string;
  category: string;
  vendor: string;
  tags: string[];
  description: string;
}

export const DIGEST_LIMITS = { maxProducts: 60, descriptionChars: 160, tags: 6, titleChars: 120 } as const;

export function digestProduct(p: ProductMerch): DigestProduct {
  return {
    handle: p.handle,
    title: clip(p.title, DIGEST_LIMITS.titleChars),
    category: categoryOf(p),
    vendor: clip(p.vendor, 60),
    tags: p.tags.slice(0, DIGEST_LIMITS.tags).map((t) => clip(t, 40)),
    description: clip(p.description.replace(/\s+/g, " ").trim(), DIGEST_LIMITS.descriptionChars),
  };
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}
