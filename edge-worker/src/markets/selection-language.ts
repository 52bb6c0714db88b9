import { publishedLanguages } from "../../../core/locale.ts";
import { translateSelection, type ProductTranslations } from "../../../core/product-translations.ts";
import type { PersonaSelection } from "../../../core/types.ts";
import { readShopMarkets } from "./markets-store.ts";
import { loadTranslations, readTranslations } from "./translations-store.ts";

/**
 * A persona's selection in a page language: its products' titles and descriptions as the merchant
 * translated them (core/product-translations.ts), the shop's own text where there is no
 * translation. The primary language (and a language without stored translations) gets the
 * selection as it is. The pool reads storage as it is now (`fresh`), so the variant it checks a job
 * against is the current one; the shopper path reads the isolate's copies, and the translated
 * selection is memoised per (selection, translations) snapshot pair, so a hit translates nothing.
 */
type Waiter = Pick<ExecutionContext, "waitUntil"> | null;

const translatedMemo = new WeakMap<PersonaSelection, WeakMap<ProductTranslations, PersonaSelection>>();

/** translateSelection, memoised per (selection, translations) snapshot pair. */
export function translatedOnce(selection: PersonaSelection, translations: ProductTranslations | null): PersonaSelection {
  if (translations === null) return selection;
  let byTranslations = translatedMemo.get(selection);
  if (!byTranslations) translatedMemo.set(selection, (byTranslations = new WeakMap()));
  let out = byTranslations.get(translations);
  if (!out) byTranslations.set(translations, (out = translateSelection(selection, translations)));
  return out;
}

export async function selectionInLanguage(
  env: Env,
  selection: PersonaSelection,
  language: string | undefined,
  o: { fresh: true } | { fresh: false; waiter: Waiter },
): Promise<PersonaSelection> {
  if (language === undefined) return selection;
  if (o.fresh) {
    const { markets } = await readShopMarkets(env, selection.store);
    if (language === publishedLanguages(markets)[0]) return selection;
    return translateSelection(selection, await readTranslations(env, selection.store, language));
  }
  return translatedOnce(selection, await loadTranslations(env, selection.store, language, o.waiter));
}
