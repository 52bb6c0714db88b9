import { savingsOf } from "../../core/money.ts";
import { categoryOf } from "../../core/template.ts";
import type { Persona, Product } from "../../core/types.ts";

/**
 * The catalog as the model sees it: the fields it needs to choose and arrange products, in the order
 * most useful to the persona, so trimming to fit the context window cuts the least useful products.
 * Descriptions are shortened; ids, images and variant ids are left out (the cards bring them).
 */

export interface DigestProduct {
  handle: string;
  title: string;
  category: string;
  vendor: string;
  tags: string[];
  price: string;
  currency: string;
  onSale: boolean;
  savingsPercent: number;
  available: boolean;
  description: string;
}

export const DIGEST_LIMITS = { maxProducts: 60, descriptionChars: 160, tags: 6, titleChars: 120 } as const;

export function digestProduct(p: Product): DigestProduct {
  const savings = savingsOf(p);
  return {
    handle: p.handle,
    title: clip(p.title, DIGEST_LIMITS.titleChars),
    category: categoryOf(p),
    vendor: clip(p.vendor, 60),
    tags: p.tags.slice(0, DIGEST_LIMITS.tags).map((t) => clip(t, 40)),
    price: p.price,
    currency: p.currency,
    onSale: savings !== null,
    savingsPercent: savings?.percent ?? 0,
    available: p.available,
    description: clip(p.description.replace(/\s+/g, " ").trim(), DIGEST_LIMITS.descriptionChars),
  };
}

/** Products in the order the persona values them; unavailable products always last. */
export function rankForPersona(products: readonly Product[], persona: Persona): Product[] {
  const available = products.filter((p) => p.available);
  const soldOut = products.filter((p) => !p.available);
  return [...rankAvailable(available, persona), ...soldOut];
}

function rankAvailable(products: Product[], persona: Persona): Product[] {
  switch (persona) {
    case "dealhunter":
      // Biggest saving first; stable for equal savings, so catalog order breaks ties.
      return [...products].sort((a, b) => (savingsOf(b)?.percent ?? 0) - (savingsOf(a)?.percent ?? 0));
    case "loyalist":
      // Catalogs list oldest first (see core/template.ts): newest first for a returning customer.
      return [...products].reverse();
    case "explorer":
    case "minimalist":
      // Breadth: one product of each category in turn, so a trimmed list still spans the catalog.
      return roundRobinByCategory(products);
  }
}

function roundRobinByCategory(products: Product[]): Product[] {
  const groups = new Map<string, Product[]>();
  for (const p of products) {
    const key = categoryOf(p);
    const list = groups.get(key);
    if (list) list.push(p);
    else groups.set(key, [p]);
  }
  const lists = [...groups.values()];
  const out: Product[] = [];
  for (let i = 0; out.length < products.length; i++) {
    for (const list of lists) {
      const p = list[i];
      if (p) out.push(p);
    }
  }
  return out;
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}
