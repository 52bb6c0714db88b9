import { centsToDecimal, toCents } from "./money.ts";
import type { CatalogProduct } from "./types.ts";

/**
 * The large synthetic demo catalog (DESIGN.md: "Demo stores are seeded from the sample catalogs …
 * plus a large synthetic one"): thousands of plausible products derived from the sample catalogs'
 * products, so big-catalog behaviour (rows, bounded selections, constant-size prompts and pages) can
 * be seen and measured locally.
 *
 * Product i is a function of i and its seed only (no running random state, no clock): the same seeds
 * give the same catalog, and a smaller count gives a prefix of a larger one. Each product varies its
 * seed's title with a colour, a finish and sometimes an edition; about a quarter are on sale (10 to
 * 60 % off), about one in twelve is sold out; listing times spread over two years.
 */

export const LARGE_LISTED_FROM = Date.UTC(2024, 0, 1);
const LISTING_SPAN_MS = 2 * 365 * 24 * 3600 * 1000;
const MINUTE = 60_000;

export const SALE_SHARE = 0.25;
export const SOLD_OUT_SHARE = 0.08;

const COLOURS = ["Sage", "Midnight", "Sand", "Terracotta", "Ivory", "Charcoal", "Ocean", "Rose", "Olive", "Mustard", "Slate", "Coral", "Forest", "Blush", "Indigo", "Copper"];
const FINISHES = ["Classic", "Recycled", "Organic", "Brushed", "Woven", "Matte", "Polished", "Textured", "Vintage", "Soft-touch"];
const EDITIONS = [null, null, null, "Limited", "Studio", "Heritage", "Travel", "Signature"];

/** Product types for seeds without one (the apparel sample has none), from words of the title. */
const TYPE_BY_TITLE_WORD: [RegExp, string][] = [
  [/\bjacket|tuxedo\b/i, "Jackets"],
  [/\b(?:high tops|shoes?|sneakers?)\b/i, "Shoes"],
  [/\bbag\b/i, "Bags"],
  [/\bskirt|blouse|jumper|shirt|tee|top\b/i, "Tops"],
];

/** A 32-bit integer mix of (i, salt) → [0, 1): cheap, stateless and the same on every runtime. */
function unit(i: number, salt: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(salt + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

function typeOf(seed: CatalogProduct): string {
  if (seed.productType.trim()) return seed.productType;
  return TYPE_BY_TITLE_WORD.find(([re]) => re.test(seed.title))?.[1] ?? "Apparel";
}

/** A shelf price near the seed's: 0.6× to 1.8×, ending in .99 (at least 1.99). */
function priceCents(seedCents: number, r: number): number {
  const raw = Math.round(seedCents * (0.6 + 1.2 * r));
  return Math.max(199, Math.floor(raw / 100) * 100 + 99);
}

/**
 * `count` products derived from `seeds` (in order, round robin). Handles are unique; variant ids are
 * unique numeric ids. Throws when there are no seeds to derive from.
 */
export function deriveLargeCatalog(seeds: readonly CatalogProduct[], count: number): CatalogProduct[] {
  if (seeds.length === 0) throw new RangeError("deriveLargeCatalog needs at least one seed product");
  const out: CatalogProduct[] = [];
  const handles = new Set<string>();
  const variantIds = new Set<string>();
  for (let i = 0; i < count; i++) {
    const seed = seeds[i % seeds.length]!;
    // The k-th variation of a seed walks colours, then finishes, then editions: distinct combinations.
    const k = Math.floor(i / seeds.length);
    const colour = COLOURS[k % COLOURS.length]!;
    const finish = FINISHES[Math.floor(k / COLOURS.length) % FINISHES.length]!;
    const edition = EDITIONS[Math.floor(k / (COLOURS.length * FINISHES.length)) % EDITIONS.length] ?? null;
    const round = Math.floor(k / (COLOURS.length * FINISHES.length * EDITIONS.length));

    let handle = slug([seed.handle, colour, finish, edition ?? "", round ? String(round + 1) : ""].join("-"));
    for (let n = 2; handles.has(handle); n++) handle = `${slug(`${seed.handle}-${colour}-${finish}`)}-${n}`;
    handles.add(handle);

    const title = `${seed.title} – ${colour} ${finish}${edition ? ` (${edition} Edition)` : ""}`;
    const cents = priceCents(toCents(seed.price) ?? 1999, unit(i, 1));
    const onSale = unit(i, 2) < SALE_SHARE;
    // 10 % to 60 % off; a compare-at price in whole units, as merchants write them.
    const compareAtCents = onSale ? Math.ceil(cents / (1 - (0.1 + 0.5 * unit(i, 3))) / 100) * 100 : null;
    const available = unit(i, 4) >= SOLD_OUT_SHARE;
    const listedAt = LARGE_LISTED_FROM + Math.floor((unit(i, 5) * LISTING_SPAN_MS) / MINUTE) * MINUTE;
    const updatedAt = listedAt + Math.floor(unit(i, 6) * 30 * 24 * 60) * MINUTE;

    let variant = 1_000_000_000 + Math.floor(unit(i, 7) * 8_000_000_000);
    while (variantIds.has(String(variant))) variant++;
    variantIds.add(String(variant));

    const finishText = `${/^[aeiou]/i.test(finish) ? "an" : "a"} ${finish.toLowerCase()} finish`;
    out.push({
      id: handle,
      handle,
      title,
      description: `${seed.description}${seed.description ? "\n" : ""}This version comes in ${colour.toLowerCase()} with ${finishText}${edition ? `, as part of our ${edition.toLowerCase()} edition` : ""}.`,
      vendor: seed.vendor,
      productType: typeOf(seed),
      tags: [...seed.tags, colour, finish, ...(edition ? [edition] : [])],
      price: centsToDecimal(cents),
      compareAtPrice: compareAtCents === null ? null : centsToDecimal(compareAtCents),
      currency: seed.currency,
      image: seed.image ? { url: seed.image.url, alt: title } : null,
      available,
      firstVariantId: String(variant),
      listedAt,
      updatedAt,
    });
  }
  return out;
}
