import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { cacheKey } from "../../core/cache-key.ts";
import { latestPageKey } from "../../core/storage-keys.ts";
import { eventually, generator, page, seedStore, uniqueStore } from "../test/helpers.ts";
import { armOf, EXPOSURE_HEADER, parseExposure, shopperHash } from "../../core/experiment.ts";
import type { PersonaSignals } from "../../core/types.ts";
import { currentVariant, servePersonaPage, type PersonaPageRequest } from "./shopper-page.ts";
import { forgetPages } from "./page-cache.ts";
import { loadSelection, loadSettings, refreshSnapshots } from "./store-data.ts";

async function keyOf(store: string, persona: "minimalist" | "explorer" | "dealhunter" | "loyalist") {
  const settings = (await loadSettings(env, store, null))!;
  const selection = await loadSelection(env, store, persona, null);
  return cacheKey({ store, persona, scope: "persona", variant: currentVariant(settings, selection) });
}

/** Requests until the generated page is served from a cache layer. */
async function untilCached(path: string): Promise<Response> {
  return eventually(async () => {
    const res = await page(path);
    const body = await res.text();
    return res.headers.get("Wand-Cache") !== "miss" ? new Response(body, res) : undefined;
  });
}

describe("GET /s/<store>", () => {
  afterEach(() => vi.useRealTimers());

  it("answers a miss with the template at once, then serves the generated page from cache", async () => {
    const store = uniqueStore("miss");
    await seedStore(store);
    const first = await page(`/s/${store}?shopper=a&persona=explorer`);
    const firstHtml = await first.text();
    expect(first.status).toBe(200);
    expect(first.headers.get("Wand-Cache")).toBe("miss");
    expect(first.headers.get("Wand-Persona")).toBe("explorer");
    expect(first.headers.get("Content-Security-Policy")).toContain("script-src 'none'");
    expect(first.headers.get("Server-Timing")).toMatch(/cache;desc="miss"/);
    expect(firstHtml).toContain('data-wand-source="template"');

    const later = await untilCached(`/s/${store}?shopper=b&persona=explorer`);
    const html = await later.text();
    expect(["memory", "kv", "r2"]).toContain(later.headers.get("Wand-Cache"));
    expect(html).toContain('data-wand-source="llm"');
    expect((await generator(store).stats()).answered).toBe(1);
  });

  it("serves from memory, then KV, then R2 (backfilling KV) as layers are emptied", async () => {
    const store = uniqueStore("layers");
    await seedStore(store);
    await page(`/s/${store}?shopper=a&persona=minimalist`).then((r) => r.text());
    const key = await keyOf(store, "minimalist");
    await eventually(async () => (await env.CACHE.get(key)) !== null);

    const hit = await page(`/s/${store}?shopper=a&persona=minimalist`);
    await hit.text();
    expect(["memory", "kv"]).toContain(hit.headers.get("Wand-Cache"));
    const again = await page(`/s/${store}?shopper=c&persona=minimalist`);
    await again.text();
    expect(again.headers.get("Wand-Cache")).toBe("memory");

    // A page only in R2 (KV expired): served from R2, and KV is written back.
    const other = uniqueStore("r2only");
    await seedStore(other);
    const otherKey = await keyOf(other, "dealhunter");
    const meta = { key: otherKey, variant: otherKey.split("/")[3]!, source: "llm", model: "m", generatedAt: new Date().toISOString() };
    await env.PAGES.put(otherKey, "<!DOCTYPE html><html><body><p>from r2</p></body></html>", { customMetadata: meta });
    const fromR2 = await page(`/s/${other}?shopper=z&persona=dealhunter`);
    expect(await fromR2.text()).toContain("from r2");
    expect(fromR2.headers.get("Wand-Cache")).toBe("r2");
    await eventually(async () => (await env.CACHE.get(otherKey)) === "<!DOCTYPE html><html><body><p>from r2</p></body></html>");
    expect((await generator(other).stats()).calls).toBe(0);
  });

  it("serves an older variant stale and regenerates the current one", async () => {
    const store = uniqueStore("stale");
    await seedStore(store);
    await page(`/s/${store}?shopper=a&persona=loyalist`).then((r) => r.text());
    await untilCached(`/s/${store}?shopper=a&persona=loyalist`);
    const oldKey = await keyOf(store, "loyalist");

    // The merchant saves settings: the version goes up, the KV snapshot is rewritten from D1.
    await env.DB.prepare("UPDATE ShopSettings SET settingsVersion = 2, brandVoice = 'bold' WHERE store = ?").bind(store).run();
    await env.CACHE.delete(`settings/${store}`);
    const newKey = await keyOf(store, "loyalist");
    expect(newKey).not.toBe(oldKey);

    const stale = await page(`/s/${store}?shopper=b&persona=loyalist`);
    expect(await stale.text()).toContain('data-wand-source="llm"');
    expect(stale.headers.get("Wand-Cache")).toBe("stale");
    await eventually(async () => (await env.PAGES.head(newKey)) !== null);
    const latest = await env.PAGES.head(latestPageKey(store, "loyalist"));
    expect(latest?.customMetadata?.key).toBe(newKey);
    expect((await generator(store).stats()).answered).toBe(2);
  });

  it("answers 404 for an unknown or uninstalled store, and enqueues and caches nothing", async () => {
    const unknown = uniqueStore("nobody");
    const res = await page(`/s/${unknown}?shopper=a`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "not_found" });

    const gone = uniqueStore("gone");
    await seedStore(gone, { installed: false });
    const res2 = await page(`/s/${gone}?shopper=a`);
    expect(res2.status).toBe(404);
    await res2.text();
    expect((await env.CACHE.list({ prefix: `ui/${gone}/` })).keys).toHaveLength(0);
    expect((await env.CACHE.get(`settings/${gone}`))).toBeNull();
    expect((await generator(gone).stats()).calls).toBe(0);
  });

  it("gives 1,000 distinct shoppers of one persona exactly one generation", async () => {
    const store = uniqueStore("thousand");
    await seedStore(store);
    const caches = new Map<string, number>();
    for (let batch = 0; batch < 20; batch++) {
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => page(`/s/${store}?shopper=shopper-${batch * 50 + i}&persona=dealhunter`)),
      );
      for (const r of responses) {
        expect(r.status).toBe(200);
        expect(r.headers.get("Wand-Persona")).toBe("dealhunter");
        await r.text();
        const c = r.headers.get("Wand-Cache")!;
        caches.set(c, (caches.get(c) ?? 0) + 1);
      }
    }
    await untilCached(`/s/${store}?shopper=last&persona=dealhunter`);
    const stats = await generator(store).stats();
    expect(stats.calls).toBe(1);
    expect([...caches.values()].reduce((a, b) => a + b, 0)).toBe(1000);
    // 1,000 requests through workerd on a shared 2-core machine: the runner's default 5 s is too short.
  }, 120_000);

  it("does not wait for a slow generator on a miss", async () => {
    const store = uniqueStore("slow");
    await seedStore(store);
    const gen = generator(store);
    await gen.behave("hold");
    const res = await page(`/s/${store}?shopper=a&persona=explorer`);
    expect(res.headers.get("Wand-Cache")).toBe("miss");
    expect(await res.text()).toContain('data-wand-source="template"');
    // The generator has the job and has not answered, yet the shopper already has a page.
    await eventually(async () => (await gen.stats()).inProgress > 0);
    expect((await gen.stats()).answered).toBe(0);
    await gen.release();
    const cached = await untilCached(`/s/${store}?shopper=b&persona=explorer`);
    expect(await cached.text()).toContain('data-wand-source="llm"');
  });

  it("keeps the holdout share of shoppers on the template page, marked, without generating", async () => {
    const store = uniqueStore("holdout");
    await seedStore(store, { settings: { holdoutPercent: 100 } });
    const res = await page(`/s/${store}?shopper=a&persona=explorer`);
    expect(res.headers.get("Wand-Cache")).toBe("holdout");
    expect(await res.text()).toContain('data-wand-source="template"');
    const half = uniqueStore("holdout50");
    await seedStore(half, { settings: { holdoutPercent: 50 } });
    const outcomes: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await page(`/s/${half}?shopper=s${i}&persona=explorer`);
      await r.text();
      outcomes.push(r.headers.get("Wand-Cache")!);
      // Stable per shopper.
      const again = await page(`/s/${half}?shopper=s${i}&persona=explorer`);
      await again.text();
      expect(again.headers.get("Wand-Cache") === "holdout").toBe(outcomes[i] === "holdout");
    }
    const held = outcomes.filter((o) => o === "holdout").length;
    expect(held).toBeGreaterThan(5);
    expect(held).toBeLessThan(35);
    expect((await generator(store).stats()).calls).toBe(0);
  });

  it("fills the per-shopper slots and makes links absolute on the direct route", async () => {
    const store = uniqueStore("touch");
    await seedStore(store);
    const res = await page(`/s/${store}?shopper=a&persona=explorer&visits=4&seen=Shoes`);
    const html = await res.text();
    expect(html).toMatch(/<div data-wand-slot="greeting"><p class="wand-greeting">Welcome back to Shop t-touch/);
    expect(html).toContain(`<a href="https://${store}.myshopify.com/products/item-1">Item 1</a>`);
    expect(html).toContain("visit number 4");
    expect(html).not.toMatch(/(href|action)="\/(?!\/)/);
    expect(html).toContain(`action="https://${store}.myshopify.com/cart/add"`);
  });

  it("sets the shopper and visit cookies and reads them back", async () => {
    const store = uniqueStore("cookie");
    await seedStore(store);
    const first = await page(`/s/${store}`);
    await first.text();
    const cookies = first.headers.getSetCookie();
    const shopper = cookies.find((c) => c.startsWith("wand_shopper="))!;
    expect(shopper).toMatch(/HttpOnly/);
    expect(cookies.some((c) => c.startsWith("wand_visits=1;"))).toBe(true);
    const jar = cookies.map((c) => c.split(";")[0]).join("; ").replace("wand_session=1", "");
    const second = await page(`/s/${store}`, { headers: { Cookie: jar } });
    await second.text();
    expect(second.headers.getSetCookie().some((c) => c.startsWith("wand_visits=2;"))).toBe(true);
  });

  it("shows a shopper's later views a purge, an expiry and a settings change at once, plan or not", async () => {
    // Plans need memos with a TTL (the test project runs with 0).
    const ttlEnv = { ...env, SNAPSHOT_TTL_SECONDS: "60" } as Env;
    const store = uniqueStore("plan-valid");
    await seedStore(store);
    const req: PersonaPageRequest = { store, shopperId: "planned", signals: { override: "explorer" }, baseUrl: "", allowOverride: true, reused: true };
    const serve = async () => {
      const ctx = createExecutionContext();
      const res = await servePersonaPage(ttlEnv, ctx, req);
      const body = await res.text();
      await waitOnExecutionContext(ctx);
      return { cache: res.headers.get("Wand-Cache"), body };
    };
    await serve();
    await eventually(async () => (await serve()).cache === "memory");
    const hit = await serve();
    expect(hit.cache).toBe("memory");
    // A purge of this isolate's page copy: the next view reads KV, as a view without a plan would.
    forgetPages(await keyOf(store, "explorer"), store);
    expect((await serve()).cache).toBe("kv");
    expect((await serve()).cache).toBe("memory");
    // Past the memory copy's lifetime (60 s), whatever the plan: the page is read from KV again.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61_000);
    const later = await serve();
    expect(later.cache).toBe("kv");
    expect(later.body).toBe(hit.body);
    vi.useRealTimers();
    expect((await serve()).cache).toBe("memory");
    // The merchant moves every shopper to the holdout: the settings refresh reaches the next view.
    await seedStore(store, { settings: { holdoutPercent: 100 } });
    await refreshSnapshots(ttlEnv, store);
    expect((await serve()).cache).toBe("holdout");
  });

  it("starts a new shopper's plan from another shopper's of the same signals and arm: their own exposure, never a page keyed by shopper", async () => {
    // The direct route's requests of one URL shape share their signals object; its memos need a TTL
    // (the test project runs with 0), so the requests are served here with one.
    const ttlEnv = { ...env, SNAPSHOT_TTL_SECONDS: "60" } as Env;
    const serve = async (req: PersonaPageRequest) => {
      const ctx = createExecutionContext();
      const res = await servePersonaPage(ttlEnv, ctx, req);
      await res.text();
      await waitOnExecutionContext(ctx);
      return { cache: res.headers.get("Wand-Cache"), exposure: parseExposure(res.headers.get(EXPOSURE_HEADER)), cookies: res.headers.getSetCookie() };
    };
    for (const scope of ["persona", "shopper"] as const) {
      const store = uniqueStore(`seed-${scope}`);
      await seedStore(store, { settings: { scope, holdoutPercent: 50 } });
      // Shoppers of each arm by the one holdout rule: a and c in wand, b in the holdout.
      const ids = Array.from({ length: 60 }, (_, i) => `seed-${i}`);
      const [a, c] = ids.filter((id) => armOf(store, id, 50) === "wand");
      const b = ids.find((id) => armOf(store, id, 50) === "holdout")!;
      const signals: PersonaSignals = { override: "explorer" };
      // Each with its own new-shopper cookie, as the direct route's requests of a URL shape have.
      const cookieOf = (shopperId: string) => `wand_shopper=${shopperId}; Path=/s/`;
      const request = (shopperId: string): PersonaPageRequest => ({ store, shopperId, signals, baseUrl: "", allowOverride: true, reused: true, shopperCookie: cookieOf(shopperId) });
      const ra = request(a!);
      // a's page generated and in memory, then served until a memory hit has made a's plan.
      await serve(ra);
      await eventually(async () => (await serve(ra)).cache === "memory");
      // Repeat views of a's plan: a's own cookie and exposure, once each.
      for (let i = 0; i < 3; i++) {
        const again = await serve(ra);
        expect(again.cookies).toEqual([cookieOf(a!)]);
        expect(again.exposure).toEqual({ arm: "wand", persona: "explorer", shopper: shopperHash(store, a!) });
      }
      const rb = request(b);
      const holdout = await serve(rb);
      expect(holdout.cache).toBe("holdout");
      expect(holdout.exposure).toEqual({ arm: "holdout", persona: "explorer", shopper: shopperHash(store, b) });
      expect(holdout.cookies).toEqual([cookieOf(b)]);
      expect((await serve(rb)).cookies).toEqual([cookieOf(b)]);
      const wand = await serve(request(c!));
      // c's own cookie, never a's (whose plan c's may start from).
      expect(wand.cookies).toEqual([cookieOf(c!)]);
      if (scope === "persona") {
        // The persona's page, from a's plan, declared as c's.
        expect(wand.cache).toBe("memory");
        expect(wand.exposure).toEqual({ arm: "wand", persona: "explorer", shopper: shopperHash(store, c!) });
      } else {
        // c's own page is not there yet: the persona's latest, marked stale, never a's as a hit.
        expect(wand.cache).toBe("stale");
      }
      const last = await serve(ra);
      expect(last.exposure).toEqual({ arm: "wand", persona: "explorer", shopper: shopperHash(store, a!) });
      expect(last.cookies).toEqual([cookieOf(a!)]);
      // A copy of a's request made with a spread (c's id and cookie) is a request of its own: the
      // plan a's request keeps does not come with it, so c is never answered with a's cookie.
      const copy = await serve({ ...ra, shopperId: c!, shopperCookie: cookieOf(c!) });
      expect(copy.cookies).toEqual([cookieOf(c!)]);
      expect(copy.exposure).toEqual({ arm: "wand", persona: "explorer", shopper: shopperHash(store, c!) });
    }
  });
});
