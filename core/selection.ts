import { hashString } from "./hash.ts";
import { savingsOf, toCents } from "./money.ts";
import type {
  CatalogProduct,
  LiveFacts,
  Persona,
  PersonaSelection,
  Product,
  ProductMerch,
  SelectionCandidates,
  SelectionGroup,
} from "./types.ts";

/**
 * Each persona's bounded product selection (docs/decisions/0001-catalog-rows-and-selections.md):
 * deterministic, explainable, and the same size for 20 products or 100,000.
 *
 * It is chosen from SelectionCandidates — a few short lists in fixed orders, each bounded by
 * CANDIDATE_LIMITS — that the D1 catalog store answers with indexed queries and that
 * candidatesFromProducts() computes in memory. Every order breaks ties on the handle by code-unit
 * comparison, which SQLite's BINARY collation does too, so both give the same lists.
 */

/** A page showing fewer available products than this is reselected (and so regenerated). */
export const MIN_PAGE_PRODUCTS = 3;

export const CANDIDATE_LIMITS = { categories: 6, perCategory: 4, deals: 12, lowPrices: 8, newest: 6, oldest: 12 } as const;

/** Descriptions in a selection are clipped to this many characters (cards show one sentence). */
export const SELECTION_DESCRIPTION_CHARS = 600;

const MINIMALIST_COUNT = 4;
const LOW_PRICES_WITH_DEALS = 6;
const LOYALIST_NEW = 6;
const LOYALIST_MORE = 6;

/** Category of a product: its type, else its first tag, else a catch-all. */
export function categoryOf(p: { productType: string; tags: readonly string[] }): string {
  const raw = p.productType.trim() || p.tags[0]?.trim() || "";
  if (!raw) return "More to discover";
  return raw.charAt(0).toUpperCase() + raw.slice(1);
}

/** Hash of what the LLM writes about a product. */
export function merchHash(p: ProductMerch): string {
  return hashString(JSON.stringify([p.id, p.handle, p.title, p.description, p.vendor, p.productType, p.tags]));
}

/** Hash of a product's live facts. */
export function factsHash(p: LiveFacts): string {
  return hashString(JSON.stringify([p.price, p.compareAtPrice, p.currency, p.available, p.firstVariantId, p.image?.url ?? null, p.image?.alt ?? null]));
}

const byHandle = (a: { handle: string }, b: { handle: string }): number => (a.handle < b.handle ? -1 : a.handle > b.handle ? 1 : 0);

/** The candidate lists of an in-memory catalog, in exactly the orders the D1 queries use. */
export function candidatesFromProducts(products: readonly CatalogProduct[]): SelectionCandidates {
  const L = CANDIDATE_LIMITS;
  const available = products.filter((p) => p.available);
  const counts = new Map<string, number>();
  for (const p of products) counts.set(categoryOf(p), (counts.get(categoryOf(p)) ?? 0) + 1);
  const topCategories = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, L.categories);
  const oldestFirst = [...available].sort((a, b) => a.listedAt - b.listedAt || byHandle(a, b));
  const categories = topCategories.map(([name, count]) => ({
    name,
    count,
    products: oldestFirst.filter((p) => categoryOf(p) === name).slice(0, L.perCategory),
  }));
  const deals = available
    .flatMap((p) => {
      const s = savingsOf(p);
      return s ? [{ p, s }] : [];
    })
    .sort((a, b) => b.s.percent - a.s.percent || b.s.cents - a.s.cents || byHandle(a.p, b.p))
    .slice(0, L.deals)
    .map((x) => x.p);
  const lowPrices = available
    .filter((p) => savingsOf(p) === null)
    .sort((a, b) => (toCents(a.price) ?? 0) - (toCents(b.price) ?? 0) || byHandle(a, b))
    .slice(0, L.lowPrices);
  const newest = [...available].sort((a, b) => b.listedAt - a.listedAt || byHandle(a, b)).slice(0, L.newest);
  return { categories, deals, lowPrices, newest, oldest: oldestFirst.slice(0, L.oldest), productCount: products.length };
}

interface Draft {
  groups: SelectionGroup[];
  products: Product[];
  reasons: string[];
}

function group(id: string, title: string, products: readonly Product[], badge?: string): SelectionGroup {
  return { id, title, handles: products.map((p) => p.handle), ...(badge ? { badge } : {}) };
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "other";
}

function minimalist(c: SelectionCandidates): Draft {
  // One product from each of the largest categories, then the oldest listings to fill up.
  const picks: Product[] = [];
  for (const category of c.categories) {
    const first = category.products[0];
    if (first && picks.length < MINIMALIST_COUNT) picks.push(first);
  }
  for (const p of c.oldest) {
    if (picks.length >= MINIMALIST_COUNT) break;
    if (!picks.some((q) => q.handle === p.handle)) picks.push(p);
  }
  return {
    groups: picks.length ? [group("picks", "Our picks", picks)] : [],
    products: picks,
    reasons: picks.length ? [`a few top products: one from each of the ${Math.min(c.categories.length, MINIMALIST_COUNT)} largest categories`] : [],
  };
}

function explorer(c: SelectionCandidates): Draft {
  const groups: SelectionGroup[] = [];
  const products: Product[] = [];
  const used = new Set<string>();
  for (const category of c.categories) {
    if (category.products.length === 0) continue;
    let id = `cat-${slug(category.name)}`;
    while (used.has(id)) id += "-x";
    used.add(id);
    groups.push(group(id, category.name, category.products));
    products.push(...category.products);
  }
  return {
    groups,
    products,
    reasons: groups.length ? [`breadth: the first available products of the ${groups.length} largest of the store's categories`] : [],
  };
}

function dealhunter(c: SelectionCandidates): Draft {
  const deals = c.deals;
  const low = c.lowPrices.slice(0, deals.length ? LOW_PRICES_WITH_DEALS : CANDIDATE_LIMITS.lowPrices);
  const groups: SelectionGroup[] = [];
  const reasons: string[] = [];
  if (deals.length) {
    groups.push(group("deals", "Biggest savings first", deals));
    reasons.push(`deepest discounts in stock: ${deals.length} products on sale, biggest saving first`);
  }
  if (low.length) {
    groups.push(group("low", deals.length ? "More great prices" : "Lowest prices first", low));
    reasons.push(`lowest prices in stock: ${low.length} products not on sale`);
  }
  return { groups, products: [...deals, ...low], reasons };
}

function loyalist(c: SelectionCandidates): Draft {
  const newest = c.newest.slice(0, LOYALIST_NEW);
  const more = c.oldest.filter((p) => !newest.some((n) => n.handle === p.handle)).slice(0, LOYALIST_MORE);
  const groups: SelectionGroup[] = [];
  const reasons: string[] = [];
  if (newest.length) {
    groups.push(group("new", "New arrivals", newest, "New"));
    reasons.push(`newest arrivals: the ${newest.length} most recently listed products in stock`);
  }
  if (more.length) {
    groups.push(group("again", "More to love", more));
    reasons.push(`favourites to rediscover: the ${more.length} longest-listed products in stock`);
  }
  return { groups, products: [...newest, ...more], reasons };
}

const CHOOSERS: Record<Persona, (c: SelectionCandidates) => Draft> = { minimalist, explorer, dealhunter, loyalist };

/** The plain Product of a candidate, description clipped (the selection's byte bound). */
function bounded(p: Product): Product {
  const { id, handle, title, description, vendor, productType, tags, price, compareAtPrice, currency, image, available, firstVariantId } = p;
  return {
    id,
    handle,
    title,
    description: clip(description, SELECTION_DESCRIPTION_CHARS),
    vendor,
    productType,
    tags: tags.slice(0, 20),
    price,
    compareAtPrice,
    currency,
    image,
    available,
    firstVariantId,
  };
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}

function merchVersionOf(groups: readonly SelectionGroup[], merchHashes: Readonly<Record<string, string>>): string {
  const parts = groups.map((g) => `${g.id}|${g.title}|${g.badge ?? ""}|${g.handles.map((h) => `${h}:${merchHashes[h] ?? ""}`).join(",")}`);
  return hashString(`merch|${parts.join("\n")}`);
}

function factsVersionOf(products: readonly Product[]): string {
  return hashString(`facts|${products.map((p) => `${p.handle}:${factsHash(p)}`).join(",")}`);
}

/** Chooses a persona's selection from the candidates. */
export function selectForPersona(o: { store: string; persona: Persona; candidates: SelectionCandidates; now: number }): PersonaSelection {
  const draft = CHOOSERS[o.persona](o.candidates);
  const products: Product[] = [];
  const merchHashes: Record<string, string> = {};
  for (const p of draft.products) {
    if (merchHashes[p.handle] !== undefined) continue;
    const b = bounded(p);
    merchHashes[p.handle] = merchHash(b);
    products.push(b);
  }
  return {
    store: o.store,
    persona: o.persona,
    merchVersion: merchVersionOf(draft.groups, merchHashes),
    factsVersion: factsVersionOf(products),
    groups: draft.groups,
    merchHashes,
    products,
    reasons: draft.reasons,
    selectedAt: o.now,
  };
}

/**
 * The same membership with the current merchandising and facts of its products (`current`: the
 * products found for its handles; a handle not among them was removed from the catalog). A removed
 * product keeps its last merchandising hash, so its deletion alone leaves the merch version — and
 * with it the cache variant — unchanged.
 */
export function refreshSelection(selection: PersonaSelection, current: readonly Product[]): PersonaSelection {
  const found = new Map(current.map((p) => [p.handle, p]));
  const merchHashes: Record<string, string> = {};
  const products: Product[] = [];
  for (const handle of selectionHandles(selection)) {
    const p = found.get(handle);
    if (p) {
      const b = bounded(p);
      merchHashes[handle] = merchHash(b);
      products.push(b);
    } else {
      const last = selection.merchHashes[handle];
      if (last !== undefined) merchHashes[handle] = last;
    }
  }
  return {
    ...selection,
    merchVersion: merchVersionOf(selection.groups, merchHashes),
    factsVersion: factsVersionOf(products),
    merchHashes,
    products,
  };
}

/** Whether the selection shows too few available products: then its membership is recomputed. */
export function needsReselection(selection: PersonaSelection): boolean {
  const available = selection.products.filter((p) => p.available).length;
  return available < MIN_PAGE_PRODUCTS && available < selectionHandles(selection).length;
}

/** Every handle of every group, in page order, each once. */
export function selectionHandles(selection: Pick<PersonaSelection, "groups">): string[] {
  const seen = new Set<string>();
  for (const g of selection.groups) for (const h of g.handles) seen.add(h);
  return [...seen];
}

export function emptySelection(store: string, persona: Persona, now: number): PersonaSelection {
  return selectForPersona({
    store,
    persona,
    candidates: { categories: [], deals: [], lowPrices: [], newest: [], oldest: [], productCount: 0 },
    now,
  });
}
