import { z } from "zod";
import type { PersonaSignals } from "../../../core/types.ts";

/**
 * Shopper signals carried by the theme extension's query parameters (extensions/wand-storefront).
 *
 * Shopify strips cookies on proxied requests, so what the edge would otherwise read from a cookie
 * the extension keeps in the shopper's localStorage and appends to the proxy URL:
 *
 *   wand_sid           anonymous shopper id the extension made up (8–64 of A–Z a–z 0–9 _ -)
 *   wand_utm_source    landing UTM tags of the visit that brought the shopper (each ≤ 100 chars)
 *   wand_utm_medium
 *   wand_utm_campaign
 *   wand_utm_term
 *   wand_utm_content
 *   wand_ref           landing referrer, reduced by the extension to its origin ("https://www.google.com")
 *   wand_visits        visit count on this shop (1–10 000)
 *   wand_cats          product types / collections looked at, comma-separated (≤ 12 of ≤ 60 chars)
 *
 * Every parameter is optional and validated on its own: a malformed one is dropped, never an error,
 * because a shopper's odd localStorage must not break the storefront section. None of them ever
 * reaches a cache key (the key is built in core from store, persona and variant), and neither do
 * Shopify's `signature` and `timestamp`.
 */

export const SIGNAL_PARAMS = {
  shopper: "wand_sid",
  utmSource: "wand_utm_source",
  utmMedium: "wand_utm_medium",
  utmCampaign: "wand_utm_campaign",
  utmTerm: "wand_utm_term",
  utmContent: "wand_utm_content",
  referrer: "wand_ref",
  visits: "wand_visits",
  categories: "wand_cats",
} as const;

export const MAX_VISITS = 10_000;
export const MAX_CATEGORIES = 12;

// Control characters say nothing about intent and have no place in reasons shown to the merchant.
const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();

const text = (max: number) => z.string().transform(clean).pipe(z.string().min(1).max(max));
const shopperId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const referrer = z
  .string()
  .max(300)
  .pipe(z.url({ protocol: /^https?$/ }))
  // Only the origin matters for detection; a path or query could carry someone's data.
  .transform((u) => `${new URL(u).origin}/`);
const visits = z.string().regex(/^\d{1,9}$/).transform((v) => Math.min(Math.max(Number(v), 1), MAX_VISITS));
const categories = z
  .string()
  .max(2000)
  .transform((v) => [...new Set(v.split(",").map(clean).filter((c) => c.length > 0 && c.length <= 60))].slice(0, MAX_CATEGORIES));

/** One parameter through its schema: the parsed value, or null when missing or malformed. */
function read<T>(query: URLSearchParams, name: string, schema: z.ZodType<T, string>): T | null {
  const raw = query.get(name);
  if (raw === null) return null;
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export interface ProxySignals {
  signals: PersonaSignals;
  /** The extension's anonymous shopper id, null when absent or malformed. */
  shopperId: string | null;
}

export function signalsFromQuery(query: URLSearchParams): ProxySignals {
  const utm = {
    source: read(query, SIGNAL_PARAMS.utmSource, text(100)),
    medium: read(query, SIGNAL_PARAMS.utmMedium, text(100)),
    campaign: read(query, SIGNAL_PARAMS.utmCampaign, text(100)),
    term: read(query, SIGNAL_PARAMS.utmTerm, text(100)),
    content: read(query, SIGNAL_PARAMS.utmContent, text(100)),
  };
  const hasUtm = Object.values(utm).some((v) => v !== null);
  const signals: PersonaSignals = {
    // The proxy never honours `?persona=`: the storefront is the shopper's, not a preview.
    override: null,
    utm: hasUtm ? utm : undefined,
    referrer: read(query, SIGNAL_PARAMS.referrer, referrer),
    visitCount: read(query, SIGNAL_PARAMS.visits, visits),
    categoriesSeen: read(query, SIGNAL_PARAMS.categories, categories) ?? [],
    customer: null,
  };
  if (!hasUtm) delete signals.utm;
  return { signals, shopperId: read(query, SIGNAL_PARAMS.shopper, shopperId) };
}
