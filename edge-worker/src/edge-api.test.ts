import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cacheKey } from "../../core/cache-key.ts";
import { PERSONAS, type PersonaSelection } from "../../core/types.ts";
import { eventually, generator, page, seedStore, uniqueStore } from "../test/helpers.ts";
import { EdgeApi } from "./edge-api.ts";

const api = () => new EdgeApi(createExecutionContext(), env);

/** Requests a persona page until it comes from cache; returns how many requests that took. */
async function warm(store: string, persona: string): Promise<number> {
  let requests = 0;
  await eventually(async () => {
    const r = await page(`/s/${store}?shopper=w&persona=${persona}`);
    requests++;
    await r.text();
    return r.headers.get("Wand-Cache") !== "miss";
  });
  return requests;
}

describe("EdgeApi (the admin's RPC surface)", () => {
  it("reports cache state and stats per persona", async () => {
    const store = uniqueStore("api-stats");
    await seedStore(store, { settings: { holdoutPercent: 0 } });
    expect((await api().cacheState(store)).every((s) => s.state === "missing")).toBe(true);
    const requests = await warm(store, "explorer");
    const state = await api().cacheState(store);
    expect(state.find((s) => s.persona === "explorer")).toMatchObject({ state: "fresh", source: "llm", enabled: true, queued: false });
    expect(state.find((s) => s.persona === "minimalist")).toMatchObject({ state: "missing" });

    const stats = await eventually(async () => {
      const all = await api().stats(store);
      const explorer = all.find((s) => s.persona === "explorer")!;
      return explorer.jobsDone === 1 && explorer.hits >= 1 ? explorer : undefined;
    });
    expect(stats.hits).toBe(1);
    expect(stats.misses).toBe(requests - 1);
    expect(stats).toMatchObject({ jobsQueued: 1, jobsDone: 1, jobsFailed: 0, promptTokens: 100, completionTokens: 50 });
    expect(stats.medianLatencyMs).not.toBeNull();
    expect(stats.recentLatenciesMs).toHaveLength(1);
  });

  it("previews a persona with the detection explanation, and regenerates on demand", async () => {
    const store = uniqueStore("api-preview");
    await seedStore(store);
    const first = await api().preview(store, "dealhunter", { utm: { medium: "affiliate" } });
    expect(first.cache).toBe("miss");
    expect(first.html).toContain('data-wand-source="template"');
    // As a shopper sees it: cards from the live facts, no unexpanded product slot.
    expect(first.html).toContain('<article class="card" data-wand-product="');
    expect(first.html).not.toContain("<wand-product ");
    expect(first.decision.persona).toBe("dealhunter");
    expect(first.decision.reasons.join(" ")).toMatch(/affiliate/);
    const cached = await eventually(async () => {
      const p = await api().preview(store, "dealhunter");
      return p.cache !== "miss" ? p : undefined;
    });
    expect(cached.html).toContain('data-wand-source="llm"');
    expect(cached.html).toContain('<article class="card" data-wand-product="');
    expect(cached.html).not.toContain("<wand-product ");

    expect(await api().regenerate(store, "dealhunter")).toMatchObject({ status: "queued" });
    await eventually(async () => (await generator(store).stats()).answered === 2);
  });

  it("purges a persona's pages and forgets a whole store", async () => {
    const store = uniqueStore("api-purge");
    await seedStore(store);
    await warm(store, "loyalist");
    await warm(store, "minimalist");
    expect(await api().purge(store, "loyalist")).toBe(1);
    expect((await env.PAGES.list({ prefix: `ui/${store}/loyalist/` })).objects).toHaveLength(0);
    expect(await env.PAGES.head(`latest/${store}/loyalist`)).toBeNull();
    expect((await env.PAGES.list({ prefix: `ui/${store}/minimalist/` })).objects).toHaveLength(1);

    await api().forgetStore(store);
    expect((await env.PAGES.list({ prefix: `ui/${store}/` })).objects).toHaveLength(0);
    expect((await env.CACHE.list({ prefix: `ui/${store}/` })).keys).toHaveLength(0);
    expect(await env.CACHE.get(`settings/${store}`)).toBeNull();
    expect((await env.CACHE.list({ prefix: `selection/${store}/` })).keys).toHaveLength(0);
    expect(await env.DB.prepare("SELECT * FROM PersonaSelection WHERE store = ?").bind(store).first()).toBeNull();
    expect(await env.DB.prepare("SELECT * FROM Product WHERE store = ?").bind(store).first()).toBeNull();
    expect((await api().stats(store)).every((s) => s.hits === 0)).toBe(true);
  });

  it("forgets one shopper's pages and profile", async () => {
    const store = uniqueStore("api-shopper");
    await seedStore(store, { settings: { scope: "shopper" } });
    await warm(store, "explorer");
    const key = (await env.PAGES.list({ prefix: `ui/${store}/explorer/s-` })).objects[0]!.key;
    expect(key).toBe(cacheKey({ store, persona: "explorer", scope: "shopper", shopper: "w", variant: key.split("-").at(-1)! }));
    await env.DB.prepare("INSERT INTO CustomerProfile (store, customerId, ordersCount) VALUES (?, 'w', 3)").bind(store).run();
    await api().forgetShopper(store, "w");
    expect(await env.PAGES.head(key)).toBeNull();
    expect(await env.DB.prepare("SELECT * FROM CustomerProfile WHERE store = ?").bind(store).first()).toBeNull();
  });

  it("refreshes the KV snapshots from D1 and refuses unknown stores", async () => {
    const store = uniqueStore("api-refresh");
    await seedStore(store, { settings: { settingsVersion: 4 } });
    const result = await api().refreshSnapshot(store);
    expect(result).toEqual({ settingsVersion: 4, productCount: 8 });
    expect(await env.CACHE.get(`settings/${store}`, "json")).toMatchObject({ store, settingsVersion: 4 });
    // Every persona's selection snapshot, bounded and with the products' live facts; no catalog snapshot.
    for (const persona of PERSONAS) {
      const snapshot = await env.CACHE.get<PersonaSelection>(`selection/${store}/${persona}`, "json");
      expect(snapshot).toMatchObject({ store, persona });
      expect(snapshot!.products.length).toBeGreaterThan(0);
      expect(snapshot!.products.every((p) => /^\d+\.00$/.test(p.price))).toBe(true);
    }
    expect(await env.CACHE.get(`catalog/${store}`)).toBeNull();
    await expect(api().refreshSnapshot(uniqueStore("api-none"))).rejects.toThrow(/unknown or not installed/);
    await expect(api().stats("Not A Store")).rejects.toThrow(/invalid store id/);
  });
});
