import { hashString } from "../../core/hash.ts";
import { renderSlots, slotHandles, splitProductSlots } from "../../core/product-slots.ts";
import { selectionHandles } from "../../core/selection.ts";
import type { Persona, PersonaSelection, Product } from "../../core/types.ts";
import { MemoryLru } from "./memory-cache.ts";
import type { MarketCards } from "./markets/market-cards.ts";
import { loadProductsByHandles } from "./store-data.ts";

/**
 * Product cards at serve time (docs/decisions/0001-catalog-rows-and-selections.md): a cached page
 * carries `<wand-product>` slots (core/product-slots.ts), and the edge fills them from the persona
 * selection's live facts whenever it serves the page. The result is named by page and facts version,
 * so callers memoise it (touches.ts preparedPage) and a hit rebuilds nothing until a fact changes.
 */

// The slot handles of a page that its persona's current selection does not hold, per page and
// selection membership (merchVersion hashes the groups): usually none. A stale page from an older
// selection may show products that left it; those few are read from D1 by handle.
const lackingMemo = new MemoryLru<string[]>(1024, 1024 * 1024, 60_000);
// Facts key of a set of products read by handle (the memoised array is reused until it is refreshed).
const extrasKeys = new WeakMap<readonly Product[], string>();

function lackingHandles(page: { pageId: string; html: string }, selection: PersonaSelection): string[] {
  const memoKey = `${page.pageId}\u0000${selection.merchVersion}`;
  let lacking = lackingMemo.get(memoKey);
  if (lacking === undefined) {
    const held = new Set(selectionHandles(selection).map((h) => h.toLowerCase()));
    lacking = slotHandles(splitProductSlots(page.html))
      .filter((h) => !held.has(h.toLowerCase()))
      .sort();
    lackingMemo.set(memoKey, lacking, 64 + lacking.reduce((n, h) => n + h.length, 0));
  }
  return lacking;
}

function extrasKey(products: readonly Product[]): string {
  let key = extrasKeys.get(products);
  if (key === undefined) {
    key = hashString(JSON.stringify(products));
    extrasKeys.set(products, key);
  }
  return key;
}

/** A page expanded from live facts: `id` names the exact bytes, `html()` builds them. */
export interface LivePage {
  id: string;
  html: () => string;
}

/**
 * `cards`: the shopper's market (its prices over the products, the page language's strings and the
 * shopper's number format, markets/market-cards.ts).
 */
function livePage(page: { pageId: string; html: string }, products: readonly Product[], persona: Persona, factsKey: string, cards: MarketCards): LivePage {
  return {
    id: `${page.pageId}\u0000${factsKey}\u0000${cards.key}`,
    html: () => renderSlots(splitProductSlots(page.html), { products: cards.products(products).products, persona, baseUrl: "", locale: cards.locale }).html,
  };
}

/**
 * withLiveFacts without a promise, for the usual page whose slots the selection holds all of; null
 * when some products have to be read by handle (then withLiveFacts).
 */
export function liveFactsNow(page: { pageId: string; html: string }, selection: PersonaSelection, persona: Persona, cards: MarketCards): LivePage | null {
  return lackingHandles(page, selection).length ? null : livePage(page, selection.products, persona, selection.factsVersion, cards);
}

/**
 * A page's product slots with live facts: the selection's products and, for slots the selection
 * lacks, the same products read from D1 (a handle not found is a removed product: its card goes).
 * `id` names these exact bytes — page, facts version and the facts of those extra products — and
 * `html()` builds them only when no memo holds the result yet.
 */
export async function withLiveFacts(
  env: Env,
  waiter: Pick<ExecutionContext, "waitUntil">,
  page: { pageId: string; html: string },
  selection: PersonaSelection,
  persona: Persona,
  cards: MarketCards,
): Promise<LivePage> {
  const lacking = lackingHandles(page, selection);
  let extras: readonly Product[] = [];
  let factsKey = selection.factsVersion;
  if (lacking.length) {
    try {
      extras = await loadProductsByHandles(env, selection.store, lacking, waiter);
      factsKey += `+${extrasKey(extras)}`;
    } catch (error) {
      // Without them the page shows the selection's products only (never a failed page).
      console.warn("products by handle unavailable, showing the selection's products only", selection.store, error);
      factsKey += "+unavailable";
    }
  }
  const products = extras.length ? [...selection.products, ...extras] : selection.products;
  return livePage(page, products, persona, factsKey, cards);
}
