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
 */
export const settingsKey = (store: string): string => `settings/${store}`;
export const selectionKey = (store: string, persona: string): string => `selection/${store}/${persona}`;
export const selectionPrefix = (store: string): string => `selection/${store}/`;
export const latestPageKey = (store: string, persona: string): string => `latest/${store}/${persona}`;

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
