import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createContext, runInContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { exposureMeta, shopperHash } from "../core/experiment.ts";

/*
 * The theme extension's experiment attribution, run as the browser would run the two scripts, in a
 * small stand-in DOM (node:vm): the block reads the exposure the edge declared in its frame, the embed
 * writes it into the cart attributes through /cart/update.js once per session.
 */

const assets = fileURLToPath(new URL("./wand-storefront/assets/", import.meta.url));
const SIGNALS = await readFile(`${assets}wand-signals.js`, "utf8");
const STOREFRONT = await readFile(`${assets}wand-storefront.js`, "utf8");

class MemoryStorage {
  private readonly m = new Map<string, string>();
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, String(v));
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
}

interface Browser {
  localStorage: MemoryStorage;
  sessionStorage: MemoryStorage;
  fetches: { url: string; body: unknown }[];
  analytics: boolean;
  frameHead: string;
}

function browser(o: Partial<Browser> = {}): Browser {
  return { localStorage: new MemoryStorage(), sessionStorage: new MemoryStorage(), fetches: [], analytics: true, frameHead: "", ...o };
}

/** Loads a page in the stand-in DOM with both scripts; returns its element constructors and document. */
function loadPage(b: Browser) {
  const listeners = new Map<string, Set<(e: unknown) => void>>();
  const appended: unknown[] = [];
  const document = {
    visibilityState: "visible",
    referrer: "",
    addEventListener: (t: string, f: (e: unknown) => void) => (listeners.get(t) ?? listeners.set(t, new Set()).get(t)!).add(f),
    removeEventListener: (t: string, f: (e: unknown) => void) => listeners.get(t)?.delete(f),
    dispatchEvent: (e: { type: string }) => {
      for (const f of [...(listeners.get(e.type) ?? [])]) f(e);
      return true;
    },
    querySelector: () => null,
    createElement: () => {
      const frameListeners = new Map<string, () => void>();
      const head = b.frameHead;
      return {
        dataset: {} as Record<string, string>,
        setAttribute() {},
        addEventListener: (t: string, f: () => void) => frameListeners.set(t, f),
        removeEventListener: (t: string) => frameListeners.delete(t),
        fireLoad: () => frameListeners.get("load")?.(),
        contentDocument: {
          // Enough of querySelector for `meta[name="wand-experiment"]` on the framed page's head.
          querySelector: (sel: string) => {
            const m = /<meta name="wand-experiment" content="([^"]*)">/.exec(head);
            return sel === 'meta[name="wand-experiment"]' && m ? { getAttribute: () => m[1]!.replace(/&amp;/g, "&") } : null;
          },
        },
      };
    },
  };
  class HTMLElement {
    dataset: Record<string, string> = {};
    append(x: unknown) {
      appended.push(x);
    }
  }
  const registry = new Map<string, new () => HTMLElement>();
  const context = createContext({
    document,
    HTMLElement,
    customElements: { get: (n: string) => registry.get(n), define: (n: string, c: new () => HTMLElement) => registry.set(n, c) },
    CustomEvent: class {
      readonly detail: unknown;
      constructor(
        readonly type: string,
        init?: { detail?: unknown },
      ) {
        this.detail = init?.detail;
      }
    },
    localStorage: b.localStorage,
    sessionStorage: b.sessionStorage,
    location: { search: "", host: "shop.example" },
    crypto: { getRandomValues: (a: Uint8Array) => a.fill(7) },
    URLSearchParams,
    URL,
    JSON,
    Shopify: { routes: { root: "/en/" }, customerPrivacy: { analyticsProcessingAllowed: () => b.analytics, preferencesProcessingAllowed: () => true } },
    fetch: async (url: string, init: { body: string }) => {
      b.fetches.push({ url, body: JSON.parse(init.body) });
      return { ok: true };
    },
    setTimeout,
    clearTimeout,
  });
  context.window = context;
  runInContext(SIGNALS, context);
  runInContext(STOREFRONT, context);
  type El = { connectedCallback(): void; disconnectedCallback(): void; frame?: { fireLoad(): void } };
  return {
    signals: () => new (registry.get("wand-signals")!)() as unknown as El,
    storefront: () => new (registry.get("wand-storefront")!)() as unknown as El,
    appended,
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));
const SHOPPER = shopperHash("demo-apparel", "abc123abc123");

describe("theme extension: experiment attribution", () => {
  it("reads the served arm from the frame and writes it to the cart attributes once per session", async () => {
    const b = browser({ frameHead: exposureMeta({ arm: "holdout", persona: "dealhunter", shopper: SHOPPER }) });
    const page = loadPage(b);
    const embed = page.signals();
    embed.connectedCallback();
    expect(b.fetches).toEqual([]); // nothing known yet

    const block = page.storefront();
    block.connectedCallback();
    block.frame!.fireLoad();
    await settle();
    expect(JSON.parse(b.localStorage.getItem("wand:experiment")!)).toMatchObject({ arm: "holdout", persona: "dealhunter", shopper: SHOPPER });
    expect(b.fetches).toEqual([{ url: "/en/cart/update.js", body: { attributes: { _wand_shopper: SHOPPER, _wand_arm: "holdout", _wand_persona: "dealhunter" } } }]);

    // The next page of the same session sends nothing; a new session sends it again.
    loadPage(b).signals().connectedCallback();
    await settle();
    expect(b.fetches).toHaveLength(1);
    const next = browser({ localStorage: b.localStorage });
    loadPage(next).signals().connectedCallback();
    await settle();
    expect(next.fetches).toHaveLength(1);
  });

  it("sends a changed exposure again, and never adds anything to the page", async () => {
    const b = browser({ frameHead: exposureMeta({ arm: "wand", persona: "explorer", shopper: SHOPPER }) });
    const page = loadPage(b);
    page.signals().connectedCallback();
    const block = page.storefront();
    block.connectedCallback();
    block.frame!.fireLoad();
    await settle();
    b.localStorage.setItem("wand:experiment", JSON.stringify({ arm: "wand", persona: "loyalist", shopper: SHOPPER }));
    loadPage(b).signals().connectedCallback();
    await settle();
    expect(b.fetches.map((f) => (f.body as { attributes: { _wand_persona: string } }).attributes._wand_persona)).toEqual(["explorer", "loyalist"]);
    // The only element added is the block's own frame.
    expect(page.appended).toHaveLength(1);
  });

  it("writes nothing when analytics are refused or the page declares no exposure", async () => {
    const refused = browser({ analytics: false, frameHead: exposureMeta({ arm: "wand", persona: "explorer", shopper: SHOPPER }) });
    const page = loadPage(refused);
    page.signals().connectedCallback();
    const block = page.storefront();
    block.connectedCallback();
    block.frame!.fireLoad();
    await settle();
    expect(refused.fetches).toEqual([]);
    expect(refused.localStorage.getItem("wand:experiment")).toBeNull();

    const plain = browser({ frameHead: '<meta name="wand-experiment" content="arm=control&amp;persona=explorer&amp;shopper=zz">' });
    const p2 = loadPage(plain);
    p2.signals().connectedCallback();
    const b2 = p2.storefront();
    b2.connectedCallback();
    b2.frame!.fireLoad();
    await settle();
    expect(plain.fetches).toEqual([]);
  });

  it("still writes the cart when localStorage refuses writes (private mode), from the block's event", async () => {
    class FullStorage extends MemoryStorage {
      override setItem(): void {
        throw new Error("QuotaExceededError");
      }
    }
    const b = browser({ localStorage: new FullStorage(), frameHead: exposureMeta({ arm: "wand", persona: "minimalist", shopper: SHOPPER }) });
    const page = loadPage(b);
    page.signals().connectedCallback();
    const block = page.storefront();
    block.connectedCallback();
    block.frame!.fireLoad();
    await settle();
    expect(b.fetches).toHaveLength(1);
    expect(b.fetches[0]!.body).toEqual({ attributes: { _wand_shopper: SHOPPER, _wand_arm: "wand", _wand_persona: "minimalist" } });
  });

  it("removes its listeners when the embed leaves the page", () => {
    const page = loadPage(browser());
    const embed = page.signals();
    embed.connectedCallback();
    expect(page.listenerCount()).toBe(2);
    embed.disconnectedCallback();
    expect(page.listenerCount()).toBe(0);
  });
});
