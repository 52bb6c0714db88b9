import { hashString } from "./hash.ts";
import { isPersona, type CacheScope, type Persona } from "./types.ts";

/**
 * Cache keys of generated pages (DESIGN.md, "The shopper's request", step 3).
 *
 *   scope persona: ui/<store>/<persona>/<variant>
 *   scope shopper: ui/<store>/<persona>/s-<hash(shopper)>-<variant>
 *
 * A key is built only from the store, the persona, the variant (merchandising, settings and prompt
 * versions) and, for scope shopper, a hash of the shopper id. It never takes request parameters:
 * `signature`, `timestamp`, UTM tags and the like change on every request and would make every
 * request a miss (and an LLM call).
 */

/** Store ids are myshopify subdomains: lowercase letters, digits and hyphens. */
const STORE_PATTERN = /^[a-z0-9][a-z0-9-]{0,99}$/;
const VARIANT_PATTERN = /^[0-9a-f]{16}$/;
const SHOPPER_PART = /^s-([0-9a-f]{16})-([0-9a-f]{16})$/;

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

export function cacheKey(k: { store: string; persona: Persona; scope: CacheScope; shopper?: string; variant: string }): string {
  if (!isStoreId(k.store)) throw new RangeError(`invalid store id for a cache key: ${JSON.stringify(k.store)}`);
  if (!isPersona(k.persona)) throw new RangeError(`invalid persona for a cache key: ${JSON.stringify(k.persona)}`);
  if (!VARIANT_PATTERN.test(k.variant)) throw new RangeError(`invalid cache variant: ${JSON.stringify(k.variant)}`);
  const prefix = `ui/${k.store}/${k.persona}/`;
  if (k.scope === "persona") return prefix + k.variant;
  if (!k.shopper) throw new RangeError("scope shopper needs a shopper id");
  // The shopper id is hashed so that no customer id ends up in storage keys or logs.
  return `${prefix}s-${hashString(`shopper:${k.shopper}`)}-${k.variant}`;
}

/** The page-key prefix of one persona of a store (listing and purging). */
export function cacheKeyPrefix(store: string, persona?: Persona): string {
  return persona ? `ui/${store}/${persona}/` : `ui/${store}/`;
}

/**
 * Reads a key back. `variant` is always the bare variant; `shopperHash` is set for scope-shopper keys.
 * Returns null for anything that is not a well-formed page key.
 */
export function parseCacheKey(key: string): { store: string; persona: Persona; variant: string; shopperHash?: string } | null {
  const parts = key.split("/");
  if (parts.length !== 4 || parts[0] !== "ui") return null;
  const [, store, persona, last] = parts as [string, string, string, string];
  if (!isStoreId(store) || !isPersona(persona)) return null;
  if (VARIANT_PATTERN.test(last)) return { store, persona, variant: last };
  const shopper = SHOPPER_PART.exec(last);
  if (shopper) return { store, persona, variant: shopper[2]!, shopperHash: shopper[1]! };
  return null;
}
