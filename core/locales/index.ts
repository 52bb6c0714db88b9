import type { SelectionGroup } from "../types.ts";
import { de } from "./de.ts";
import { en, type MessageKey, type Messages } from "./en.ts";
import { es } from "./es.ts";
import { fr } from "./fr.ts";

/**
 * The fixed strings of WandStore's pages (template pages, the page shell, the product cards) per
 * language. A page language without a locale here falls back to English; callers learn which
 * locale was used (`language`), so the page can say so in its `lang` attributes.
 */

export type { MessageKey, Messages } from "./en.ts";

export const LOCALES = { en, fr, de, es } as const satisfies Record<string, Messages>;
export type UiLanguage = keyof typeof LOCALES;
export const UI_LANGUAGES = Object.keys(LOCALES) as UiLanguage[];
export const DEFAULT_UI_LANGUAGE: UiLanguage = "en";

export interface LocaleMessages {
  /** The locale whose strings these are ("en" when the page language has none). */
  language: UiLanguage;
  messages: Messages;
}

const isUiLanguage = (value: string): value is UiLanguage => Object.hasOwn(LOCALES, value);

/**
 * The strings for a BCP 47 language tag, matched on its primary language subtag ("fr-CA" → fr,
 * "DE" → de); English for anything else.
 */
export function messagesFor(language: string | undefined): LocaleMessages {
  const primary = (language ?? "").split("-")[0]!.toLowerCase();
  const chosen = isUiLanguage(primary) ? primary : DEFAULT_UI_LANGUAGE;
  return { language: chosen, messages: LOCALES[chosen] };
}

/**
 * A message with its {placeholders} filled. The result is plain text: escape it for HTML. An
 * unknown placeholder stays as written, so a missing value is visible rather than silently empty.
 */
export function message(messages: Messages, key: MessageKey, params: Readonly<Record<string, string>> = {}): string {
  const template = messages[key];
  if (!template.includes("{")) return template;
  return template.replace(/\{([a-z]+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? params[name]! : whole));
}

/** The {placeholders} a message uses, sorted (locales.test.ts compares them across locales). */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(/\{([a-z]+)\}/g)].map((m) => m[1]!).sort();
}

// The titles core/selection.ts gives its fixed groups, by group id. Category groups ("cat-…") are
// titled with the merchant's category name, which is catalog data and stays as it is.
const GROUP_TITLES = new Map<string, readonly MessageKey[]>([
  ["picks", ["groupPicks"]],
  ["deals", ["groupDeals"]],
  ["low", ["groupLowWithDeals", "groupLowOnly"]],
  ["new", ["groupNew"]],
  ["again", ["groupAgain"]],
]);
// Badges the selection writes.
const BADGE_KEYS: readonly MessageKey[] = ["badgeNew"];

/** The key whose text, in some locale, is `text` (so a title already translated is recognised). */
function keyOf(text: string, keys: readonly MessageKey[]): MessageKey | undefined {
  return keys.find((k) => Object.values(LOCALES).some((l) => l[k] === text));
}

/**
 * The selection's groups with the titles and badges core/selection.ts writes, in the page's
 * language. Only those texts are replaced: a title or badge a group got elsewhere is kept. Idempotent
 * (a French title is recognised as well as an English one), and the handles are untouched, so the
 * merchandising version of a selection does not depend on the language.
 */
export function localizeGroups(groups: readonly SelectionGroup[], messages: Messages): SelectionGroup[] {
  return groups.map((g) => {
    const titleKey = keyOf(g.title, GROUP_TITLES.get(g.id) ?? []);
    const out: SelectionGroup = { ...g, ...(titleKey ? { title: messages[titleKey] } : {}) };
    const badgeKey = g.badge === undefined ? undefined : keyOf(g.badge, BADGE_KEYS);
    if (badgeKey) out.badge = messages[badgeKey];
    return out;
  });
}
