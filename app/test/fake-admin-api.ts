import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ProductNode } from "../shopify-product";

/**
 * Shopify's Admin GraphQL API as the catalog sync meets it, on 127.0.0.1: POST
 * /admin/api/<version>/graphql.json with X-Shopify-Access-Token, answering the WandCatalogPage and
 * WandShop operations with cursor pages, cost extensions (a leaky-bucket budget) and, when scripted,
 * THROTTLED errors, HTTP 429 with Retry-After, 5xx, 401 and GraphQL errors.
 */
export type Fault =
  | { kind: "throttled" }
  | { kind: "http429"; retryAfter: string }
  | { kind: "http500" }
  | { kind: "unauthorized" }
  | { kind: "graphql-error"; message: string };

export interface RecordedRequest {
  path: string;
  token: string | undefined;
  operation: string | null;
  variables: Record<string, unknown>;
}

export interface FakeAdminApiOptions {
  products: ProductNode[];
  currency?: string;
  shopName?: string;
  accessToken?: string;
  /** Cost budget: Shopify's standard plan has 2000 points restoring at 100 per second. */
  maximumAvailable?: number;
  restoreRate?: number;
  /** Points each page request costs (requestedQueryCost). */
  pageCost?: number;
}

export class FakeAdminApi {
  readonly requests: RecordedRequest[] = [];
  /** Faults served, in order, before normal answers resume. */
  readonly faults: Fault[] = [];
  /** Faults for a given request number (1 = the first request this server gets). */
  private readonly scheduled = new Map<number, Fault>();
  private server: Server | null = null;
  private available: number;
  private lastRefill = Date.now();

  constructor(private readonly o: FakeAdminApiOptions) {
    this.available = o.maximumAvailable ?? 2000;
  }

  get origin(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error("fake Admin API not started");
    return `http://127.0.0.1:${address.port}`;
  }

  /** Serves `fault` to request number `n` (counting from 1) instead of its answer. */
  faultAt(n: number, fault: Fault): this {
    this.scheduled.set(n, fault);
    return this;
  }

  setProducts(products: ProductNode[]): void {
    this.o.products = products;
  }

  /** Sets the bucket, e.g. to 0 to make the next page wait for its points. */
  setAvailable(points: number): void {
    this.available = points;
    this.lastRefill = Date.now();
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, headers, body }) => {
          res.writeHead(status, { "Content-Type": "application/json", ...headers });
          res.end(body);
        },
        (error: unknown) => {
          res.writeHead(500);
          res.end(String(error));
        },
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; headers?: Record<string, string>; body: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const token = req.headers["x-shopify-access-token"];
    let parsed: { query?: string; variables?: Record<string, unknown> } = {};
    try {
      parsed = JSON.parse(raw) as typeof parsed;
    } catch {
      return { status: 400, body: JSON.stringify({ errors: "Bad Request" }) };
    }
    const operation = /query\s+(\w+)/.exec(parsed.query ?? "")?.[1] ?? null;
    this.requests.push({ path: req.url ?? "", token: typeof token === "string" ? token : undefined, operation, variables: parsed.variables ?? {} });

    if (req.method !== "POST" || !/^\/admin\/api\/[\w-]+\/graphql\.json$/.test(req.url ?? "")) {
      return { status: 404, body: JSON.stringify({ errors: "Not Found" }) };
    }
    if (this.o.accessToken && token !== this.o.accessToken) {
      return { status: 401, body: JSON.stringify({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" }) };
    }
    const fault = this.scheduled.get(this.requests.length) ?? this.faults.shift();
    if (fault?.kind === "unauthorized") return { status: 401, body: JSON.stringify({ errors: "[API] Invalid API key or access token" }) };
    if (fault?.kind === "http429") return { status: 429, headers: { "Retry-After": fault.retryAfter }, body: JSON.stringify({ errors: "Too Many Requests" }) };
    if (fault?.kind === "http500") return { status: 502, body: "<html>Bad gateway</html>" };
    if (fault?.kind === "graphql-error") return { status: 200, body: JSON.stringify({ errors: [{ message: fault.message }] }) };

    const cost = operation === "WandCatalogPage" ? (this.o.pageCost ?? 52) : 1;
    this.refill();
    if (fault?.kind === "throttled" || this.available < cost) {
      return {
        status: 200,
        body: JSON.stringify({
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
          extensions: { cost: this.costExtension(cost, null) },
        }),
      };
    }
    this.available -= cost;
    if (operation === "WandShop") {
      return { status: 200, body: JSON.stringify({ data: { shop: { name: this.o.shopName ?? "Fake Shop" } }, extensions: { cost: this.costExtension(cost, cost) } }) };
    }
    if (operation !== "WandCatalogPage") {
      return { status: 200, body: JSON.stringify({ errors: [{ message: `Unknown operation ${operation ?? "(none)"}` }] }) };
    }
    const first = Number(parsed.variables?.first ?? 50);
    const after = typeof parsed.variables?.after === "string" ? parsed.variables.after : null;
    const start = after ? Number(Buffer.from(after, "base64").toString("utf8").replace("cursor:", "")) + 1 : 0;
    const nodes = this.o.products.slice(start, start + first);
    const end = start + nodes.length - 1;
    return {
      status: 200,
      body: JSON.stringify({
        data: {
          shop: { currencyCode: this.o.currency ?? "EUR" },
          products: {
            pageInfo: { hasNextPage: end < this.o.products.length - 1, endCursor: nodes.length ? Buffer.from(`cursor:${end}`).toString("base64") : null },
            nodes,
          },
        },
        extensions: { cost: this.costExtension(cost, cost) },
      }),
    };
  }

  private refill(): void {
    const now = Date.now();
    const rate = this.o.restoreRate ?? 100;
    this.available = Math.min(this.o.maximumAvailable ?? 2000, this.available + ((now - this.lastRefill) / 1000) * rate);
    this.lastRefill = now;
  }

  private costExtension(requested: number, actual: number | null) {
    return {
      requestedQueryCost: requested,
      actualQueryCost: actual,
      throttleStatus: { maximumAvailable: this.o.maximumAvailable ?? 2000, currentlyAvailable: Math.floor(this.available), restoreRate: this.o.restoreRate ?? 100 },
    };
  }
}

/** A product node as the Admin API returns it for PRODUCTS_QUERY. */
export function productNode(i: number, overrides: Partial<ProductNode> = {}): ProductNode {
  return {
    id: `gid://shopify/Product/${1000 + i}`,
    handle: `product-${i}`,
    title: `Product ${i}`,
    descriptionHtml: `<p>The <strong>${i}th</strong> product.</p>`,
    vendor: "Acme",
    productType: i % 2 ? "Shirts" : "Hats",
    tags: ["new", " summer "],
    status: "ACTIVE",
    featuredMedia: { preview: { image: { url: `https://cdn.shopify.com/p${i}.jpg`, altText: i % 3 ? `Photo ${i}` : null } } },
    variants: { nodes: [{ id: `gid://shopify/ProductVariant/${5000 + i}`, price: `${10 + i}.5`, compareAtPrice: i % 4 === 0 ? `${20 + i}.00` : null, availableForSale: true }] },
    ...overrides,
  };
}
