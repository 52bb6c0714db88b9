import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createContext, runInContext } from "node:vm";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { shopperHash } from "../core/experiment.ts";
import { subscribeFunnel, type PixelApi, type PixelEvent } from "./wand-pixel/src/funnel.ts";

// Tests beside the extension folder, as for wand-storefront: Shopify builds only what src/index.ts imports.
const root = fileURLToPath(new URL("./wand-pixel/", import.meta.url));
const SHOPPER = shopperHash("demo-apparel", "abc123abc123");
const SETTINGS = { store: "demo-apparel", endpoint: "https://edge.example/pixel" };

function fakeApi(o: { settings?: Record<string, unknown>; cart?: { key: string; value: string }[]; stored?: string | null } = {}) {
  const handlers = new Map<string, (e: PixelEvent) => void | Promise<void>>();
  const api: PixelApi = {
    analytics: { subscribe: (name, cb) => handlers.set(name, cb) },
    browser: { localStorage: { getItem: async (k) => (k === "wand:experiment" ? (o.stored ?? null) : null) } },
    init: { data: { cart: { attributes: o.cart ?? [] } } },
    settings: o.settings ?? SETTINGS,
  };
  const sent: { url: string; body: unknown }[] = [];
  const send = async (url: string, body: string) => sent.push({ url, body: JSON.parse(body) });
  return { api, handlers, sent, send, emit: async (name: string, e: PixelEvent = { name }) => handlers.get(name)!(e) };
}

describe("web pixel extension wand-pixel", () => {
  it("is a strict-sandbox web pixel that loads only with analytics consent and takes the store and endpoint as settings", async () => {
    const toml = await readFile(`${root}shopify.extension.toml`, "utf8");
    expect(toml).toMatch(/^type = "web_pixel_extension"$/m);
    expect(toml).toMatch(/^runtime_context = "strict"$/m);
    expect(toml).toMatch(/\[customer_privacy\]\nanalytics = true\nmarketing = false\npreferences = false\nsale_of_data = "disabled"/);
    expect(toml).toMatch(/\[settings\.fields\.store\]/);
    expect(toml).toMatch(/\[settings\.fields\.endpoint\]/);
    const pkg = JSON.parse(await readFile(`${root}package.json`, "utf8")) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toEqual(["@shopify/web-pixels-extension"]);
    // Pinned exactly, and the version the repository installs (extensions/shopify-app-build.test.ts builds with it).
    expect(pkg.dependencies["@shopify/web-pixels-extension"]).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("reports the three funnel events of a shopper carrying a WandStore id in the cart attributes", async () => {
    const f = fakeApi({ cart: [{ key: "_wand_shopper", value: SHOPPER }] });
    expect(subscribeFunnel(f.api, f.send)).toBe(true);
    expect([...f.handlers.keys()]).toEqual(["product_viewed", "product_added_to_cart", "checkout_completed"]);
    await f.emit("product_viewed");
    await f.emit("product_added_to_cart");
    expect(f.sent).toEqual([
      { url: SETTINGS.endpoint, body: { store: "demo-apparel", shopper: SHOPPER, events: ["product_viewed"] } },
      { url: SETTINGS.endpoint, body: { store: "demo-apparel", shopper: SHOPPER, events: ["product_added_to_cart"] } },
    ]);
  });

  it("finds the id in the checkout's attributes, else in the embed's localStorage", async () => {
    const checkout = fakeApi();
    subscribeFunnel(checkout.api, checkout.send);
    await checkout.emit("checkout_completed", { name: "checkout_completed", data: { checkout: { attributes: [{ key: "_wand_shopper", value: SHOPPER }] } } });
    expect(checkout.sent).toHaveLength(1);

    const stored = fakeApi({ stored: JSON.stringify({ arm: "holdout", persona: "explorer", shopper: SHOPPER }) });
    subscribeFunnel(stored.api, stored.send);
    await stored.emit("product_viewed");
    expect(stored.sent[0]!.body).toEqual({ store: "demo-apparel", shopper: SHOPPER, events: ["product_viewed"] });
  });

  it("sends nothing for shoppers without a WandStore id, and does not start with bad settings", async () => {
    const none = fakeApi({ cart: [{ key: "_wand_shopper", value: "customer-42" }], stored: "{not json" });
    subscribeFunnel(none.api, none.send);
    await none.emit("product_viewed");
    expect(none.sent).toEqual([]);

    for (const settings of [{}, { store: "demo-apparel" }, { store: "Bad Store", endpoint: SETTINGS.endpoint }, { store: "demo-apparel", endpoint: "javascript:alert(1)" }]) {
      const bad = fakeApi({ settings });
      expect(subscribeFunnel(bad.api, bad.send)).toBe(false);
      expect(bad.handlers.size).toBe(0);
    }
  });

  it("builds from src/index.ts with register() into a small bundle that runs", async () => {
    // esbuild is what Shopify CLI bundles extensions with; the package is replaced by a stand-in that
    // hands the extension a fake API, as Shopify's sandbox would.
    const out = await build({
      entryPoints: [`${root}src/index.ts`],
      bundle: true,
      write: false,
      format: "iife",
      target: "es2020",
      minify: true,
      plugins: [
        {
          name: "web-pixels-stand-in",
          setup(b) {
            b.onResolve({ filter: /^@shopify\/web-pixels-extension$/ }, () => ({ path: "stand-in", namespace: "stand-in" }));
            b.onLoad({ filter: /.*/, namespace: "stand-in" }, () => ({ contents: "export function register(fn) { globalThis.__register(fn); }", loader: "js" }));
          },
        },
      ],
    });
    const code = out.outputFiles[0]!.text;
    expect(code.length).toBeLessThan(4000);
    const f = fakeApi({ cart: [{ key: "_wand_shopper", value: SHOPPER }] });
    const fetches: { url: string; init: { body: string; keepalive: boolean } }[] = [];
    const context = createContext({
      __register: (fn: (api: PixelApi) => void) => fn(f.api),
      fetch: async (url: string, init: { body: string; keepalive: boolean }) => fetches.push({ url, init }),
      JSON,
    });
    runInContext(code, context);
    await f.emit("product_added_to_cart");
    expect(fetches).toHaveLength(1);
    expect(fetches[0]!.url).toBe(SETTINGS.endpoint);
    expect(fetches[0]!.init.keepalive).toBe(true);
    expect(JSON.parse(fetches[0]!.init.body)).toEqual({ store: "demo-apparel", shopper: SHOPPER, events: ["product_added_to_cart"] });
  });
});
