import { z } from "zod";
import { hashString } from "./hash.ts";
import { htmlToText } from "./html-text.ts";
import { canonicalLanguage } from "./locale.ts";
import { SELECTION_DESCRIPTION_CHARS } from "./selection.ts";
import type { PersonaSelection } from "./types.ts";

/**
 * Product text in the shopper's language (issue 13, "Language"): the merchant's own translations
 * of the selected products' titles and descriptions, as Shopify's Admin API gives them
 * (`translatableResourcesByIds` → `translations(locale:)`, keys `title` and `body_html`). Only the
 * persona selections' products are asked for (≤ 96 per language), never the catalog.
 *
 * Laid over a selection before it reaches the generator or a template page; a product (or field)
 * without a translation keeps the shop's own text. Translated text is merchandising: the
 * selection's merchVersion takes the translations it used, so a French page is regenerated when a
 * French title changes — and only the French page.
 */

export interface ProductTranslation {
  title?: string;
  /** Plain text (the translated body_html reduced to text, clipped like a selection's descriptions). */
  description?: string;
}

export interface ProductTranslations {
  store: string;
  /** BCP 47, canonical ("fr", "pt-BR"). */
  language: string;
  /** By product handle (lowercase). */
  products: Record<string, ProductTranslation>;
  /** Epoch ms the translations were read from Shopify (or seeded). */
  fetchedAt: number;
}

/** Translations are read again with every selection refresh, and at the latest after this long. */
export const TRANSLATIONS_TTL_MS = 60 * 60 * 1000;

/** Above what all four selections hold together (96); Shopify pages `translatableResourcesByIds` by 250. */
export const TRANSLATIONS_LIMIT = 200;
const TITLE_MAX = 255;

export const TRANSLATIONS_QUERY = `#graphql
query WandTranslations($ids: [ID!]!, $first: Int!, $locale: String!) {
  translatableResourcesByIds(first: $first, resourceIds: $ids) {
    nodes {
      resourceId
      translations(locale: $locale) { key value }
    }
  }
}`;

/** The query's variables for these products (Shopify GIDs only: CSV-imported products have none). */
export function translationsVariables(products: readonly { id: string }[], language: string): { ids: string[]; first: number; locale: string } {
  const ids = [...new Set(products.map((p) => p.id).filter((id) => /^gid:\/\/shopify\/Product\/\d+$/.test(id)))];
  if (ids.length > TRANSLATIONS_LIMIT) throw new RangeError(`${ids.length} products: ask for the selections' products only`);
  const locale = canonicalLanguage(language);
  if (locale === null) throw new RangeError(`invalid language: ${JSON.stringify(language)}`);
  return { ids, first: Math.max(1, ids.length), locale };
}

const responseSchema = z.object({
  translatableResourcesByIds: z.object({
    nodes: z.array(z.object({ resourceId: z.string(), translations: z.array(z.object({ key: z.string(), value: z.string().nullable() })) })),
  }),
});

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}

/**
 * ProductTranslations from the query's `data`: `handles` maps each asked product GID to its handle.
 * Empty values count as no translation (Shopify keeps a removed translation as an empty string).
 */
export function translationsFromResponse(data: unknown, o: { store: string; language: string; handles: ReadonlyMap<string, string>; fetchedAt: number }): ProductTranslations {
  const parsed = responseSchema.safeParse(data);
  if (!parsed.success) throw new TypeError("translatable resources response without nodes");
  const products: Record<string, ProductTranslation> = {};
  for (const node of parsed.data.translatableResourcesByIds.nodes) {
    const handle = o.handles.get(node.resourceId);
    if (!handle) continue;
    const t: ProductTranslation = {};
    for (const { key, value } of node.translations) {
      if (!value || !value.trim()) continue;
      if (key === "title") t.title = clip(value.trim(), TITLE_MAX);
      else if (key === "body_html") {
        const text = htmlToText(value);
        if (text) t.description = clip(text, SELECTION_DESCRIPTION_CHARS);
      }
    }
    if (t.title !== undefined || t.description !== undefined) products[handle.toLowerCase()] = t;
  }
  return { store: o.store, language: canonicalLanguage(o.language) ?? o.language, products, fetchedAt: o.fetchedAt };
}

/**
 * The selection with its products' text in the translations' language, where the merchant has it.
 * With no translations (the primary language, or none stored) the selection is returned as it is;
 * otherwise merchVersion becomes a hash of the base version, the language and the translated text
 * used, so the cache variant of a translated page follows its translations.
 */
export function translateSelection(selection: PersonaSelection, translations: ProductTranslations | null): PersonaSelection {
  if (translations === null) return selection;
  const used: string[] = [];
  const products = selection.products.map((p) => {
    const t = translations.products[p.handle.toLowerCase()];
    if (!t) return p;
    used.push(`${p.handle.toLowerCase()}=${t.title ?? ""}\u0000${t.description ?? ""}`);
    return { ...p, ...(t.title !== undefined ? { title: t.title } : {}), ...(t.description !== undefined ? { description: t.description } : {}) };
  });
  if (used.length === 0) return selection;
  return { ...selection, products, merchVersion: hashString(`${selection.merchVersion}|${translations.language}|${used.sort().join("\n")}`) };
}

const text = (max: number) => z.string().min(1).max(max * 2);

export const productTranslationsSchema = z.object({
  store: z.string().min(1).max(100),
  language: z.string().refine((v) => canonicalLanguage(v) === v, "a BCP 47 language tag in canonical form"),
  products: z
    .record(z.string().min(1).max(255), z.object({ title: text(TITLE_MAX).optional(), description: text(SELECTION_DESCRIPTION_CHARS).optional() }))
    .refine((r) => Object.keys(r).length <= TRANSLATIONS_LIMIT, `at most ${TRANSLATIONS_LIMIT} products`)
    .refine((r) => Object.keys(r).every((h) => h === h.toLowerCase()), "handles in lowercase"),
  fetchedAt: z.number().int().min(0),
}) satisfies z.ZodType<ProductTranslations>;

/** Validates stored translations (KV snapshot); throws a ZodError with the field errors. */
export function parseProductTranslations(value: unknown): ProductTranslations {
  return productTranslationsSchema.parse(value);
}
