import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cacheKey } from "../../core/cache-key.ts";
import { productSlot } from "../../core/product-slots.ts";
import { MIN_PAGE_PRODUCTS } from "../../core/selection.ts";
import { latestPageKey, marketsKey, selectionKey } from "../../core/storage-keys.ts";
import { PERSONAS, type CatalogProduct, type Persona, type PersonaSelection } from "../../core/types.ts";
import { LISTED_FROM, changeProducts, eventually, generator, page, sampleProducts, seedStore, uniqueStore } from "../test/helpers.ts";
import { currentVariant, servePersonaPage, type PersonaPageRequest } from "./shopper-page.ts";
import { loadSelection, loadSettings } from "./store-data.ts";

/**
 * Live facts at serve time (docs/decisions/0001-catalog-rows-and-selections.md): a price, stock or
 * deletion reaches the served page without an LLM call; a merchandising change regenerates at most
 * one page per persona; what a hit reads does not grow with the catalog.
 */

/** The card of a product on a page, or null when the page does not show it. */
function card(html: string, handle: string): string | null {
  return new RegExp(`<article class="card" data-wand-product="${handle}">[\\s\\S]*?</article>`).exec(html)?.[0] ?? null;
}

/** Requests a persona page until it is served from a cache layer as the current variant. */
async function untilFresh(store: string, persona: Persona, shopper = "w"): Promise<string> {
  return eventually(async () => {
    const res = await page(`/s/${store}?shopper=${shopper}&persona=${persona}`);
    const html = await res.text();
    return ["memory", "kv", "r2"].includes(res.headers.get("Wand-Cache") ?? "") ? html : undefined;
  });
}

async function selectionOf(store: string, persona: Persona): Promise<PersonaSelection> {
  return (await env.CACHE.get<PersonaSelection>(selectionKey(store, persona), "json"))!;
}

function product(store: string, i: number, change: Partial<CatalogProduct>): CatalogProduct {
  return { ...sampleProducts(store, i + 1)[i]!, ...change };
}

type Counts = { kvReads: string[]; d1Reads: number; r2Reads: number; writes: string[] };

/**
 * The test env with its storage bindings wrapped to count what a request reads and writes, and
 * optionally other vars (SNAPSHOT_TTL_SECONDS: the test project runs with 0, no isolate memo).
 */
function countingEnv(vars: Partial<Record<"SNAPSHOT_TTL_SECONDS", string>> = {}): { env: Env; counts: Counts } {
  const counts: Counts = { kvReads: [], d1Reads: 0, r2Reads: 0, writes: [] };
  const wrap = <T extends object>(target: T, onCall: (method: string, args: unknown[]) => void): T =>
    new Proxy(target, {
      get(t, prop) {
        const value: unknown = Reflect.get(t, prop);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          onCall(String(prop), args);
          return (value as (...a: unknown[]) => unknown).apply(t, args);
        };
      },
    });
  const CACHE = wrap(env.CACHE, (m, args) => {
    if (m === "get" || m === "getWithMetadata") counts.kvReads.push(String(args[0]));
    else if (m === "put" || m === "delete") counts.writes.push(`kv ${m} ${String(args[0])}`);
  });
  const PAGES = wrap(env.PAGES, (m, args) => {
    if (m === "get" || m === "head" || m === "list") counts.r2Reads++;
    else if (m === "put" || m === "delete") counts.writes.push(`r2 ${m} ${String(args[0])}`);
  });
  const DB = wrap(env.DB, (m, args) => {
    if (m !== "prepare") return;
    if (/^\s*(SELECT|WITH)\b/i.test(String(args[0]))) counts.d1Reads++;
    else counts.writes.push(`d1 ${String(args[0]).slice(0, 40)}`);
  });
  return { env: { ...env, ...vars, CACHE, PAGES, DB } as Env, counts };
}

function reset(counts: Counts): void {
  counts.kvReads.length = 0;
  counts.writes.length = 0;
  counts.d1Reads = 0;
  counts.r2Reads = 0;
}

/** One shopper request through the shopper path with the given env; waits for its background work. */
async function serve(e: Env, store: string, persona: Persona): Promise<{ html: string; cache: string | null }> {
  return serveRequest(e, { store, shopperId: "s1", signals: { override: persona }, baseUrl: "", allowOverride: true });
}

async function serveRequest(e: Env, req: PersonaPageRequest): Promise<{ html: string; cache: string | null }> {
  const ctx = createExecutionContext();
  const res = await servePersonaPage(e, ctx, req);
  const html = await res.text();
  await waitOnExecutionContext(ctx);
  return { html, cache: res.headers.get("Wand-Cache") };
}

describe("live facts at serve time", () => {
  it("a price change, a sold-out variant and a deleted product reach the cached page with 0 generator calls", async () => {
    const store = uniqueStore("facts");
    await seedStore(store);
    await page(`/s/${store}?shopper=a&persona=explorer`).then((r) => r.text());
    const before = await untilFresh(store, "explorer");
    expect(before).toContain('data-wand-source="llm"');
    expect(card(before, "item-3")).toContain("$13.00");
    expect(card(before, "item-4")).toMatch(/<form method="post" action="https:\/\/[^"]+\/cart\/add">/);
    expect(card(before, "item-5")).not.toBeNull();
    const calls = (await generator(store).stats()).calls;
    expect(calls).toBe(1);

    await changeProducts(store, {
      upsert: [product(store, 3, { price: "9.50", compareAtPrice: "23.00" }), product(store, 4, { available: false })],
      delete: [`${store}-p5`],
    });

    const res = await page(`/s/${store}?shopper=b&persona=explorer`);
    const after = await res.text();
    // The same cached page (no new variant), with the new facts in its cards.
    expect(["memory", "kv", "r2"]).toContain(res.headers.get("Wand-Cache"));
    expect(after).toContain('data-wand-source="llm"');
    expect(card(after, "item-3")).toContain("$9.50");
    expect(card(after, "item-3")).not.toContain("$13.00");
    const soldOut = card(after, "item-4")!;
    expect(soldOut).toContain("Sold out");
    expect(soldOut).not.toContain("<form");
    expect(soldOut).not.toContain('value="1004"');
    expect(card(after, "item-5")).toBeNull();
    expect(after).not.toContain("/products/item-5");
    // The other cards are untouched.
    expect(card(after, "item-0")).toBe(card(before, "item-0"));
    expect((await generator(store).stats()).calls).toBe(calls);
  });

  it("expands the template of a miss and the holdout page from the live facts too", async () => {
    const store = uniqueStore("facts-tpl");
    await seedStore(store, { settings: { holdoutPercent: 100 } });
    await changeProducts(store, { upsert: [product(store, 6, { price: "7.77" })] });
    const res = await page(`/s/${store}?shopper=a&persona=explorer`);
    const html = await res.text();
    expect(res.headers.get("Wand-Cache")).toBe("holdout");
    expect(card(html, "item-6")).toContain("$7.77");
    await changeProducts(store, { upsert: [product(store, 6, { available: false })] });
    const again = await (await page(`/s/${store}?shopper=a&persona=explorer`)).text();
    expect(card(again, "item-6")).toContain("Sold out");
    expect((await generator(store).stats()).calls).toBe(0);
  });

  it("after the snapshot TTL serves its copy once more while one background read replaces it", async () => {
    const store = uniqueStore("facts-ttl");
    await seedStore(store);
    await page(`/s/${store}?shopper=a&persona=minimalist`).then((r) => r.text());
    await untilFresh(store, "minimalist");
    const { env: ttlEnv, counts } = countingEnv({ SNAPSHOT_TTL_SECONDS: "0.2" });
    expect(card((await serve(ttlEnv, store, "minimalist")).html, "item-0")).toContain("$10.00");

    await changeProducts(store, { upsert: [product(store, 0, { price: "8.25" })] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    reset(counts);
    // Expired: two concurrent requests both get the copy the isolate has, and one read refreshes it.
    const [a, b] = await Promise.all([serve(ttlEnv, store, "minimalist"), serve(ttlEnv, store, "minimalist")]);
    expect(card(a.html, "item-0")).toContain("$10.00");
    expect(card(b.html, "item-0")).toContain("$10.00");
    expect(counts.kvReads.filter((k) => k === selectionKey(store, "minimalist"))).toHaveLength(1);
    const refreshed = await serve(ttlEnv, store, "minimalist");
    expect(card(refreshed.html, "item-0")).toContain("$8.25");
    expect(refreshed.cache).toBe("memory");
    expect((await generator(store).stats()).calls).toBe(1);
  });

  it("a request served again (the direct route's, with its hit plan) shows a changed price after the snapshot TTL too", async () => {
    const store = uniqueStore("facts-plan");
    await seedStore(store);
    await page(`/s/${store}?shopper=a&persona=minimalist`).then((r) => r.text());
    await untilFresh(store, "minimalist");
    const { env: ttlEnv } = countingEnv({ SNAPSHOT_TTL_SECONDS: "0.2" });
    const req: PersonaPageRequest = { store, shopperId: "s1", signals: { override: "minimalist" }, baseUrl: "", allowOverride: true, reused: true };
    expect(card((await serveRequest(ttlEnv, req)).html, "item-0")).toContain("$10.00");
    const again = await serveRequest(ttlEnv, req);
    expect(again.cache).toBe("memory");
    expect(card(again.html, "item-0")).toContain("$10.00");

    await changeProducts(store, { upsert: [product(store, 0, { price: "8.25" })] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await serveRequest(ttlEnv, req); // the expired copy once more, while one read refreshes it
    const refreshed = await serveRequest(ttlEnv, req);
    expect(refreshed.cache).toBe("memory");
    expect(card(refreshed.html, "item-0")).toContain("$8.25");
  });

  it("shows the products of a stale page that left the selection from D1, and drops removed ones", async () => {
    const store = uniqueStore("facts-stale");
    await seedStore(store);
    await generator(store).behave("hold");
    // The minimalist selection is items 0-3; an older page of the persona also showed item-6 and a
    // product that has since been removed from the shop.
    const selection = await loadSelection(env, store, "minimalist", null);
    expect(selection.products.map((p) => p.handle)).not.toContain("item-6");
    const oldKey = cacheKey({ store, persona: "minimalist", scope: "persona", variant: "00000000000000aa" });
    const oldPage = `<!DOCTYPE html><html><body><ul><li>${productSlot("item-0")}</li><li>${productSlot("item-6")}</li><li>${productSlot("gone-product")}</li></ul></body></html>`;
    await env.PAGES.put(latestPageKey(store, "minimalist"), oldPage, {
      customMetadata: { key: oldKey, variant: "00000000000000aa", source: "llm", model: "m", generatedAt: new Date().toISOString() },
    });

    const res = await page(`/s/${store}?shopper=a&persona=minimalist`);
    const html = await res.text();
    expect(res.headers.get("Wand-Cache")).toBe("stale");
    expect(card(html, "item-0")).toContain("$10.00");
    expect(card(html, "item-6")).toContain("$16.00");
    expect(html).not.toContain("gone-product");
    expect(html.match(/<li>/g)).toHaveLength(2);

    await changeProducts(store, { upsert: [product(store, 6, { price: "5.00" })] });
    const again = await (await page(`/s/${store}?shopper=b&persona=minimalist`)).text();
    expect(card(again, "item-6")).toContain("$5.00");
    await generator(store).release();
  });
});

describe("merchandising changes", () => {
  it("a new product and a new title regenerate at most one page per enabled persona", async () => {
    const store = uniqueStore("merch");
    await seedStore(store);
    for (const persona of PERSONAS) {
      await page(`/s/${store}?shopper=a&persona=${persona}`).then((r) => r.text());
      await untilFresh(store, persona);
    }
    const gen = generator(store);
    expect((await gen.stats()).calls).toBe(PERSONAS.length);

    const rounds: { change: () => Promise<void>; check: (p: Persona, html: string) => void }[] = [
      {
        // A new arrival (as products/create would bring it): memberships are recomputed.
        change: () => changeProducts(store, { upsert: [product(store, 8, { title: "Brand new thing", listedAt: LISTED_FROM + 3_600_000 })], reselect: "always" }),
        check: (p, html) => {
          if (p === "loyalist") expect(card(html, "item-8")).toContain("Brand new thing");
        },
      },
      {
        // A selected product renamed (products/update): its facts and merchandising are refreshed.
        change: () => changeProducts(store, { upsert: [product(store, 0, { title: "Renamed classic" })] }),
        check: (_p, html) => {
          if (card(html, "item-0")) expect(card(html, "item-0")).toContain("Renamed classic");
        },
      },
    ];
    for (const round of rounds) {
      const calls = (await gen.stats()).calls;
      const versions = new Map(await Promise.all(PERSONAS.map(async (p) => [p, (await selectionOf(store, p)).merchVersion] as const)));
      await round.change();
      const changed = [];
      for (const p of PERSONAS) if ((await selectionOf(store, p)).merchVersion !== versions.get(p)) changed.push(p);
      expect(changed.length).toBeGreaterThan(0);
      for (const persona of PERSONAS) {
        const html = await untilFresh(store, persona);
        round.check(persona, html);
      }
      await eventually(async () => (await gen.stats()).inProgress === 0);
      // Exactly the personas whose selection's merchandising changed were generated again, once each.
      expect((await gen.stats()).calls - calls).toBe(changed.length);
      expect(changed.length).toBeLessThanOrEqual(PERSONAS.length);
    }
  }, 60_000);

  it(`a page left with fewer than ${MIN_PAGE_PRODUCTS} available products gets a new variant and is regenerated`, async () => {
    const store = uniqueStore("merch-min");
    await seedStore(store);
    await page(`/s/${store}?shopper=a&persona=minimalist`).then((r) => r.text());
    await untilFresh(store, "minimalist");
    const settings = (await loadSettings(env, store, null))!;
    const oldVariant = currentVariant(settings, await loadSelection(env, store, "minimalist", null));
    const shown = (await loadSelection(env, store, "minimalist", null)).products.map((p) => p.handle);
    expect(shown).toEqual(["item-0", "item-1", "item-2", "item-3"]);

    // Two of the four sell out: 2 available < 3, so the selection is chosen again from what is in stock.
    await changeProducts(store, { upsert: [product(store, 0, { available: false }), product(store, 1, { available: false })] });
    const selection = await loadSelection(env, store, "minimalist", null);
    expect(selection.products.filter((p) => p.available).length).toBeGreaterThanOrEqual(MIN_PAGE_PRODUCTS);
    const newVariant = currentVariant(settings, selection);
    expect(newVariant).not.toBe(oldVariant);

    const stale = await page(`/s/${store}?shopper=b&persona=minimalist`);
    await stale.text();
    expect(stale.headers.get("Wand-Cache")).toBe("stale");
    const html = await untilFresh(store, "minimalist");
    expect(html).toContain(`ui/${store}/minimalist/${newVariant}`);
    for (const p of selection.products) expect(card(html, p.handle)).toMatch(/<form /);
    expect((await generator(store).stats()).calls).toBe(2);
  });
});

describe("what a hit costs", () => {
  it("rewrites a page once per facts version: a hit is memory lookups, no HTMLRewriter pass", async () => {
    const store = uniqueStore("hit-passes");
    await seedStore(store);
    await page(`/s/${store}?shopper=a&persona=explorer`).then((r) => r.text());
    await untilFresh(store, "explorer");
    // HTMLRewriter is a global of the runtime: counted here by a subclass in its place.
    const scope = globalThis as unknown as { HTMLRewriter: typeof HTMLRewriter };
    const Original = scope.HTMLRewriter;
    let passes = 0;
    scope.HTMLRewriter = class extends Original {
      constructor() {
        super();
        passes++;
      }
    };
    try {
      await serve(env, store, "explorer");
      passes = 0;
      expect(card((await serve(env, store, "explorer")).html, "item-2")).toContain("$12.00");
      expect(passes).toBe(0);
      await changeProducts(store, { upsert: [product(store, 2, { price: "11.00" })] });
      expect(card((await serve(env, store, "explorer")).html, "item-2")).toContain("$11.00");
      expect(passes).toBe(1);
      await serve(env, store, "explorer");
      expect(passes).toBe(1);
    } finally {
      scope.HTMLRewriter = Original;
    }
  });


  it("reads no more for a store of 5,000 products than for one of 20, and writes nothing", async () => {
    const small = uniqueStore("hit-20");
    const large = uniqueStore("hit-5000");
    await seedStore(small, { products: sampleProducts(small, 20) });
    await seedStore(large, { products: sampleProducts(large, 5000) });
    const perStore = new Map<string, { ttl0: Counts; memo: Counts; requestBytes: number }>();
    for (const store of [small, large]) {
      await page(`/s/${store}?shopper=a&persona=dealhunter`).then((r) => r.text());
      await untilFresh(store, "dealhunter");
      // Without the isolate memo (TTL 0, as in this test project): settings and selection snapshots only.
      const plain = countingEnv();
      await serve(plain.env, store, "dealhunter");
      reset(plain.counts);
      expect((await serve(plain.env, store, "dealhunter")).cache).toBe("memory");
      const ttl0 = structuredClone(plain.counts);
      // With the memo: a hit reads nothing at all.
      const memo = countingEnv({ SNAPSHOT_TTL_SECONDS: "60" });
      await serve(memo.env, store, "dealhunter");
      reset(memo.counts);
      expect((await serve(memo.env, store, "dealhunter")).cache).toBe("memory");
      perStore.set(store, { ttl0, memo: structuredClone(memo.counts), requestBytes: (await generator(store).stats()).maxRequestBytes });
    }
    const a = perStore.get(small)!;
    const b = perStore.get(large)!;
    // (The shop's markets snapshot is one small value whatever the catalog: a shop never synced has its primary market there.)
    expect(a.ttl0).toEqual({ kvReads: [`settings/${small}`, selectionKey(small, "dealhunter"), marketsKey(small)], d1Reads: 0, r2Reads: 0, writes: [] });
    expect(b.ttl0).toEqual({ kvReads: [`settings/${large}`, selectionKey(large, "dealhunter"), marketsKey(large)], d1Reads: 0, r2Reads: 0, writes: [] });
    expect(a.memo).toEqual({ kvReads: [], d1Reads: 0, r2Reads: 0, writes: [] });
    expect(b.memo).toEqual(a.memo);
    // The generator got the bounded selection, not the catalog: the same order of size at 20 and 5,000.
    expect(b.requestBytes).toBeLessThan(200_000);
    expect(b.requestBytes).toBeLessThan(a.requestBytes * 2);
  }, 120_000);
});
