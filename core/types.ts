/**
 * The contracts between WandStore's parts (see DESIGN.md). Pure types: every deployable imports
 * these, none of them imports a platform.
 */

export const PERSONAS = ["minimalist", "explorer", "dealhunter", "loyalist"] as const;
export type Persona = (typeof PERSONAS)[number];

export function isPersona(value: unknown): value is Persona {
  return typeof value === "string" && (PERSONAS as readonly string[]).includes(value);
}

/** A product as the edge, the generator and the templates see it: the catalog's facts, nothing else. */
export interface Product {
  /** Shopify product GID when synced from the Admin API; the handle for CSV-imported catalogs. */
  id: string;
  handle: string;
  title: string;
  /** Plain text: HTML bodies are reduced to text on import. */
  description: string;
  vendor: string;
  productType: string;
  tags: string[];
  /** Decimal string in the shop's currency, as Shopify writes it ("50.00"). */
  price: string;
  /** Decimal string, or null when the product is not on sale. */
  compareAtPrice: string | null;
  currency: string;
  image: { url: string; alt: string } | null;
  available: boolean;
  /** Numeric variant id as `/cart/add` expects it ("id" form field). */
  firstVariantId: string;
}

export interface CatalogSnapshot {
  store: string;
  /** Content hash of the products: changes exactly when a product fact changes. */
  version: string;
  products: Product[];
}

export type CacheScope = "persona" | "shopper";

export interface BrandColours {
  /** CSS hex colours (#rgb or #rrggbb). */
  primary: string;
  accent: string;
  background: string;
  text: string;
}

export interface ShopSettings {
  store: string;
  /** Display name of the shop. */
  shopName: string;
  /** The shop's own domain, e.g. "demo-apparel.myshopify.com"; absolute links on the direct route. */
  shopDomain: string;
  enabledPersonas: Persona[];
  defaultPersona: Persona;
  brandVoice: string;
  colours: BrandColours;
  scope: CacheScope;
  /** 0..100: share of shoppers kept on the template page as a control. */
  holdoutPercent: number;
  /** Bumped on every save; part of the cache variant. */
  settingsVersion: number;
}

/** A request to generate one persona page for one store (or one shopper when scope is "shopper"). */
export interface GenerationJob {
  /** The cache key the result is written to: `ui/<store>/<persona>/<variant>`. */
  key: string;
  store: string;
  persona: Persona;
  /** Set only when scope is "shopper". */
  shopper?: string;
  variant: string;
  catalogVersion: string;
  settingsVersion: number;
  promptVersion: string;
  /** Epoch milliseconds. */
  enqueuedAt: number;
  attempt: number;
}

export type GenerationSource = "llm" | "template";

export interface GenerationResult {
  html: string;
  source: GenerationSource;
  model: string;
  usage: { promptTokens: number; completionTokens: number };
  durationMs: number;
  warnings: string[];
}

/** Request signals persona detection reads. Only what the request carries; never a network call. */
export interface PersonaSignals {
  /** `?persona=` where the merchant allows overrides (preview, tests). */
  override?: string | null;
  utm?: { source?: string | null; medium?: string | null; campaign?: string | null; term?: string | null; content?: string | null };
  referrer?: string | null;
  visitCount?: number | null;
  /** Product types or collections the shopper has looked at (from the theme extension). */
  categoriesSeen?: string[];
  /** A cached profile of a verified, logged-in customer. */
  customer?: { ordersCount: number; totalSpent: number; tags: string[] } | null;
}

export interface PersonaDecision {
  persona: Persona;
  scores: Record<Persona, number>;
  /** Human-readable reasons, one per signal that counted. */
  reasons: string[];
}
