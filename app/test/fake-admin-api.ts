import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Shopify's Admin GraphQL API as the admin meets it, on 127.0.0.1: POST
 * /admin/api/<version>/graphql.json with X-Shopify-Access-Token, answering the WandShop operation
 * (the shop's name, read after install) with a cost extension, and recording every request. The
 * catalog itself is read by the edge's CatalogSync (edge-worker/test/fake-admin-api.ts serves that);
 * the admin's tests use this server to prove the admin never asks for products. It also keeps the
 * app's web pixel record (webPixelCreate, webPixelUpdate, webPixel) for the pixel activation tests.
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
  /** The app's web pixel on the shop (webPixelCreate/webPixelUpdate/webPixel); settings as a JSON string. */
  webPixel: { id: string; settings: string } | null = null;
  /** The next N web pixel mutations fail: "http" answers 500, "user-error" an UNEXPECTED_ERROR. */
  webPixelFailures: { count: number; kind: "http" | "user-error" } = { count: 0, kind: "http" };
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
    const operation = /(?:query|mutation)\s+(\w+)/.exec(parsed.query ?? "")?.[1] ?? null;
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
    if (operation === "WandWebPixelCreate" || operation === "WandWebPixelUpdate" || operation === "WandWebPixel") {
      return this.webPixelOperation(operation, parsed.variables ?? {}, cost);
    }
    return { status: 200, body: JSON.stringify({ errors: [{ message: `Unknown operation ${operation ?? "(none)"}` }] }) };
  }

  /**
   * Shopify's web pixel record, one per app and shop: create answers TAKEN when it exists, settings
   * must match extensions/wand-pixel's definition (store and endpoint, non-empty text) or the
   * mutation answers INVALID_SETTINGS, and `webPixel` without an id is the app's pixel.
   */
  private webPixelOperation(operation: string, variables: Record<string, unknown>, cost: unknown): { status: number; body: string } {
    const ok = (data: unknown) => ({ status: 200, body: JSON.stringify({ data, extensions: { cost } }) });
    const field = operation === "WandWebPixelCreate" ? "webPixelCreate" : "webPixelUpdate";
    const userError = (code: string, message: string) => ok({ [field]: { webPixel: null, userErrors: [{ code, field: ["webPixel"], message }] } });
    if (operation === "WandWebPixel") {
      if (!this.webPixel) return { status: 200, body: JSON.stringify({ data: { webPixel: null }, errors: [{ message: "No web pixel was found for this app.", extensions: { code: "NOT_FOUND" } }] }) };
      return ok({ webPixel: this.webPixel });
    }
    if (this.webPixelFailures.count > 0) {
      this.webPixelFailures.count--;
      if (this.webPixelFailures.kind === "http") return { status: 500, body: JSON.stringify({ errors: "Internal Server Error" }) };
      return userError("UNEXPECTED_ERROR", "An unexpected error occurred.");
    }
    const input = variables.webPixel as { settings?: unknown } | undefined;
    let settings: unknown = input?.settings;
    if (typeof settings === "string") {
      try {
        settings = JSON.parse(settings);
      } catch {
        return userError("INVALID_CONFIGURATION_JSON", "The provided settings is not a valid JSON.");
      }
    }
    const fields = settings && typeof settings === "object" ? (settings as Record<string, unknown>) : {};
    const valid = Object.keys(fields).every((k) => k === "store" || k === "endpoint") && ["store", "endpoint"].every((k) => typeof fields[k] === "string" && (fields[k] as string).length > 0);
    if (!valid) return userError("INVALID_SETTINGS", "The provided settings does not match the expected settings definition on the app.");
    if (operation === "WandWebPixelCreate") {
      if (this.webPixel) return userError("TAKEN", "Web pixel is taken.");
      this.webPixel = { id: "gid://shopify/WebPixel/1", settings: JSON.stringify(fields) };
      return ok({ webPixelCreate: { webPixel: this.webPixel, userErrors: [] } });
    }
    if (!this.webPixel || variables.id !== this.webPixel.id) return userError("NOT_FOUND", "The record with the ID used as the input value couldn't be found.");
    this.webPixel = { ...this.webPixel, settings: JSON.stringify(fields) };
    return ok({ webPixelUpdate: { webPixel: this.webPixel, userErrors: [] } });
  }
}
