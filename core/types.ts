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

/**
 * The two kinds of product data, kept apart (docs/decisions/0001-catalog-rows-and-selections.md):
 * - merchandising: what the LLM writes about; part of a page's cache variant;
 * - live facts: what changes all day (price, stock); expanded into the cards at serve time, never
 *   part of a cache variant, so a price or stock change costs no LLM call.
 */
export const MERCH_FIELDS = ["id", "handle", "title", "description", "vendor", "productType", "tags"] as const;
export const FACT_FIELDS = ["price", "compareAtPrice", "currency", "image", "available", "firstVariantId"] as const;
export type ProductMerch = Pick<Product, (typeof MERCH_FIELDS)[number]>;
export type LiveFacts = Pick<Product, (typeof FACT_FIELDS)[number]>;

/** A product as the catalog store keeps it: the Product plus its listing order and change time. */
export interface CatalogProduct extends Product {
  /** Epoch ms the product was listed (Shopify `createdAt`; CSV row order): larger is newer. */
  listedAt: number;
  /** Epoch ms of the product's last change (Shopify `updatedAt`): an older write never wins. */
  updatedAt: number;
}

/** One section of a persona page: a titled group of selected products, in page order. */
export interface SelectionGroup {
  /** Stable element id of the section ("picks", "deals", "cat-shirts", …). */
  id: string;
  title: string;
  handles: string[];
  /** A short label every card of the group shows ("New"). */
  badge?: string;
}

/**
 * A persona's bounded product selection (core/selection.ts): what its template page shows and what
 * its LLM prompt is about. Its size is bounded whatever the catalog's size.
 */
export interface PersonaSelection {
  store: string;
  persona: Persona;
  /**
   * Hash of the groups, their handles and the merchandising of the selected products as last seen
   * (a deleted product keeps its last hash, so a deletion alone changes nothing). The cache variant
   * hashes this, never prices or stock.
   */
  merchVersion: string;
  /** Hash of the live facts of `products`: the key of every serve-time card memo. */
  factsVersion: string;
  groups: SelectionGroup[];
  /** Merchandising hash per selected handle, as of the last refresh that saw the product. */
  merchHashes: Record<string, string>;
  /** The selected products still in the catalog, with their current merchandising and live facts. */
  products: Product[];
  /** Why these products, one line per group, for the admin and the logs. */
  reasons: string[];
  /** Epoch ms the membership was computed (a facts refresh keeps it). */
  selectedAt: number;
}

/**
 * What a selection is chosen from: short lists in orders core/selection.ts defines, each bounded by
 * CANDIDATE_LIMITS. The D1 catalog store answers them with indexed queries; candidatesFromProducts()
 * computes the same lists in memory (CSV catalogs, tests).
 */
export interface SelectionCandidates {
  /** Categories by product count (desc), then name; each with its first available products (listedAt asc, handle asc). */
  categories: { name: string; count: number; products: CatalogProduct[] }[];
  /** Available products on sale: savings percent desc, savings cents desc, handle asc. */
  deals: CatalogProduct[];
  /** Available products not on sale: price cents asc, handle asc. */
  lowPrices: CatalogProduct[];
  /** Available products: listedAt desc, handle asc. */
  newest: CatalogProduct[];
  /** Available products: listedAt asc, handle asc. */
  oldest: CatalogProduct[];
  /** All products of the store (not deleted). */
  productCount: number;
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
  /**
   * BCP 47 tags of the published languages that get generated pages; [] = every published language
   * (core/locale.ts generatedLanguagesOf). A shopper in another language gets the primary language's page.
   */
  generatedLanguages: string[];
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
  /** PersonaSelection.merchVersion the variant was computed from. */
  merchVersion: string;
  settingsVersion: number;
  promptVersion: string;
  /**
   * The page language (BCP 47, ShopperLocale.pageLanguage): the LLM writes in it and the key carries
   * it. Optional for jobs queued before languages; the generator reads a missing one as DEFAULT_JOB_LANGUAGE.
   */
  language?: string;
  /** Epoch milliseconds. */
  enqueuedAt: number;
  attempt: number;
}

/** The language of a job without one: every page was English before languages. */
export const DEFAULT_JOB_LANGUAGE = "en";

export type GenerationSource = "llm" | "template";

/**
 * Why a generation result is the template instead of an LLM page (null for an LLM page). The pool
 * retries the transient ones (the LLM was unreachable, slow, rate limited or failed) and bounds the
 * retries of an unusable answer; a fallback is never cached as the key's generated page.
 */
export const FALLBACK_REASONS = ["llm_unreachable", "llm_timeout", "llm_rate_limited", "llm_error", "answer_unusable", "template_mode"] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

export interface GenerationResult {
  html: string;
  source: GenerationSource;
  /** Set exactly when `source` is "template". */
  fallback: FallbackReason | null;
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
