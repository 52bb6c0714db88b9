/**
 * Where each piece of state lives in KV and R2. The edge worker, the pool, the admin (through the
 * edge's RPC) and the scripts all address storage through these functions, never by string literals.
 *
 * KV `CACHE`:
 *   settings/<store>          ShopSettings snapshot of the D1 row (no TTL; rewritten on every save)
 *   selection/<store>/<persona>   PersonaSelection snapshot (no TTL; rewritten by the catalog sync
 *                                 when a selected product changes; D1 PersonaSelection is the truth)
 *   ui/<store>/<persona>/<variant>   generated page (TTL 1 h), metadata PageMeta
 * R2 `PAGES`:
 *   ui/<store>/<persona>/<variant>   generated page (permanent), customMetadata PageMeta
 *   latest/<store>/<persona>         the newest generated page of that persona, whatever its variant
 *                                    (serves stale-while-revalidate after a catalog or settings change)
 *   latest/<store>/<persona>/<language>   the same for a page language other than English
 */
export const settingsKey = (store: string): string => `settings/${store}`;
export const selectionKey = (store: string, persona: string): string => `selection/${store}/${persona}`;
export const selectionPrefix = (store: string): string => `selection/${store}/`;
/** `language`: the key language of a page in another language than English (markets/page-locale.ts keyLanguage). */
export const latestPageKey = (store: string, persona: string, language?: string): string =>
  language === undefined ? `latest/${store}/${persona}` : `latest/${store}/${persona}/${language}`;

/*
 * Markets (issue 13), KV `CACHE`, no TTL:
 *   markets/<store>                       ShopMarkets snapshot of D1 ShopMarkets (rewritten by each markets sync)
 *   market-facts/<store>/<country>        MarketFacts of the selections' products in one market, read for the
 *                                         market's representative country (core/market-prices.ts)
 *   translations/<store>/<language>       ProductTranslations of the selections' products (core/product-translations.ts)
 */
export const marketsKey = (store: string): string => `markets/${store}`;
export const marketFactsKey = (store: string, country: string): string => `market-facts/${store}/${country}`;
export const marketFactsPrefix = (store: string): string => `market-facts/${store}/`;
export const translationsKey = (store: string, language: string): string => `translations/${store}/${language}`;
export const translationsPrefix = (store: string): string => `translations/${store}/`;

/** KV TTL of a generated page: one hour (R2 keeps it permanently). */
export const PAGE_KV_TTL_SECONDS = 3600;

/** Metadata stored with every cached page (KV metadata and R2 customMetadata, all strings). */
export interface PageMeta {
  key: string;
  variant: string;
  source: "llm" | "template";
  model: string;
  generatedAt: string;
}
