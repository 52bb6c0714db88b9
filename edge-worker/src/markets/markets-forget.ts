import { marketFactsPrefix, marketsKey, translationsPrefix } from "../../../core/storage-keys.ts";
import { forgetMarketFactsMemo } from "./market-facts-store.ts";
import { forgetMarketsMemo } from "./markets-store.ts";
import { forgetTranslationsMemo } from "./translations-store.ts";

/** Deletes every KV key under a prefix (a few per store: one per market or language). */
async function deletePrefix(cache: KVNamespace, prefix: string): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await cache.list({ prefix, ...(cursor ? { cursor } : {}) });
    await Promise.all(page.keys.map((k) => cache.delete(k.name)));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
}

/** Uninstall / shop/redact: the shop's markets, market prices and translations, stored and in this isolate. */
export async function forgetMarkets(env: Pick<Env, "DB" | "CACHE">, store: string): Promise<void> {
  await env.DB.prepare("DELETE FROM ShopMarkets WHERE store = ?").bind(store).run();
  await Promise.all([env.CACHE.delete(marketsKey(store)), deletePrefix(env.CACHE, marketFactsPrefix(store)), deletePrefix(env.CACHE, translationsPrefix(store))]);
  forgetMarketSnapshots(store);
}

/** Forgets this isolate's copies of a store's markets, prices and translations. */
export function forgetMarketSnapshots(store: string): void {
  forgetMarketsMemo(store);
  forgetMarketFactsMemo(store);
  forgetTranslationsMemo(store);
}
