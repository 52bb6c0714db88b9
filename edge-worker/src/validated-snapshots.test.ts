import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { singleMarketShop } from "../../core/locale.ts";
import { marketFactsKey, marketsKey, settingsKey } from "../../core/storage-keys.ts";
import { seedStore, uniqueStore } from "../test/helpers.ts";
import { forgetMarketFactsMemo, readMarketFacts, writeMarketFacts } from "./markets/market-facts-store.ts";
import { forgetMarketsMemo, readShopMarkets, writeShopMarkets } from "./markets/markets-store.ts";
import { readTranslations, writeTranslations } from "./markets/translations-store.ts";
import { forgetSnapshots, readSettings } from "./store-data.ts";
import { ValidatedSnapshots } from "./validated-snapshots.ts";

describe("ValidatedSnapshots", () => {
  it("parses a key's bytes once, parses changed bytes again and never keeps an invalid value", () => {
    const snapshots = new ValidatedSnapshots<{ n: number }>(2);
    let parses = 0;
    const parse = (text: string) => {
      parses++;
      const n = Number(text);
      return Number.isInteger(n) ? { n } : null;
    };
    const first = snapshots.parse("a", "1", parse);
    expect(snapshots.parse("a", "1", parse)).toBe(first);
    expect(parses).toBe(1);
    const changed = snapshots.parse("a", "2", parse);
    expect(changed).toEqual({ n: 2 });
    expect(changed).not.toBe(first);
    // Invalid bytes: null every time, and the key's last valid value is not served for them.
    expect(snapshots.parse("a", "x", parse)).toBeNull();
    expect(snapshots.parse("a", "x", parse)).toBeNull();
    expect(parses).toBe(4);
    expect(snapshots.parse("a", "2", parse)).not.toBe(changed);
  });

  it("holds at most `limit` keys, the oldest dropped first, and forgets keys on request", () => {
    const snapshots = new ValidatedSnapshots<string>(2);
    let parses = 0;
    const parse = (text: string) => (parses++, text);
    snapshots.parse("a", "1", parse);
    snapshots.parse("b", "1", parse);
    snapshots.parse("c", "1", parse); // drops a
    snapshots.parse("b", "1", parse);
    expect(parses).toBe(3);
    snapshots.parse("a", "1", parse);
    expect(parses).toBe(4);
    snapshots.forgetWhere((key) => key === "a");
    snapshots.parse("a", "1", parse);
    expect(parses).toBe(5);
  });
});

describe("snapshot readers keep their object while the stored bytes are unchanged", () => {
  it("settings: the same object for the same KV bytes, a new one for new bytes, D1's for broken bytes", async () => {
    const store = uniqueStore("same-settings");
    await seedStore(store, { settings: { shopName: "Before" } });
    const writes: Promise<unknown>[] = [];
    const fromD1 = await readSettings(env, store, { waitUntil: (p) => void writes.push(p) }); // writes the KV snapshot back
    await Promise.all(writes);
    expect(fromD1?.shopName).toBe("Before");
    const first = await readSettings(env, store, null);
    expect(await readSettings(env, store, null)).toBe(first);

    await env.CACHE.put(settingsKey(store), JSON.stringify({ ...first, shopName: "After" }));
    const changed = await readSettings(env, store, null);
    expect(changed).not.toBe(first);
    expect(changed?.shopName).toBe("After");

    // A store's data cleared (forgetSnapshots): the same bytes are parsed again, into a new object.
    const current = await readSettings(env, store, null);
    forgetSnapshots(store);
    const afterForget = await readSettings(env, store, null);
    expect(afterForget).not.toBe(current);
    expect(afterForget).toEqual(current);

    await env.CACHE.put(settingsKey(store), "{broken");
    expect((await readSettings(env, store, null))?.shopName).toBe("Before");
  });

  it("markets: the same object for the same KV bytes, a new one after a write", async () => {
    const store = uniqueStore("same-markets");
    await writeShopMarkets(env, store, singleMarketShop({ country: "US", language: "en", currency: "USD" }), "seed", 1);
    const first = await readShopMarkets(env, store);
    expect(await readShopMarkets(env, store)).toBe(first);
    await writeShopMarkets(env, store, singleMarketShop({ country: "FR", language: "fr", currency: "EUR" }), "seed", 2);
    const changed = await readShopMarkets(env, store);
    expect(changed).not.toBe(first);
    expect(changed.markets.primary.country).toBe("FR");
    forgetMarketsMemo(store);
    const afterForget = await readShopMarkets(env, store);
    expect(afterForget).not.toBe(changed);
    expect(afterForget).toEqual(changed);
    await env.CACHE.put(marketsKey(store), JSON.stringify({ ...changed, syncedAt: -1 })); // invalid: D1's copy instead
    expect((await readShopMarkets(env, store)).syncedAt).toBe(2);
  });

  it("a market's prices: the same object for the same KV bytes, a new one after a write, none for broken bytes", async () => {
    const store = uniqueStore("same-facts");
    const facts = { store, country: "FR", currency: "EUR", prices: { tee: { variantId: "1", price: "20.00", compareAtPrice: null, currency: "EUR", available: true } }, fetchedAt: 1 };
    await writeMarketFacts(env, facts);
    const first = await readMarketFacts(env, store, "FR");
    expect(first?.prices.tee?.price).toBe("20.00");
    expect(await readMarketFacts(env, store, "FR")).toBe(first);
    await writeMarketFacts(env, { ...facts, prices: { tee: { variantId: "1", price: "25.00", compareAtPrice: null, currency: "EUR", available: true } }, fetchedAt: 2 });
    const changed = await readMarketFacts(env, store, "FR");
    expect(changed).not.toBe(first);
    expect(changed?.prices.tee?.price).toBe("25.00");
    forgetMarketFactsMemo(store);
    expect(await readMarketFacts(env, store, "FR")).not.toBe(changed);
    await env.CACHE.put(marketFactsKey(store, "FR"), "{broken");
    expect(await readMarketFacts(env, store, "FR")).toBeNull();
  });

  it("translations: the same object for the same KV bytes, a new one after a write", async () => {
    const store = uniqueStore("same-translations");
    const translations = { store, language: "fr", products: { tee: { title: "T-shirt", description: "En coton." } }, fetchedAt: 1 };
    await writeTranslations(env, translations);
    const first = await readTranslations(env, store, "fr");
    expect(first?.products.tee?.title).toBe("T-shirt");
    expect(await readTranslations(env, store, "fr")).toBe(first);
    await writeTranslations(env, { ...translations, products: { tee: { title: "Tee-shirt", description: "En coton." } }, fetchedAt: 2 });
    const changed = await readTranslations(env, store, "fr");
    expect(changed).not.toBe(first);
    expect(changed?.products.tee?.title).toBe("Tee-shirt");
  });
});
