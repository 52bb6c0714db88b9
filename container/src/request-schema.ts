import { z } from "zod";
import { parseCacheKey } from "../../core/cache-key.ts";
import { canonicalLanguage } from "../../core/locale.ts";
import { shopSettingsSchema } from "../../core/settings.ts";
import { DEFAULT_JOB_LANGUAGE, PERSONAS } from "../../core/types.ts";
import type { GenerationJob, PersonaSelection, Product, SelectionGroup, ShopSettings } from "../../core/types.ts";

/**
 * The body of `POST /generate`, validated once at the boundary (DESIGN.md, "The generator").
 * The schemas mirror core/types.ts; `satisfies` keeps them from drifting apart silently.
 */

const persona = z.enum(PERSONAS);
const text = (max: number) => z.string().max(max);
const decimal = z.string().regex(/^\d+(\.\d+)?$/, "a decimal string such as \"50.00\"");

const productSchema = z.object({
  id: text(200).min(1),
  handle: text(255).min(1),
  title: text(500),
  description: text(20_000),
  vendor: text(255),
  productType: text(255),
  tags: z.array(text(255)).max(250),
  price: decimal,
  compareAtPrice: decimal.nullable(),
  currency: z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 currency code"),
  image: z.object({ url: text(2048).min(1), alt: text(1000) }).nullable(),
  available: z.boolean(),
  firstVariantId: z.string().regex(/^\d+$/, "a numeric variant id"),
}) satisfies z.ZodType<Product>;

/** Bounds of a selection request: above what core/selection.ts makes (24 products, 6 groups). */
export const SELECTION_LIMITS = { products: 60, groups: 12, handlesPerGroup: 40 } as const;

const groupSchema = z.object({
  id: text(100).min(1),
  title: text(255),
  handles: z.array(text(255).min(1)).max(SELECTION_LIMITS.handlesPerGroup),
  badge: text(40).optional(),
}) satisfies z.ZodType<SelectionGroup>;

/**
 * The persona's bounded selection (core/types.ts PersonaSelection): what the page is about. The
 * generator never sees the rest of the catalog, so a request's size does not grow with it.
 */
const selectionSchema = z.object({
  store: text(100).min(1),
  persona,
  merchVersion: text(100).min(1),
  factsVersion: text(100).min(1),
  groups: z.array(groupSchema).max(SELECTION_LIMITS.groups),
  merchHashes: z.record(text(255), text(100)).refine((r) => Object.keys(r).length <= SELECTION_LIMITS.groups * SELECTION_LIMITS.handlesPerGroup, "too many merchandising hashes"),
  products: z.array(productSchema).max(SELECTION_LIMITS.products),
  reasons: z.array(text(500)).max(SELECTION_LIMITS.groups * 2),
  selectedAt: z.number().int().min(0),
}) satisfies z.ZodType<PersonaSelection>;

// The merchant settings schema is core's, shared with the edge and the admin.
const settingsSchema = shopSettingsSchema satisfies z.ZodType<ShopSettings>;

const jobSchema = z.object({
  key: text(500).min(1),
  store: text(100).min(1),
  persona,
  shopper: text(200).optional(),
  variant: text(200).min(1),
  merchVersion: text(100).min(1),
  settingsVersion: z.number().int().min(0),
  promptVersion: text(100).min(1),
  // The page language, canonicalised ("FR" → "fr"); jobs queued before languages have none.
  language: text(35)
    .refine((v) => canonicalLanguage(v) !== null, "a BCP 47 language tag such as \"fr\" or \"pt-BR\"")
    .transform((v) => canonicalLanguage(v)!)
    .default(DEFAULT_JOB_LANGUAGE),
  enqueuedAt: z.number().int().min(0),
  attempt: z.number().int().min(0),
}) satisfies z.ZodType<GenerationJob>;

/**
 * `baseUrl` decides how links and the add-to-cart form are written. Default "": relative links, because
 * one cached page serves both routes — the app proxy (shop origin, relative is right) and the direct
 * `/s/<store>` route, where the edge rewrites relative links to the shop's absolute origin.
 * A caller that wants absolute links passes the origin, e.g. "https://demo-apparel.myshopify.com".
 */
const baseUrlSchema = z
  .string()
  .regex(/^(?:https?:\/\/[a-z0-9.-]+(?::\d{1,5})?\/?)?$/i, "\"\" or an origin such as https://shop.example.com")
  .transform((v) => v.replace(/\/$/, ""));

export const generateRequestSchema = z
  .object({ job: jobSchema, selection: selectionSchema, settings: settingsSchema, baseUrl: baseUrlSchema.default("") })
  .superRefine((req, ctx) => {
    if (req.selection.store !== req.job.store || req.settings.store !== req.job.store) {
      ctx.addIssue({
        code: "custom",
        path: ["job", "store"],
        message: `job, selection and settings must name the same store (job "${req.job.store}", selection "${req.selection.store}", settings "${req.settings.store}")`,
      });
    }
    const keyLanguage = parseCacheKey(req.job.key)?.language;
    if (keyLanguage !== undefined && keyLanguage !== req.job.language) {
      ctx.addIssue({ code: "custom", path: ["job", "language"], message: `the job is for language "${req.job.language}", its key for "${keyLanguage}"` });
    }
    if (req.selection.persona !== req.job.persona) {
      ctx.addIssue({
        code: "custom",
        path: ["selection", "persona"],
        message: `the selection is for persona "${req.selection.persona}", the job for "${req.job.persona}"`,
      });
    }
  });

export type GenerateRequest = z.infer<typeof generateRequestSchema>;

/** Field errors as short "path: message" lines, for the 400 response. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join(".") : "(body)"}: ${issue.message}`);
}
