import { hashString } from "./hash.ts";
import { isPersona, type CacheScope, type Persona } from "./types.ts";

/**
 * Cache keys of generated pages (DESIGN.md, "The shopper's request", step 3).
 *
 *   scope persona: ui/<store>/<persona>/<language>/<variant>
 *   scope shopper: ui/<store>/<persona>/<language>/s-<hash(shopper)>-<variant>
 *
 * A key is built only from the store, the persona, the page language, the variant (merchandising,
 * settings and prompt versions) and, for scope shopper, a hash of the shopper id. It never takes
 * request parameters: `signature`, `timestamp`, UTM tags and the like change on every request and
 * would make every request a miss (and an LLM call).
 *
 * The language is a path segment of its own, not part of the variant (issue 13): one variant is
 * current for every language of a persona, pages can be listed and purged per language by prefix,
 * and the dashboard reads the language off the key. Only the language: the country and currency
 * never reach a key (prices are expanded into the cards at serve time), and the language is one of
 * the shop's published ones (core/locale.ts), so LLM calls grow with personas × languages ×
 * merchandising changes, never with countries. Keys written before languages had no language
 * segment (`ui/<store>/<persona>/<variant>`): parseCacheKey still reads them (without `language`),
 * so old pages can be listed and purged; cacheKey writes that form only while a caller passes no
 * language.
 */

/** Store ids are myshopify subdomains: lowercase letters, digits and hyphens. */
const STORE_PATTERN = /^[a-z0-9][a-z0-9-]{0,99}$/;
const VARIANT_PATTERN = /^[0-9a-f]{16}$/;
const SHOPPER_PART = /^s-([0-9a-f]{16})-([0-9a-f]{16})$/;
/** A BCP 47 language tag in canonical case ("fr", "pt-BR", "zh-Hant-TW"), as core/locale.ts writes it. */
const LANGUAGE_PATTERN = /^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|\d{3}))?$/;

export function isKeyLanguage(value: unknown): value is string {
  return typeof value === "string" && LANGUAGE_PATTERN.test(value);
}

export function isStoreId(value: unknown): value is string {
  return typeof value === "string" && STORE_PATTERN.test(value);
}

/**
 * A 16-hex hash of everything that, when it changes, makes a cached page outdated: the persona
 * selection's merchandising (PersonaSelection.merchVersion), the settings version and the prompt
 * version. Never prices or stock: those are expanded into the page's cards at serve time.
 */
export function cacheVariant(v: { merchVersion: string; settingsVersion: number; promptVersion: string }): string {
  return hashString(`merch:${v.merchVersion}|settings:${v.settingsVersion}|prompt:${v.promptVersion}`);
}

/**
 * `language`: the page language (ShopperLocale.pageLanguage, GenerationJob.language). Optional only
 * so that callers not yet passing it keep their keys; every page written for a language has it.
 */
export function cacheKey(k: { store: string; persona: Persona; scope: CacheScope; shopper?: string; variant: string; language?: string }): string {
  if (!isStoreId(k.store)) throw new RangeError(`invalid store id for a cache key: ${JSON.stringify(k.store)}`);
  if (!isPersona(k.persona)) throw new RangeError(`invalid persona for a cache key: ${JSON.stringify(k.persona)}`);
  if (!VARIANT_PATTERN.test(k.variant)) throw new RangeError(`invalid cache variant: ${JSON.stringify(k.variant)}`);
  if (k.language !== undefined && !isKeyLanguage(k.language)) throw new RangeError(`invalid language for a cache key: ${JSON.stringify(k.language)}`);
  const prefix = cacheKeyPrefix(k.store, k.persona, k.language);
  if (k.scope === "persona") return prefix + k.variant;
  if (!k.shopper) throw new RangeError("scope shopper needs a shopper id");
  // The shopper id is hashed so that no customer id ends up in storage keys or logs.
  return `${prefix}${shopperKeyMarker(k.shopper).slice(1)}${k.variant}`;
}

/**
 * The page-key prefix of a store, of one of its personas, or of one persona in one language
 * (listing and purging). A persona's prefix covers all its languages (and its keys without one).
 */
export function cacheKeyPrefix(store: string, persona?: Persona, language?: string): string {
  if (!persona) return `ui/${store}/`;
  return language === undefined ? `ui/${store}/${persona}/` : `ui/${store}/${persona}/${language}/`;
}

/** The key segment of a scope-shopper page of this shopper (find them under any persona and language). */
export function shopperKeyMarker(shopper: string): string {
  return `/s-${hashString(`shopper:${shopper}`)}-`;
}

export interface ParsedCacheKey {
  store: string;
  persona: Persona;
  /** The bare variant, for either scope. */
  variant: string;
  /** The page language; absent on keys written before languages. */
  language?: string;
  /** Set for scope-shopper keys. */
  shopperHash?: string;
}

/** Reads a key back; null for anything that is not a well-formed page key. */
export function parseCacheKey(key: string): ParsedCacheKey | null {
  const parts = key.split("/");
  if ((parts.length !== 4 && parts.length !== 5) || parts[0] !== "ui") return null;
  const [, store, persona] = parts as [string, string, string];
  const last = parts.at(-1)!;
  const language = parts.length === 5 ? parts[3]! : undefined;
  if (!isStoreId(store) || !isPersona(persona)) return null;
  if (language !== undefined && !isKeyLanguage(language)) return null;
  const lang = language === undefined ? {} : { language };
  if (VARIANT_PATTERN.test(last)) return { store, persona, variant: last, ...lang };
  const shopper = SHOPPER_PART.exec(last);
  if (shopper) return { store, persona, variant: shopper[2]!, ...lang, shopperHash: shopper[1]! };
  return null;
}
