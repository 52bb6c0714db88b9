import { marketFactsPrefix, marketsKey, translationsPrefix } from "../../../core/storage-keys.ts";
import { deleteKvPrefix } from "../kv-prefix.ts";
import { forgetMarketFactsMemo } from "./market-facts-store.ts";
import { forgetMarketsMemo } from "./markets-store.ts";
import { forgetTranslationsMemo } from "./translations-store.ts";

/** Uninstall / shop/redact: the shop's markets, market prices and translations, stored and in this isolate. */
export async function forgetMarkets(env: Pick<Env, "DB" | "CACHE">, store: string): Promise<void> {
  await env.DB.prepare("DELETE FROM ShopMarkets WHERE store = ?").bind(store).run();
  await Promise.all([env.CACHE.delete(marketsKey(store)), deleteKvPrefix(env.CACHE, marketFactsPrefix(store)), deleteKvPrefix(env.CACHE, translationsPrefix(store))]);
  forgetMarketSnapshots(store);
}

/** Forgets this isolate's copies of a store's markets, prices and translations. */
export function forgetMarketSnapshots(store: string): void {
  forgetMarketsMemo(store);
  forgetMarketFactsMemo(store);
  forgetTranslationsMemo(store);
}
