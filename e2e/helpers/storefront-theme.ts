import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { Liquid, Tag, type TagToken, type TopLevelToken } from "liquidjs";
import { signProxyQuery } from "../../edge-worker/src/app-proxy/verify.ts";
import { listenOnLoopback } from "./loopback-server.ts";

/**
 * A stand-in for a Shopify storefront, for the browser test of the theme app extension:
 * - theme pages (`/`, `/products/<handle>`) rendering the extension's real Liquid — the
 *   "Personalized storefront" block in the main section and the "Shopper signals" embed at the end of
 *   the body — with the block's script and stylesheet in the head, as Shopify injects them;
 * - the app proxy `/apps/wand[/...]`: what Shopify does — cookies dropped both ways, its own
 *   `shop`, `logged_in_customer_id`, `path_prefix` and `timestamp` set, the query signed with the app
 *   secret — then forwarded to the edge worker's `/proxy[/...]`;
 * - `POST /cart/add`, recorded, then the redirect to `/cart` that Shopify answers with.
 * With a `market`, the storefront is that market's subfolder (e.g. `/fr/...`): the same routes under
 * its root_url, and the Liquid sees its `localization`, `request.locale` and `routes.root_url`.
 */

const EXTENSION = fileURLToPath(new URL("../../extensions/wand-storefront/", import.meta.url));
export const PROXY_PREFIX = "/apps/wand";
const SHOPIFY_PARAMS = ["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"];

/** A market's storefront as Liquid describes it. */
export interface ThemeMarket {
  /** `routes.root_url`: "/fr". */
  rootUrl: string;
  /** `localization.country.iso_code`, `localization.country.currency.iso_code`, `request.locale.iso_code`. */
  country: string;
  currency: string;
  language: string;
}

export interface CartAdd {
  fields: Record<string, string>;
  /** The path the form posted to (under the market's root_url when there is one). */
  path?: string;
  /** Whether the shop's own cookies came with the POST (same-origin frame, top-level navigation). */
  cookie: string | null;
}

export interface ThemeServer {
  url: string;
  /** Every query string the stand-in forwarded to the edge (signed), newest last. */
  forwarded: URLSearchParams[];
  /** The storefront path of each of those proxy requests ("/fr/apps/wand"), newest last. */
  proxiedPaths: string[];
  cartAdds: CartAdd[];
  stop: () => Promise<void>;
}

/** Shopify's `{% schema %}` is configuration, not output: swallowed whole. */
class SchemaTag extends Tag {
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    while (remain.length) {
      const next = remain.shift() as TopLevelToken & { name?: string };
      if (next.name === "endschema") return;
    }
    throw new Error("{% schema %} without {% endschema %}");
  }
  *render(): Generator<unknown, void, unknown> {}
}

async function themeRenderer() {
  const locale = JSON.parse(await readFile(`${EXTENSION}locales/en.default.json`, "utf8")) as Record<string, unknown>;
  const liquid = new Liquid({ root: [`${EXTENSION}snippets/`, `${EXTENSION}blocks/`], extname: ".liquid", strictFilters: true });
  liquid.registerTag("schema", SchemaTag);
  liquid.registerFilter("t", (key: string) => {
    const value = key.split(".").reduce<unknown>((node, part) => (node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined), locale);
    if (typeof value !== "string") throw new Error(`missing translation ${key}`);
    return value;
  });
  const block = await readFile(`${EXTENSION}blocks/persona-storefront.liquid`, "utf8");
  const embed = await readFile(`${EXTENSION}blocks/wand-signals.liquid`, "utf8");
  return async (page: { pageType: "index" | "product"; productType?: string; title: string }, market?: ThemeMarket) => {
    const blockHtml = await liquid.parseAndRender(block, {
      block: { id: "AbCd123", shopify_attributes: 'data-shopify-editor-block="{}"', settings: { heading: "Picked for you", height: 900, mobile_height: 1200, proxy_path: PROXY_PREFIX } },
      routes: { root_url: market?.rootUrl ?? "/" },
      ...(market
        ? { localization: { country: { iso_code: market.country, currency: { iso_code: market.currency } } }, request: { locale: { iso_code: market.language } } }
        : {}),
    });
    const embedHtml = await liquid.parseAndRender(embed, {
      block: { id: "EmBed1", shopify_attributes: "", settings: { track_categories: true } },
      request: { page_type: page.pageType },
      product: { type: page.productType ?? "" },
      collection: { title: "" },
    });
    // The theme's own content around the block: the footer must not move when the page arrives.
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${page.title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/wand-storefront.css">
<script src="/assets/wand-storefront.js" defer></script>
<script src="/assets/wand-signals.js" defer></script>
<style>body{margin:0;font-family:sans-serif}header,footer{padding:16px;background:#eee}</style>
</head><body>
<header id="theme-header">Stand-in theme</header>
<main id="MainContent"><section class="shopify-section">${page.pageType === "index" ? blockHtml : `<h1>${page.title}</h1>`}</section></main>
<footer id="theme-footer">Theme footer</footer>
${embedHtml}
</body></html>`;
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

export async function startThemeServer(o: { port: number; edgeUrl: string; secret: string; shop: string; customerId?: string; market?: ThemeMarket }): Promise<ThemeServer> {
  const render = await themeRenderer();
  const forwarded: URLSearchParams[] = [];
  const proxiedPaths: string[] = [];
  const root = o.market?.rootUrl ?? "";
  const cartAdds: CartAdd[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const requestedPath = url.pathname;
    // A market subfolder serves the shop's routes under its root_url.
    if (root && (url.pathname === root || url.pathname.startsWith(`${root}/`))) url.pathname = url.pathname.slice(root.length) || "/";
    const html = (status: number, body: string) => {
      res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Set-Cookie": "cart=e2e-cart; Path=/; SameSite=Lax" });
      res.end(body);
    };

    if (url.pathname === PROXY_PREFIX || url.pathname.startsWith(`${PROXY_PREFIX}/`)) {
      const query = new URLSearchParams(url.search);
      for (const name of SHOPIFY_PARAMS) query.delete(name);
      query.set("shop", o.shop);
      query.set("logged_in_customer_id", o.customerId ?? "");
      query.set("path_prefix", PROXY_PREFIX);
      query.set("timestamp", String(Math.floor(Date.now() / 1000)));
      query.set("signature", await signProxyQuery(query, o.secret));
      forwarded.push(query);
      proxiedPaths.push(requestedPath);
      // Shopify forwards no cookies and passes no Set-Cookie back.
      const upstream = await fetch(`${o.edgeUrl}/proxy${url.pathname.slice(PROXY_PREFIX.length)}?${query}`, { method: req.method, headers: { Accept: req.headers.accept ?? "*/*" } });
      const headers: Record<string, string> = {};
      upstream.headers.forEach((value, name) => {
        if (name !== "set-cookie" && name !== "content-encoding" && name !== "content-length" && name !== "transfer-encoding") headers[name] = value;
      });
      res.writeHead(upstream.status, headers);
      res.end(Buffer.from(await upstream.arrayBuffer()));
      return;
    }
    if (url.pathname.startsWith("/assets/")) {
      const name = url.pathname.slice("/assets/".length);
      if (!/^[a-z-]+\.(js|css)$/.test(name)) return html(404, "not found");
      const body = await readFile(`${EXTENSION}assets/${name}`);
      res.writeHead(200, { "Content-Type": name.endsWith(".js") ? "text/javascript" : "text/css" });
      res.end(body);
      return;
    }
    if (url.pathname === "/cart/add" && req.method === "POST") {
      const fields = Object.fromEntries(new URLSearchParams(await readBody(req)));
      cartAdds.push({ fields, cookie: req.headers.cookie ?? null, path: requestedPath });
      res.writeHead(302, { Location: `${root}/cart` });
      res.end();
      return;
    }
    if (url.pathname === "/cart") return html(200, `<!doctype html><title>Cart</title><h1>Your cart</h1>`);
    const product = /^\/products\/([a-z0-9-]+)$/.exec(url.pathname);
    if (product) {
      const productType = url.searchParams.get("type") ?? "Shirts";
      return html(200, await render({ pageType: "product", productType, title: `Product ${product[1]}` }, o.market));
    }
    if (url.pathname === "/") return html(200, await render({ pageType: "index", title: "Home" }, o.market));
    html(404, "not found");
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(String(error));
    });
  });
  const url = await listenOnLoopback(server, o.port);
  return {
    url,
    forwarded,
    proxiedPaths,
    cartAdds,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
