import { readBody, sendJson } from "./http-helpers.ts";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { FakeFault, FakeMarketsConfig, FakeShopConfig, FakeShopStats } from "./fake-admin-control.ts";
import { fakeContextualPrice, fakeJsonlLines, fakeObjectCount, fakeProductIndex, fakeProductLine, fakeProductNode, fakeVariantIndex } from "./fake-catalog.ts";

/**
 * Shopify's Admin GraphQL API as the catalog sync meets it, on 127.0.0.1 (started by the edge
 * project's globalSetup; Node tests start their own). POST /admin/api/<version>/graphql.json with
 * X-Shopify-Access-Token answers the sync's operations:
 *   WandCatalogCount    shop.currencyCode, productsCount { count precision }
 *   WandCatalogPage     products(first, after) cursor pages, cost extensions like Shopify's
 *   WandBulkCatalog     bulkOperationRunQuery with groupObjects: true (one running operation per shop)
 *   WandBulkStatus      node(id:) of a BulkOperation: CREATED → RUNNING → COMPLETED after bulkDelayMs,
 *   WandCurrentBulk     currentBulkOperation, with objectCount, fileSize and url
 *   WandShopMarkets     shop.currencyCode, backupRegion, shopLocales(published: true), markets(first, after)
 *   WandMarketPrices    nodes(ids:) of variants with contextualPricing(context: {country}): the market's
 *                       fixed price-list price or its converted price (fake-catalog.ts fakeContextualPrice)
 *   WandTranslations    translatableResourcesByIds(resourceIds:) with translations(locale:)
 * and GET /__bulk/<token>/<n>.jsonl serves the operation's JSONL result, generated on the fly from
 * edge-worker/test/fake-catalog.ts (never held whole in memory), with `Range: bytes=<offset>-`.
 * Per shop (keyed by token) tests configure the size, the cost budget, scripted faults (THROTTLED,
 * 429, 5xx, 401, GraphQL errors) and a download cut mid-file: see fake-admin-control.ts.
 */

interface BulkOperation {
  n: number;
  id: string;
  query: string;
  createdAt: number;
  /** Products and settings the operation was started with (a later reconfigure does not change it). */
  products: number;
  seed: string;
  outcome: "COMPLETED" | "FAILED";
  delayMs: number;
}

interface ShopState {
  config: FakeShopConfig;
  available: number;
  lastRefill: number;
  faults: FakeFault[];
  stats: FakeShopStats;
  operations: BulkOperation[];
}

export interface FakeAdminApi {
  origin: string;
  close(): Promise<void>;
}

/** Every INDEX_STEP-th product's byte offset, so a Range request skips ahead without regenerating. */
const INDEX_STEP = 1024;
const layouts = new Map<string, { size: number; index: number[] }>();

/** Size of the JSONL file of `n` products of `seed` and its sparse offset index, computed once by generating it (not stored). */
function layoutOf(seed: string, n: number): { size: number; index: number[] } {
  const key = `${seed}/${n}`;
  let layout = layouts.get(key);
  if (!layout) {
    let size = 0;
    const index: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i % INDEX_STEP === 0) index.push(size);
      size += Buffer.byteLength(fakeJsonlLines(seed, i));
    }
    layouts.set(key, (layout = { size, index }));
  }
  return layout;
}

const fileBytes = (seed: string, n: number): number => layoutOf(seed, n).size;

export async function startFakeAdminApi(o: { port?: number } = {}): Promise<FakeAdminApi> {
  const shops = new Map<string, ShopState>();
  let operationCounter = 0;
  let origin = "";

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { errors: String(error) });
      else res.destroy();
    });
  });

  function configure(config: FakeShopConfig): void {
    const maximum = config.maximumAvailable ?? 2000;
    shops.set(config.token, {
      config,
      available: config.available ?? maximum,
      lastRefill: Date.now(),
      faults: [...(config.faults ?? [])],
      stats: { requests: [], downloads: [], bytesServed: 0, cuts: 0, fileBytes: fileBytes(config.seed ?? config.token, config.products), bulkOperations: [] },
      operations: [],
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    if (url.pathname === "/__shop" && req.method === "GET") {
      const shop = shops.get(url.searchParams.get("token") ?? "");
      if (!shop) return sendJson(res, 404, { error: "unknown shop" });
      for (const op of shop.operations) {
        const entry = shop.stats.bulkOperations.find((b) => b.id === op.id);
        if (entry) entry.status = statusOf(op);
      }
      return sendJson(res, 200, shop.stats);
    }
    if (url.pathname === "/__shop" && req.method === "POST") {
      configure(JSON.parse(await readBody(req)) as FakeShopConfig);
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === "/__shop/update" && req.method === "POST") {
      const changes = JSON.parse(await readBody(req)) as FakeShopConfig;
      const shop = shops.get(changes.token);
      if (!shop) return sendJson(res, 404, { error: "unknown shop" });
      shop.config = { ...shop.config, ...changes };
      if (changes.faults) shop.faults.push(...changes.faults);
      if (changes.available !== undefined) {
        shop.available = changes.available;
        shop.lastRefill = Date.now();
      }
      return sendJson(res, 200, { ok: true });
    }
    const bulk = /^\/__bulk\/([^/]+)\/(\d+)\.jsonl$/.exec(url.pathname);
    if (bulk && req.method === "GET") return serveJsonl(req, res, decodeURIComponent(bulk[1]!), Number(bulk[2]));
    if (/^\/admin\/api\/[\w-]+\/graphql\.json$/.test(url.pathname) && req.method === "POST") return graphql(req, res);
    sendJson(res, 404, { errors: "Not Found" });
  }

  async function graphql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const token = req.headers["x-shopify-access-token"];
    const shop = typeof token === "string" ? shops.get(token) : undefined;
    if (!shop) return sendJson(res, 401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    let body: { query?: string; variables?: Record<string, unknown> };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      return sendJson(res, 400, { errors: "Bad Request" });
    }
    const operation = /(?:query|mutation)\s+(\w+)/.exec(body.query ?? "")?.[1] ?? null;
    const variables = body.variables ?? {};
    const answer = answerGraphql(shop, operation, variables, body.query ?? "");
    const throttled = JSON.stringify(answer.body).includes('"THROTTLED"');
    shop.stats.requests.push({ path: req.url ?? "", operation, variables, status: answer.status, throttled });
    res.writeHead(answer.status, { "Content-Type": "application/json", ...answer.headers });
    res.end(JSON.stringify(answer.body));
  }

  function answerGraphql(
    shop: ShopState,
    operation: string | null,
    variables: Record<string, unknown>,
    query: string,
  ): { status: number; headers?: Record<string, string>; body: unknown } {
    const fault = shop.faults.shift();
    if (fault?.kind === "unauthorized") return { status: 401, body: { errors: "[API] Invalid API key or access token" } };
    if (fault?.kind === "http429") return { status: 429, headers: { "Retry-After": fault.retryAfter }, body: { errors: "Too Many Requests" } };
    if (fault?.kind === "http500") return { status: 502, body: { errors: "Bad gateway" } };
    if (fault?.kind === "graphql-error") return { status: 200, body: { errors: [{ message: fault.message }] } };

    const cost = operation === "WandCatalogPage" ? (shop.config.pageCost ?? 52) : operation === "WandBulkCatalog" ? 10 : 1;
    refill(shop);
    if (fault?.kind === "throttled" || shop.available < cost) {
      return {
        status: 200,
        body: {
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
          extensions: { cost: costExtension(shop, cost, null) },
        },
      };
    }
    shop.available -= cost;
    const ok = (data: unknown) => ({ status: 200, body: { data, extensions: { cost: costExtension(shop, cost, cost) } } });
    const seed = shop.config.seed ?? shop.config.token;
    const n = shop.config.products;
    switch (operation) {
      case "WandCatalogCount":
        return ok({ shop: { currencyCode: shop.config.currency ?? "EUR" }, productsCount: { count: n, precision: "EXACT" } });
      case "WandCatalogPage": {
        const first = Math.min(250, Number(variables.first ?? 50));
        const after = typeof variables.after === "string" ? variables.after : null;
        const start = after ? Number(Buffer.from(after, "base64").toString("utf8").replace("cursor:", "")) + 1 : 0;
        const end = Math.min(n, start + first);
        const nodes = Array.from({ length: Math.max(0, end - start) }, (_, k) => fakeProductNode(seed, start + k));
        return ok({
          shop: { currencyCode: shop.config.currency ?? "EUR" },
          products: { pageInfo: { hasNextPage: end < n, endCursor: nodes.length ? Buffer.from(`cursor:${end - 1}`).toString("base64") : null }, nodes },
        });
      }
      case "WandBulkCatalog": {
        // Shopify groups children under their parent only when asked (the default is false since
        // 2026-01); this fake writes grouped files only, so it refuses to write anything else.
        if (!/groupObjects:\s*true/.test(query)) {
          return ok({ bulkOperationRunQuery: { bulkOperation: null, userErrors: [{ field: ["groupObjects"], message: "fake Admin API writes grouped results only: pass groupObjects: true" }] } });
        }
        const running = shop.operations.find((op) => statusOf(op) === "CREATED" || statusOf(op) === "RUNNING");
        if (running) {
          return ok({ bulkOperationRunQuery: { bulkOperation: null, userErrors: [{ field: null, message: "A bulk query operation for this app and shop is already in progress." }] } });
        }
        const op: BulkOperation = {
          n: ++operationCounter,
          id: `gid://shopify/BulkOperation/${operationCounter}`,
          query: String(variables.query ?? ""),
          createdAt: Date.now(),
          products: n,
          seed,
          outcome: shop.config.bulkOutcome ?? "COMPLETED",
          delayMs: shop.config.bulkDelayMs ?? 0,
        };
        shop.operations.push(op);
        shop.stats.bulkOperations.push({ id: op.id, query: op.query, status: "CREATED" });
        return ok({ bulkOperationRunQuery: { bulkOperation: { id: op.id, status: "CREATED" }, userErrors: [] } });
      }
      case "WandBulkStatus": {
        const op = shop.operations.find((b) => b.id === variables.id);
        return ok({ node: op ? bulkNode(shop, op) : null });
      }
      case "WandCurrentBulk": {
        const op = shop.operations.at(-1);
        return ok({ currentBulkOperation: op ? bulkNode(shop, op) : null });
      }
      case "WandShopMarkets":
        return ok(shopMarketsAnswer(marketsOf(shop.config), variables));
      case "WandMarketPrices":
        return ok({ nodes: marketPrices(marketsOf(shop.config), seed, n, variables) });
      case "WandTranslations":
        return ok({ translatableResourcesByIds: { nodes: translations(marketsOf(shop.config), n, variables) } });
      default:
        return { status: 200, body: { errors: [{ message: `Unknown operation ${operation ?? "(none)"}` }] } };
    }
  }

  /** A shop without markets configured has what every Shopify shop has: one market, its currency, English. */
  function marketsOf(config: FakeShopConfig): FakeMarketsConfig {
    return (
      config.markets ?? {
        backupCountry: "US",
        locales: [{ locale: "en", primary: true }],
        markets: [{ handle: "primary", countries: ["US"], currency: config.currency ?? "EUR", locales: ["en"] }],
      }
    );
  }

  function shopMarketsAnswer(m: FakeMarketsConfig, variables: Record<string, unknown>) {
    const first = Math.min(250, Number(variables.first ?? 10));
    const start = typeof variables.after === "string" ? Number(Buffer.from(variables.after, "base64").toString("utf8").replace("market:", "")) + 1 : 0;
    const page = m.markets.slice(start, start + first);
    const end = start + page.length;
    return {
      shop: { currencyCode: m.markets.find((x) => x.countries.includes(m.backupCountry))?.currency ?? "EUR" },
      backupRegion: { id: `gid://shopify/MarketRegionCountry/${m.backupCountry}`, name: m.backupCountry, code: m.backupCountry },
      shopLocales: m.locales.filter((l) => l.published !== false).map((l) => ({ locale: l.locale, primary: l.primary === true })),
      markets: {
        pageInfo: { hasNextPage: end < m.markets.length, endCursor: page.length ? Buffer.from(`market:${end - 1}`).toString("base64") : null },
        nodes: page.map((x) => ({
          handle: x.handle,
          status: x.status ?? "ACTIVE",
          currencySettings: { baseCurrency: { currencyCode: x.currency } },
          conditions: { regionsCondition: { regions: { nodes: x.countries.map((code) => ({ code })) } } },
          webPresences: { nodes: x.locales.length ? [{ defaultLocale: { locale: x.locales[0] }, alternateLocales: x.locales.slice(1).map((locale) => ({ locale })) }] : [] },
        })),
      },
    };
  }

  /** Shopify prices a country outside every market as the backup region's market. */
  function marketPrices(m: FakeMarketsConfig, seed: string, n: number, variables: Record<string, unknown>) {
    const country = String(variables.country ?? "");
    const market = m.markets.find((x) => x.countries.includes(country)) ?? m.markets.find((x) => x.countries.includes(m.backupCountry)) ?? m.markets[0];
    const ids = Array.isArray(variables.ids) ? variables.ids.map(String) : [];
    return ids.map((id) => {
      const at = fakeVariantIndex(id);
      const price = at && at.i < n && market ? fakeContextualPrice(seed, at.i, at.v, market) : null;
      if (!price || !at) return null;
      const money = (amount: string) => ({ amount, currencyCode: price.currency });
      return {
        id,
        product: { handle: fakeProductLine(seed, at.i).handle },
        contextualPricing: { price: money(price.price), compareAtPrice: price.compareAtPrice === null ? null : money(price.compareAtPrice) },
      };
    });
  }

  function translations(m: FakeMarketsConfig, n: number, variables: Record<string, unknown>) {
    const locale = String(variables.locale ?? "");
    const ids = Array.isArray(variables.resourceIds ?? variables.ids) ? ((variables.resourceIds ?? variables.ids) as unknown[]).map(String) : [];
    return ids.flatMap((resourceId) => {
      const i = fakeProductIndex(resourceId);
      if (i === null || i >= n) return [];
      const t = m.translations?.[locale]?.[i] ?? {};
      return [{ resourceId, translations: Object.entries(t).map(([key, value]) => ({ key, value, locale })) }];
    });
  }

  function statusOf(op: BulkOperation): string {
    const elapsed = Date.now() - op.createdAt;
    if (elapsed >= op.delayMs) return op.outcome;
    return elapsed < op.delayMs / 3 ? "CREATED" : "RUNNING";
  }

  function bulkNode(shop: ShopState, op: BulkOperation) {
    const status = statusOf(op);
    const done = status === "COMPLETED";
    return {
      id: op.id,
      status,
      errorCode: status === "FAILED" ? "INTERNAL_SERVER_ERROR" : null,
      objectCount: done ? String(fakeObjectCount(op.seed, op.products)) : "0",
      fileSize: done && op.products > 0 ? String(fileBytes(op.seed, op.products)) : null,
      // Shopify gives no file for an operation without results.
      url: done && op.products > 0 ? `${origin}/__bulk/${encodeURIComponent(shop.config.token)}/${op.n}.jsonl` : null,
      partialDataUrl: null,
    };
  }

  async function serveJsonl(req: IncomingMessage, res: ServerResponse, token: string, n: number): Promise<void> {
    const shop = shops.get(token);
    const op = shop?.operations.find((b) => b.n === n);
    if (!shop || !op) return sendJson(res, 404, { error: "no such result" });
    const asked = req.headers.range ?? "";
    shop.stats.downloads.push(asked);
    // A server that ignores Range answers 200 with the whole file.
    const range = shop.config.ignoreRange ? "" : asked;
    const failStatus = shop.config.failJsonlStatus;
    if (failStatus && failStatus.times > 0) {
      failStatus.times--;
      return sendJson(res, 500, { error: "storage unavailable" });
    }
    const total = fileBytes(op.seed, op.products);
    let from = 0;
    if (range) {
      const m = /^bytes=(\d+)-$/.exec(range);
      if (!m) return sendJson(res, 416, { error: `unsupported range ${range}` });
      from = Number(m[1]);
      if (from >= total) {
        res.writeHead(416, { "Content-Range": `bytes */${total}` });
        res.end();
        return;
      }
      res.writeHead(206, { "Content-Type": "application/jsonl", "Content-Length": total - from, "Content-Range": `bytes ${from}-${total - 1}/${total}`, "Accept-Ranges": "bytes" });
    } else {
      res.writeHead(200, { "Content-Type": "application/jsonl", "Content-Length": total, "Accept-Ranges": "bytes" });
    }
    const fail = shop.config.failJsonlAt;
    const cutAt = fail && fail.times > 0 && fail.bytes > from ? fail.bytes : null;
    // Start at the last indexed product at or before the requested offset.
    const { index } = layoutOf(op.seed, op.products);
    let k = 0;
    while (k + 1 < index.length && index[k + 1]! <= from) k++;
    let position = index[k] ?? 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async (): Promise<void> => {
      if (pendingBytes === 0) return;
      const chunk = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      shop.stats.bytesServed += chunk.length;
      if (!res.write(chunk)) await new Promise<void>((resolve) => res.once("drain", resolve));
    };
    for (let i = k * INDEX_STEP; i < op.products; i++) {
      if (res.destroyed) return;
      const lines = Buffer.from(fakeJsonlLines(op.seed, i));
      const start = position;
      position += lines.length;
      if (position <= from) continue;
      let piece = start < from ? lines.subarray(from - start) : lines;
      const pieceStart = Math.max(start, from);
      if (cutAt !== null && position > cutAt) {
        piece = piece.subarray(0, cutAt - pieceStart);
        pending.push(piece);
        pendingBytes += piece.length;
        await flush();
        fail!.times--;
        shop.stats.cuts++;
        // Gives the bytes written a moment to leave, then drops the connection mid-file.
        await new Promise((resolve) => setTimeout(resolve, 20));
        res.destroy();
        return;
      }
      pending.push(piece);
      pendingBytes += piece.length;
      if (pendingBytes >= 64 * 1024) await flush();
    }
    await flush();
    res.end();
  }

  function refill(shop: ShopState): void {
    const now = Date.now();
    const rate = shop.config.restoreRate ?? 100;
    shop.available = Math.min(shop.config.maximumAvailable ?? 2000, shop.available + ((now - shop.lastRefill) / 1000) * rate);
    shop.lastRefill = now;
  }

  function costExtension(shop: ShopState, requested: number, actual: number | null) {
    return {
      requestedQueryCost: requested,
      actualQueryCost: actual,
      throttleStatus: { maximumAvailable: shop.config.maximumAvailable ?? 2000, currentlyAvailable: Math.floor(shop.available), restoreRate: shop.config.restoreRate ?? 100 },
    };
  }

  await new Promise<void>((resolve) => server.listen(o.port ?? 0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

