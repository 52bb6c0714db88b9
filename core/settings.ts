import { z } from "zod";
import { HEX_COLOUR } from "./colour.ts";
import { MARKET_LIMITS, canonicalLanguage } from "./locale.ts";
import { PERSONAS, type ShopSettings } from "./types.ts";

/**
 * Merchant settings: the schema every boundary validates against (D1 row → edge/pool, admin form →
 * D1), defaults for a new shop, and the D1 row mapping (JSON columns enabledPersonas and colours).
 */

export const personaSchema = z.enum(PERSONAS);

export const brandColoursSchema = z.object({
  primary: z.string().regex(HEX_COLOUR, "a hex colour like #1f2937"),
  accent: z.string().regex(HEX_COLOUR, "a hex colour like #b45309"),
  background: z.string().regex(HEX_COLOUR, "a hex colour like #ffffff"),
  text: z.string().regex(HEX_COLOUR, "a hex colour like #111827"),
});

export const BRAND_VOICE_MAX = 2000;

/**
 * The published languages the merchant has pages generated in; [] (the default) means all of them.
 * The shop's published languages are not part of the settings (they come with its markets,
 * core/locale.ts generatedLanguagesOf()), so a saved list is checked against them where both meet.
 */
export const generatedLanguagesSchema = z
  .array(z.string().refine((v) => canonicalLanguage(v) === v, "a language tag such as \"fr\" or \"pt-BR\""))
  .max(MARKET_LIMITS.languages)
  .refine((a) => new Set(a).size === a.length, "each language once");

export const shopSettingsSchema = z.object({
  store: z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/, "a store id: lowercase letters, digits, hyphens"),
  shopName: z.string().trim().min(1).max(200),
  shopDomain: z.string().regex(/^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/i, "a domain like shop.myshopify.com"),
  enabledPersonas: z
    .array(personaSchema)
    .min(1, "enable at least one persona")
    .refine((a) => new Set(a).size === a.length, "each persona once"),
  defaultPersona: personaSchema,
  brandVoice: z.string().max(BRAND_VOICE_MAX),
  colours: brandColoursSchema,
  scope: z.enum(["persona", "shopper"]),
  holdoutPercent: z.int().min(0).max(100),
  settingsVersion: z.int().min(1),
  // Defaulted: settings snapshots and rows written before languages still parse.
  generatedLanguages: generatedLanguagesSchema.default([]),
});

export const DEFAULT_COLOURS = { primary: "#1f2937", accent: "#b45309", background: "#ffffff", text: "#111827" } as const;

/** Settings of a newly installed shop; the same values as the D1 column defaults (0001_init.sql). */
export function defaultSettings(o: { store: string; shopName: string; shopDomain: string }): ShopSettings {
  return {
    store: o.store,
    shopName: o.shopName,
    shopDomain: o.shopDomain,
    enabledPersonas: [...PERSONAS],
    defaultPersona: "explorer",
    brandVoice: "",
    colours: { ...DEFAULT_COLOURS },
    scope: "persona",
    holdoutPercent: 0,
    settingsVersion: 1,
    generatedLanguages: [],
  };
}

export class InvalidSettingsError extends Error {
  override name = "InvalidSettingsError";
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(message);
  }
}

/** A JSON text column: parsed when it is a string, passed on when the driver already parsed it. */
const jsonColumn = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v, ctx) => {
    if (typeof v !== "string") return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "not valid JSON" });
      return z.NEVER;
    }
  }, schema);

/** D1 gives INTEGER columns as numbers; Prisma may give them as bigint. */
const intColumn = z.preprocess((v) => (typeof v === "bigint" ? Number(v) : v), z.int());

const settingsRowSchema = z.object({
  store: shopSettingsSchema.shape.store,
  shopName: shopSettingsSchema.shape.shopName,
  shopDomain: shopSettingsSchema.shape.shopDomain,
  enabledPersonas: jsonColumn(shopSettingsSchema.shape.enabledPersonas),
  defaultPersona: personaSchema,
  brandVoice: shopSettingsSchema.shape.brandVoice,
  colours: jsonColumn(brandColoursSchema),
  scope: shopSettingsSchema.shape.scope,
  holdoutPercent: intColumn.pipe(z.int().min(0).max(100)),
  settingsVersion: intColumn.pipe(z.int().min(1)),
  // JSON text column (migration 0004); absent on rows of databases migrated before it.
  generatedLanguages: jsonColumn(generatedLanguagesSchema).default([]),
});

function toInvalid(what: string, error: z.ZodError): InvalidSettingsError {
  const issues = error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  return new InvalidSettingsError(`${what}: ${issues.map((i) => `${i.path || "(row)"}: ${i.message}`).join("; ")}`, issues);
}

/**
 * A ShopSettings from a D1 `ShopSettings` row (plain object as D1 or Prisma return it). Columns that
 * are not settings (installed, updatedAt) are ignored. Throws InvalidSettingsError with the field
 * errors when the row is not valid.
 */
export function parseSettingsRow(row: Record<string, unknown>): ShopSettings {
  const result = settingsRowSchema.safeParse(row);
  if (!result.success) throw toInvalid("invalid ShopSettings row", result.error);
  return result.data;
}

/** Validates settings from any other source (admin form, KV snapshot). Throws InvalidSettingsError. */
export function parseSettings(value: unknown): ShopSettings {
  const result = shopSettingsSchema.safeParse(value);
  if (!result.success) throw toInvalid("invalid settings", result.error);
  return result.data;
}

/**
 * The D1 row of settings (JSON columns as text), for INSERT/UPDATE. `generatedLanguages` is not in
 * it yet: its column comes with migration 0004 (generatedLanguagesToColumn() gives its value).
 */
export function settingsToRow(s: ShopSettings): {
  store: string;
  shopName: string;
  shopDomain: string;
  enabledPersonas: string;
  defaultPersona: string;
  brandVoice: string;
  colours: string;
  scope: string;
  holdoutPercent: number;
  settingsVersion: number;
} {
  return {
    store: s.store,
    shopName: s.shopName,
    shopDomain: s.shopDomain,
    enabledPersonas: JSON.stringify(s.enabledPersonas),
    defaultPersona: s.defaultPersona,
    brandVoice: s.brandVoice,
    colours: JSON.stringify({ primary: s.colours.primary, accent: s.colours.accent, background: s.colours.background, text: s.colours.text }),
    scope: s.scope,
    holdoutPercent: s.holdoutPercent,
    settingsVersion: s.settingsVersion,
  };
}

/** The `generatedLanguages` column's value (JSON text), once the D1 column exists. */
export function generatedLanguagesToColumn(s: Pick<ShopSettings, "generatedLanguages">): string {
  return JSON.stringify(s.generatedLanguages);
}
