import { z } from "zod";
import { BRAND_VOICE_MAX, brandColoursSchema, generatedLanguagesSchema, personaSchema, shopSettingsSchema } from "../core/settings.ts";
import { PERSONAS, type ShopSettings } from "../core/types.ts";
import type { ShopLanguages } from "./market-choices";

/**
 * The Personas form: what a merchant may change, validated with the same schema as every other
 * boundary (core/settings.ts), plus the rules that only make sense across fields. Field errors come
 * back keyed by the form field, to be shown beside it.
 *
 * `generatedLanguages` is optional: a form without the field (the picker is not shown while the
 * shop's languages cannot be read) leaves the saved choice as it is.
 */
export type PersonaSettingsInput = Pick<
  ShopSettings,
  "enabledPersonas" | "defaultPersona" | "brandVoice" | "colours" | "scope" | "holdoutPercent"
> &
  Partial<Pick<ShopSettings, "generatedLanguages">>;

export const FIELD_NAMES = [
  "enabledPersonas",
  "defaultPersona",
  "brandVoice",
  "colours.primary",
  "colours.accent",
  "colours.background",
  "colours.text",
  "scope",
  "holdoutPercent",
  "generatedLanguages",
] as const;
export type FieldName = (typeof FIELD_NAMES)[number];
export type FieldErrors = Partial<Record<FieldName, string>>;

const holdoutSchema = z.preprocess(
  (v) => (typeof v === "string" && v.trim() !== "" ? Number(v.trim()) : v),
  z.number({ error: "a whole number from 0 to 100" }).int("a whole number from 0 to 100").min(0, "at least 0").max(100, "at most 100"),
);

export const personaSettingsSchema = z
  .object({
    enabledPersonas: shopSettingsSchema.shape.enabledPersonas,
    defaultPersona: personaSchema,
    brandVoice: z.string().trim().max(BRAND_VOICE_MAX, `at most ${BRAND_VOICE_MAX} characters`),
    colours: brandColoursSchema,
    scope: shopSettingsSchema.shape.scope,
    holdoutPercent: holdoutSchema,
    generatedLanguages: generatedLanguagesSchema.optional(),
  })
  .superRefine((s, ctx) => {
    if (!s.enabledPersonas.includes(s.defaultPersona)) {
      ctx.addIssue({ code: "custom", path: ["defaultPersona"], message: "the default persona must be one of the enabled personas" });
    }
  });

/**
 * The chosen languages against the shop's published ones: each one published, the primary always
 * included (shoppers of a language without pages get the primary language's page). Returns what to
 * store: [] when every published language is chosen, so languages published later get pages too.
 */
function checkLanguages(chosen: string[], shop: ShopLanguages | null): { ok: true; value: string[] } | { ok: false; error: string } {
  if (shop === null) return { ok: false, error: "the shop's published languages could not be read, so the languages were not changed; try again" };
  const unknown = chosen.filter((l) => !shop.published.includes(l));
  if (unknown.length > 0) return { ok: false, error: `not a published language of the shop: ${unknown.join(", ")}` };
  if (!chosen.includes(shop.primary)) return { ok: false, error: `the primary language (${shop.primary}) always gets pages` };
  if (shop.published.every((l) => chosen.includes(l))) return { ok: true, value: [] };
  // In the shop's order, so a saved list reads the same whatever order the form sent.
  return { ok: true, value: shop.published.filter((l) => chosen.includes(l)) };
}

/** Reads the form's fields (names as in FIELD_NAMES; enabledPersonas repeated) into a plain object. */
export function formToObject(form: FormData): Record<string, unknown> {
  const text = (name: string): unknown => {
    const v = form.get(name);
    return typeof v === "string" ? v.trim() : v;
  };
  return {
    enabledPersonas: form.getAll("enabledPersonas").filter((v): v is string => typeof v === "string"),
    defaultPersona: text("defaultPersona"),
    brandVoice: text("brandVoice") ?? "",
    colours: {
      primary: text("colours.primary"),
      accent: text("colours.accent"),
      background: text("colours.background"),
      text: text("colours.text"),
    },
    scope: text("scope"),
    holdoutPercent: text("holdoutPercent"),
    // Absent: the picker was not shown, the saved choice stays (see PersonaSettingsInput).
    generatedLanguages: form.has("generatedLanguages") ? form.getAll("generatedLanguages").filter((v): v is string => typeof v === "string").map((v) => v.trim()) : undefined,
  };
}

export type ParsedSettings = { ok: true; value: PersonaSettingsInput } | { ok: false; errors: FieldErrors };

/**
 * Validates the form. `languages` are the shop's published languages (from its markets), needed only
 * when the form carries generatedLanguages; null when they could not be read.
 */
export function parsePersonaSettings(input: unknown, languages: ShopLanguages | null = null): ParsedSettings {
  const result = personaSettingsSchema.safeParse(input);
  if (result.success) {
    const { generatedLanguages, ...rest } = result.data;
    if (generatedLanguages === undefined) return { ok: true, value: rest };
    const checked = checkLanguages(generatedLanguages, languages);
    return checked.ok ? { ok: true, value: { ...rest, generatedLanguages: checked.value } } : { ok: false, errors: { generatedLanguages: checked.error } };
  }
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const path = issue.path.map(String).join(".");
    // An issue on one item of the list (enabledPersonas.2) belongs to the list's field.
    const field = FIELD_NAMES.find((f) => path === f || path.startsWith(`${f}.`)) ?? null;
    const key: FieldName = field ?? "enabledPersonas";
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}

export { PERSONAS };
