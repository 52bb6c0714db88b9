import { parseProductTranslations, TRANSLATIONS_TTL_MS, type ProductTranslations } from "../../../core/product-translations.ts";
import { publishedLanguages, type ShopMarkets } from "../../../core/locale.ts";
import { translationsKey, translationsPrefix } from "../../../core/storage-keys.ts";
import { KvSnapshots } from "./kv-snapshots.ts";
import { loadShopMarkets } from "./markets-store.ts";

/**
 * The merchant's translations of the persona selections' products in one language
 * (core/product-translations.ts), in KV `translations/<store>/<language>`, written by the catalog
 * sync's markets step for every generated language but the primary one.
 */
type Waiter = Pick<ExecutionContext, "waitUntil"> | null;

const translations = new KvSnapshots<ProductTranslations>({
  key: translationsKey,
  prefix: translationsPrefix,
  partOf: (t) => t.language,
  parse: parseProductTranslations,
  work: "translations",
  ttlMs: TRANSLATIONS_TTL_MS,
  meanwhile: "the shop's own text is used",
  // ≤ 200 products × (title + 600-character description) ≈ 150 KB at most; usually far less.
  limit: 128,
});

export const writeTranslations = (env: Pick<Env, "CACHE">, value: ProductTranslations): Promise<void> => translations.write(env, value);
export const readTranslations = (env: Pick<Env, "CACHE">, store: string, language: string): Promise<ProductTranslations | null> => translations.read(env, store, language);
export const forgetTranslationsMemo = (store: string): void => translations.forget(store);

/**
 * The product translations in `language`, or null for the shop's primary language (its own text)
 * and while none are stored. Missing or older than TRANSLATIONS_TTL_MS: served as they are while
 * the store's CatalogSync object reads them again.
 */
export async function loadTranslations(env: Env, store: string, language: string, waiter: Waiter): Promise<ProductTranslations | null> {
  return loadTranslationsIn(env, store, await loadShopMarkets(env, store, waiter), language, waiter);
}

/** loadTranslations for markets the caller has already loaded. */
export async function loadTranslationsIn(env: Env, store: string, markets: ShopMarkets, language: string, waiter: Waiter): Promise<ProductTranslations | null> {
  return translated(markets, language) ? translations.load(env, store, language, waiter) : null;
}

/**
 * loadTranslationsIn without a promise: `{ value }` from this isolate's fresh copy, undefined when
 * it has to be read.
 */
export function peekTranslationsIn(env: Env, store: string, markets: ShopMarkets, language: string, waiter: Waiter): { value: ProductTranslations | null } | undefined {
  return translated(markets, language) ? translations.peek(env, store, language, waiter) : { value: null };
}

// Per markets snapshot (a stable memo object): a hit does not canonicalise the languages again.
const publishedOf = new WeakMap<ShopMarkets, readonly string[]>();

/** Only a published language other than the primary one has translations. */
function translated(markets: ShopMarkets, language: string): boolean {
  let published = publishedOf.get(markets);
  if (!published) publishedOf.set(markets, (published = publishedLanguages(markets)));
  return language !== published[0] && published.includes(language);
}
