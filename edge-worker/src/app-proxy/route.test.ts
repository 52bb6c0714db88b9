import { SELF, createExecutionContext, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { cacheKey } from "../../../core/cache-key.ts";
import { armOf, EXPOSURE_HEADER, exposureDay, shopperHash } from "../../../core/experiment.ts";
import type { CatalogProduct } from "../../../core/types.ts";
import { EdgeApi } from "../edge-api.ts";
import { readExperimentCounts } from "../experiment/stats-read.ts";
import { allPoolMembers } from "../pool-routing.ts";
import { currentVariant } from "../shopper-page.ts";
import { upsertProducts } from "../catalog/product-rows.ts";
import { loadSelection, loadSettings } from "../store-data.ts";
import { writeCustomerProfile } from "./customer-profile.ts";
import { signProxyQuery } from "./verify.ts";

// Storage is shared between test files: this file's stores have names no other file uses.
const SECRET = "wand-test-proxy-secret"; // the edge project's SHOPIFY_API_SECRET binding
const STORE = "proxy-route-shop";
const SHOP = `${STORE}.myshopify.com`;
const CACHED_STORE = "proxy-cached-shop";
const GONE_STORE = "proxy-gone-shop";

function product(handle: string, productType: string, variant: string, sale = false): CatalogProduct {
  return {
    id: handle,
    handle,
    title: `The ${handle.replace(/-/g, " ")}`,
    description: `A ${productType.toLowerCase()} for testing.`,
    vendor: "Wand Test",
    productType,
    tags: [],
    price: "40.00",
    compareAtPrice: sale ? "60.00" : null,
    currency: "USD",
    image: null,
    available: true,
    firstVariantId: variant,
    listedAt: Number(variant),
    updatedAt: 0,
  };
}
const PRODUCTS = [
  product("linen-shirt", "Shirts", "4100000001"),
  product("wool-hat", "Hats", "4100000002", true),
  product("canvas-bag", "Bags", "4100000003"),
  product("rain-jacket", "Jackets", "4100000004", true),
];

async function seedStore(store: string, o: { installed?: boolean } = {}): Promise<void> {
  await env.DB.prepare("INSERT OR REPLACE INTO ShopSettings (store, shopDomain, shopName, installed) VALUES (?, ?, ?, ?)")
    .bind(store, `${store}.myshopify.com`, `Shop ${store}`, o.installed === false ? 0 : 1)
    .run();
  await upsertProducts(env.DB, store, PRODUCTS);
}

/** A request as Shopify's proxy forwards it: our parameters, then shop/path_prefix/timestamp, signed. */
async function signed(params: Record<string, string>, o: { shop?: string; customer?: string; timestamp?: number; path?: string } = {}): Promise<string> {
  const query = new URLSearchParams(params);
  query.set("shop", o.shop ?? SHOP);
  query.set("logged_in_customer_id", o.customer ?? "");
  query.set("path_prefix", "/apps/wand");
  query.set("timestamp", String(o.timestamp ?? Math.floor(Date.now() / 1000)));
  query.set("signature", await signProxyQuery(query, SECRET));
  return `https://edge.test${o.path ?? "/proxy"}?${query}`;
}

async function nothingStoredFor(store: string): Promise<void> {
  expect((await env.CACHE.list({ prefix: `ui/${store}/` })).keys).toEqual([]);
  expect((await env.PAGES.list({ prefix: `ui/${store}/` })).objects).toEqual([]);
  const pending = (await Promise.all(allPoolMembers(env).map((m) => m.pending(store)))).flat();
  expect(pending).toEqual([]);
}

beforeAll(async () => {
  await seedStore(STORE);
  await seedStore(CACHED_STORE);
  await seedStore(GONE_STORE, { installed: false });
});

describe("GET /proxy: refusals", () => {
  it("401 for unsigned, tampered, stale and duplicated-parameter requests, and nothing is cached or enqueued", async () => {
    const good = new URL(await signed({ wand_sid: "shopper-0001" }));
    const tampered = new URL(good);
    tampered.searchParams.set("wand_utm_campaign", "black-friday");
    const unsigned = new URL(good);
    unsigned.searchParams.delete("signature");
    const duplicated = new URL(good);
    duplicated.searchParams.append("shop", SHOP);
    const stale = await signed({ wand_sid: "shopper-0001" }, { timestamp: Math.floor(Date.now() / 1000) - 300 });
    const wrongSecret = new URL(good);
    const bare = new URLSearchParams(wrongSecret.search);
    bare.delete("signature");
    wrongSecret.searchParams.set("signature", await signProxyQuery(bare, "someone-elses-secret"));

    for (const url of [unsigned, tampered, duplicated, stale, wrongSecret, "https://edge.test/proxy"]) {
      const response = await SELF.fetch(url);
      expect(response.status, String(url)).toBe(401);
      expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
      expect(((await response.json()) as { error: string }).error).toBe("unauthorized");
    }
    await nothingStoredFor(STORE);
  });

  it("404 for a validly signed shop that never installed, or uninstalled, WandStore", async () => {
    for (const shop of ["never-installed.myshopify.com", `${GONE_STORE}.myshopify.com`]) {
      const response = await SELF.fetch(await signed({}, { shop }));
      expect(response.status, shop).toBe(404);
      await response.body?.cancel();
    }
    await nothingStoredFor(GONE_STORE);
  });

  it("405 for other methods, 414 for absurd query strings", async () => {
    const post = await SELF.fetch(await signed({}), { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    await post.body?.cancel();
    const long = await SELF.fetch(await signed({ wand_cats: "x".repeat(5000) }));
    expect(long.status).toBe(414);
    await long.body?.cancel();
  });
});

describe("GET /proxy: the persona page on the shop's origin", () => {
  it("200 text/html (never application/liquid) with relative product links and add-to-cart forms", async () => {
    const response = await SELF.fetch(await signed({ wand_sid: "shopper-0002", wand_utm_campaign: "black-friday", wand_utm_medium: "affiliate" }, { path: "/proxy/" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("Wand-Persona")).toBe("dealhunter");
    expect(response.headers.get("Content-Security-Policy")).toContain("script-src 'none'");
    const html = await response.text();
    expect(html).toContain('<base target="_top">');
    expect(html).toMatch(/href="\/products\/wool-hat"/);
    // On the shop's origin nothing needs an absolute URL: every link and form stays relative.
    expect(html).not.toMatch(/(href|action)="https?:\/\//i);
    const form = /<form[^>]*action="\/cart\/add"[^>]*>[\s\S]*?<\/form>/.exec(html)?.[0] ?? "";
    expect(form).toMatch(/method="post"/i);
    expect(form).toMatch(/name="id" value="41000000\d\d"/);
    expect(form).toMatch(/name="properties\[_wand_persona\]" value="dealhunter"/);
  });

  it("detects the persona from the extension's parameters", async () => {
    const persona = async (params: Record<string, string>) => {
      const response = await SELF.fetch(await signed(params));
      await response.body?.cancel();
      return response.headers.get("Wand-Persona");
    };
    expect(await persona({ wand_utm_source: "newsletter", wand_utm_medium: "email", wand_visits: "6" })).toBe("loyalist");
    expect(await persona({ wand_ref: "https://www.pinterest.com", wand_cats: "Shirts,Hats,Bags" })).toBe("explorer");
    expect(await persona({ wand_ref: "https://www.google.com", wand_utm_medium: "cpc", wand_visits: "2", wand_cats: "Shirts" })).toBe("minimalist");
    // A persona parameter is not an override through the proxy.
    expect(await persona({ persona: "dealhunter", wand_persona: "dealhunter" })).toBe("explorer");
  });

  it("two signed requests of one shopper share a cache key: signature and timestamp never enter it", async () => {
    const settings = await loadSettings(env, CACHED_STORE, null);
    const selection = await loadSelection(env, CACHED_STORE, "explorer", null);
    if (!settings) throw new Error("seed failed");
    const key = cacheKey({ store: CACHED_STORE, persona: "explorer", scope: "persona", variant: currentVariant(settings, selection) });
    const marker = "<!doctype html><html><head><title>cached</title></head><body><main>cached explorer page</main></body></html>";
    await env.CACHE.put(key, marker, { metadata: { key, variant: key.split("/")[3]!, source: "llm", model: "test", generatedAt: new Date().toISOString() } });

    const now = Math.floor(Date.now() / 1000);
    const first = await SELF.fetch(await signed({ wand_sid: "shopper-0003" }, { shop: `${CACHED_STORE}.myshopify.com`, timestamp: now - 30 }));
    const second = await SELF.fetch(await signed({ wand_sid: "shopper-0003", wand_visits: "1" }, { shop: `${CACHED_STORE}.myshopify.com`, timestamp: now }));
    for (const response of [first, second]) {
      expect(response.status).toBe(200);
      expect(["kv", "memory"]).toContain(response.headers.get("Wand-Cache"));
      expect(await response.text()).toContain("cached explorer page");
    }
  });

  it("a verified customer's cached profile feeds detection", async () => {
    await writeCustomerProfile(env.DB, STORE, "5550001", { ordersCount: 6, totalSpent: 820, tags: ["VIP"] });
    const response = await SELF.fetch(await signed({ wand_sid: "shopper-0004" }, { customer: "5550001" }));
    expect(response.headers.get("Wand-Persona")).toBe("loyalist");
    expect(await response.text()).toContain("6 orders");
  });

  it("HEAD answers the headers without a body", async () => {
    const response = await SELF.fetch(await signed({}), { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(await response.text()).toBe("");
  });
});

describe("GET /proxy: counted for the admin's setup guide", () => {
  it("a served request counts as a shopper through the proxy; a refused one does not", async () => {
    const store = "proxy-count-shop";
    const shop = `${store}.myshopify.com`;
    await seedStore(store);
    const edge = new EdgeApi(createExecutionContext(), env);
    expect(await edge.setupState(store)).toEqual({ proxyRequests: 0, firstProxyRequestAt: null });

    const unsigned = new URL(await signed({ wand_sid: "shopper-0001" }, { shop }));
    unsigned.searchParams.delete("signature");
    const refused = await SELF.fetch(unsigned);
    expect(refused.status).toBe(401);
    await refused.body?.cancel();
    expect((await edge.setupState(store)).proxyRequests).toBe(0);

    for (const sid of ["shopper-0001", "shopper-0002"]) {
      const served = await SELF.fetch(await signed({ wand_sid: sid }, { shop }));
      expect(served.status).toBe(200);
      await served.body?.cancel();
    }
    const state = await edge.setupState(store);
    expect(state.proxyRequests).toBe(2);
    expect(Date.parse(state.firstProxyRequestAt ?? "")).toBeGreaterThan(0);

    await edge.forgetStore(store);
    expect(await edge.setupState(store)).toEqual({ proxyRequests: 0, firstProxyRequestAt: null });
  });

  it("counts a shopper with an id in the experiment, never the shared anonymous visitor", async () => {
    const store = "proxy-experiment-shop";
    const shop = `${store}.myshopify.com`;
    await seedStore(store);
    await env.DB.prepare("UPDATE ShopSettings SET holdoutPercent = 100 WHERE store = ?").bind(store).run();
    const today = exposureDay(Date.now());
    const count = async () => {
      const c = await readExperimentCounts(env, store, exposureDay(Date.now() - 86_400_000), exposureDay(Date.now() + 86_400_000));
      return c.exposures.reduce((n, e) => n + e.visitors, 0);
    };

    const anonymous = await SELF.fetch(await signed({}, { shop }));
    expect(anonymous.status).toBe(200);
    const anonymousHtml = await anonymous.text();
    expect(anonymous.headers.get("Wand-Cache")).toBe("holdout");
    expect(anonymousHtml).not.toContain("wand-experiment");
    expect(anonymousHtml).not.toContain("_wand_arm");
    expect(anonymous.headers.get(EXPOSURE_HEADER)).toBeNull();

    const known = await SELF.fetch(await signed({ wand_sid: "shopper-exp-1" }, { shop }));
    const html = await known.text();
    expect(html).toContain(`<meta name="wand-experiment" content="arm=holdout&amp;persona=${known.headers.get("Wand-Persona")}&amp;shopper=${shopperHash(store, "shopper-exp-1")}">`);
    expect(html).toMatch(/name="properties\[_wand_persona\]" value="[a-z]+"><input type="hidden" name="properties\[_wand_arm\]" value="holdout">/);
    // Once, first in <head> (before the frame's <base>), where the block reads it.
    expect(html.split('<meta name="wand-experiment"').length).toBe(2);
    expect(html.indexOf("<head>")).toBeLessThan(html.indexOf('<meta name="wand-experiment"'));
    expect(html.indexOf('<meta name="wand-experiment"')).toBeLessThan(html.indexOf('<base target="_top">'));
    // Once the known shopper is counted, the anonymous request (served first) has settled too: 1 visitor.
    await eventuallyTrue(async () => (await count()) > 0);
    expect(await count()).toBe(1);
    const c = await readExperimentCounts(env, store, today, today);
    expect(c.exposures.map((e) => e.arm)).toEqual(["holdout"]);
  });
});

describe("app proxy: the experiment's meta for each arm", () => {
  it("puts a wand shopper's and a holdout shopper's own exposure in the framed page, from the page's header", async () => {
    const store = "proxy-experiment-arms";
    const shop = `${store}.myshopify.com`;
    await seedStore(store);
    await env.DB.prepare("UPDATE ShopSettings SET holdoutPercent = 50 WHERE store = ?").bind(store).run();
    // One shopper of each arm, by the one holdout rule.
    const sids = Array.from({ length: 40 }, (_, i) => `shopper-arm-${i}`);
    const bySid = { wand: sids.find((s) => armOf(store, s, 50) === "wand")!, holdout: sids.find((s) => armOf(store, s, 50) === "holdout")! };
    for (const arm of ["wand", "holdout"] as const) {
      const res = await SELF.fetch(await signed({ wand_sid: bySid[arm] }, { shop }));
      expect(res.status).toBe(200);
      const html = await res.text();
      const persona = res.headers.get("Wand-Persona");
      const content = `arm=${arm}&persona=${persona}&shopper=${shopperHash(store, bySid[arm])}`;
      expect(res.headers.get(EXPOSURE_HEADER)).toBe(content);
      expect(html).toContain(`<meta name="wand-experiment" content="${content.replaceAll("&", "&amp;")}">`);
      expect(html.split('<meta name="wand-experiment"').length).toBe(2);
      expect(html).toContain(`name="properties[_wand_arm]" value="${arm}"`);
    }
  });
});

async function eventuallyTrue(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
}
