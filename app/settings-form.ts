import { z } from "zod";
import { BRAND_VOICE_MAX, brandColoursSchema, personaSchema, shopSettingsSchema } from "../core/settings.ts";
import { PERSONAS, type ShopSettings } from "../core/types.ts";

/**
 * The Personas form: what a merchant may change, validated with the same schema as every other
 * boundary (core/settings.ts), plus the rules that only make sense across fields. Field errors come
 * back keyed by the form field, to be shown beside it.
 */
export type PersonaSettingsInput = Pick<
  ShopSettings,
  "enabledPersonas" | "defaultPersona" | "brandVoice" | "colours" | "scope" | "holdoutPercent"
>;

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
  })
  .superRefine((s, ctx) => {
    if (!s.enabledPersonas.includes(s.defaultPersona)) {
      ctx.addIssue({ code: "custom", path: ["defaultPersona"], message: "the default persona must be one of the enabled personas" });
    }
  });

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
  };
}

export type ParsedSettings = { ok: true; value: PersonaSettingsInput } | { ok: false; errors: FieldErrors };

export function parsePersonaSettings(input: unknown): ParsedSettings {
  const result = personaSettingsSchema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
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
