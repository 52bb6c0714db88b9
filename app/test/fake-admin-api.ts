import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Shopify's Admin GraphQL API as the admin meets it, on 127.0.0.1: POST
 * /admin/api/<version>/graphql.json with X-Shopify-Access-Token, answering the WandShop operation
 * (the shop's name, read after install) with a cost extension, and recording every request. The
 * catalog itself is read by the edge's CatalogSync (edge-worker/test/fake-admin-api.ts serves that);
 * the admin's tests use this server to prove the admin never asks for products.
 */
export interface RecordedRequest {
  path: string;
  token: string | undefined;
  operation: string | null;
  variables: Record<string, unknown>;
}

export interface FakeAdminApiOptions {
  shopName?: string;
  /** When set, any other token is refused with 401 as Shopify does. */
  accessToken?: string;
}

export class FakeAdminApi {
  readonly requests: RecordedRequest[] = [];
  private server: Server | null = null;

  constructor(private readonly o: FakeAdminApiOptions = {}) {}

  get origin(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error("fake Admin API not started");
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, body }) => {
          res.writeHead(status, { "Content-Type": "application/json" });
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

  private async handle(req: IncomingMessage): Promise<{ status: number; body: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const token = req.headers["x-shopify-access-token"];
    let parsed: { query?: string; variables?: Record<string, unknown> } = {};
    try {
      parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof parsed;
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
    const cost = { requestedQueryCost: 1, actualQueryCost: 1, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1999, restoreRate: 100 } };
    if (operation === "WandShop") {
      return { status: 200, body: JSON.stringify({ data: { shop: { name: this.o.shopName ?? "Fake Shop" } }, extensions: { cost } }) };
    }
    return { status: 200, body: JSON.stringify({ errors: [{ message: `Unknown operation ${operation ?? "(none)"}` }] }) };
  }
}
