import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { LOCAL_ADMIN_API_TOKEN } from "../../app/local-admin-token.ts";
import { FakeThemeApi } from "../../app/test/fake-theme-api.ts";
import { DEMO_STORES } from "../../core/demo-stores.ts";
import { signProxyQuery } from "../../edge-worker/src/app-proxy/verify.ts";
import { startFakeAdminApi, type FakeAdminApi } from "../../edge-worker/test/fake-admin-api.ts";
import { fakeAdminShop } from "../../edge-worker/test/fake-admin-control.ts";
import { runD1Statements } from "./d1-rows.ts";
import { type FakeLlm, startFakeLlm } from "./journey-fake-llm.ts";
import { repoRoot } from "./journey-stack.ts";
import { startWorkers, type Workers } from "./workers-stack.ts";

/**
 * Everything the setup guide's browser test runs, on ports of its own (18610-18619) and a fresh
 * persist directory: the generator, the edge and the admin (workers-stack.ts: both Workers in
 * one workerd, so one process owns the local D1), and the three outside services as HTTP servers on
 * 127.0.0.1 speaking their real protocols:
 * - the shop's theme files (app/test/fake-theme-api.ts), read by the admin (SHOPIFY_ADMIN_API_ORIGIN
 *   of the admin), starting as a theme where the embed was never turned on and no page has the block;
 * - the shop's catalog (edge-worker/test/fake-admin-api.ts), read by the edge's CatalogSync
 *   (SHOPIFY_ADMIN_API_ORIGIN of the edge) with the offline token of a session row put in D1, which
 *   is also what makes a demo shop sync like a real one (app/routes/app._index.tsx localShopSyncs);
 * - an OpenAI-compatible LLM for the generator (journey-fake-llm.ts).
 */

export const SHOP = DEMO_STORES.find((d) => d.store === "demo-apparel")!;
/** The app's client id the admin runs with: the theme editor links must name the extension by it. */
export const API_KEY = "e2e5e7a9b1c3d5f7a9b1c3d5f7a9b1c3";
export const THEME_NAME = "Dawn";
/** Products the fake Admin API holds for the shop (≤ 1,000: the sync reads them page by page). */
export const SHOP_PRODUCTS = 24;
const PROXY_SECRET = "e2e-setup-guide-proxy-secret";
const OFFLINE_TOKEN = "e2e-setup-guide-offline-token";
const OPS_TOKEN = "e2e-setup-guide-ops-token";
const PORTS = { port: 18610, inspectorPort: 18611, generatorPort: 18612 };

const fixture = (name: string) => readFileSync(resolve(repoRoot, "core/fixtures/theme", name), "utf8");
export const THEME_FILES = {
  settingsNever: fixture("settings_data.embed-never.json"),
  settingsOn: fixture("settings_data.embed-on.json"),
  indexWithout: fixture("index.without-block.json"),
  indexWith: fixture("index.with-block.json"),
};

export interface SetupGuideStack {
  /** The admin's and the edge's origin (one router in front of both). */
  url: string;
  workers: Workers;
  theme: FakeThemeApi;
  catalog: FakeAdminApi;
  llm: FakeLlm;
  /** Requests the fake Admin API answered for the shop's catalog. */
  catalogRequests(): Promise<string[]>;
  /** One app proxy request as Shopify forwards it (`shop`, `path_prefix`, `timestamp`, signed with the app secret). */
  proxyRequest(shopperId: string): Promise<Response>;
  /** The edge's request and job counters of the shop (ops API: EdgeApi.stats), for a failure's message. */
  stats(): Promise<unknown>;
  /** The edge's cache state of the shop (ops API: EdgeApi.cacheState). */
  cacheState(): Promise<{ persona: string; source: string | null; state: string }[]>;
  output(): string;
  stop(): Promise<void>;
}

export async function startSetupGuideStack(): Promise<SetupGuideStack> {
  const closers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const llm = await startFakeLlm({ latencyMs: 200 });
    closers.push(() => llm.close());
    const theme = await new FakeThemeApi({
      accessToken: LOCAL_ADMIN_API_TOKEN,
      theme: { id: "gid://shopify/OnlineStoreTheme/1", name: THEME_NAME, files: { "config/settings_data.json": THEME_FILES.settingsNever, "templates/index.json": THEME_FILES.indexWithout } },
    }).start();
    closers.push(() => theme.stop());
    const catalog = await startFakeAdminApi();
    closers.push(() => catalog.close());
    const shopControl = fakeAdminShop(catalog.origin, OFFLINE_TOKEN);
    await shopControl.configure({ products: SHOP_PRODUCTS, currency: "EUR" });

    const workers = await startWorkers({
      ...PORTS,
      llm: { baseUrl: llm.baseUrl },
      edgeVars: {
        SHOPIFY_API_SECRET: PROXY_SECRET,
        SHOPIFY_ADMIN_API_ORIGIN: catalog.origin,
        OPS_TOKEN,
        // No isolate copies of settings and selections. With the default (kept 5 s, then served
        // stale once more while a background read refreshes), a shopper right after the catalog
        // sync is served from the pre-sync selection the dashboard's reads left in the isolate: the
        // generation it queues carries the old variant, the pool member skips it as superseded, and
        // no job for the new variant follows until another shopper comes, so the LLM step never
        // ticked. (A product gap, reported with #14: a superseded job is not replaced.)
        SNAPSHOT_TTL_SECONDS: "0",
      },
      // The admin's Shopify Admin API is the fake theme API; its app key (local mode is set by startWorkers).
      adminVars: { SHOPIFY_ADMIN_API_ORIGIN: theme.origin, SHOPIFY_API_KEY: API_KEY },
      // The shop's offline session, as an install stores it (app/install.server.ts).
      afterSeed: (persistDir) =>
        runD1Statements(persistDir, [
          {
            sql: 'INSERT INTO "Session" (id, shop, state, isOnline, scope, accessToken) VALUES (?, ?, ?, 0, ?, ?)',
            params: [`offline_${SHOP.shopDomain}`, SHOP.shopDomain, "e2e", "read_products,read_customers,read_themes", OFFLINE_TOKEN],
          },
        ]),
    });
    closers.push(() => workers.stop());

    return {
      url: workers.url,
      workers,
      theme,
      catalog,
      llm,
      catalogRequests: async () => (await shopControl.stats()).requests.map((r) => r.operation ?? "(none)"),
      proxyRequest: async (shopperId) => {
        const query = new URLSearchParams({ wand_sid: shopperId, wand_visits: "1", shop: SHOP.shopDomain, logged_in_customer_id: "", path_prefix: "/apps/wand", timestamp: String(Math.floor(Date.now() / 1000)) });
        query.set("signature", await signProxyQuery(query, PROXY_SECRET));
        return fetch(`${workers.url}/proxy?${query}`);
      },
      stats: async () => {
        const res = await fetch(`${workers.url}/ops/stores/${SHOP.store}/stats`, { headers: { Authorization: `Bearer ${OPS_TOKEN}` } });
        return res.json();
      },
      cacheState: async () => {
        const res = await fetch(`${workers.url}/ops/stores/${SHOP.store}/state`, { headers: { Authorization: `Bearer ${OPS_TOKEN}` } });
        if (!res.ok) throw new Error(`ops state: HTTP ${res.status} ${await res.text()}`);
        return ((await res.json()) as { personas: { persona: string; source: string | null; state: string }[] }).personas;
      },
      output: () => workers.output(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
