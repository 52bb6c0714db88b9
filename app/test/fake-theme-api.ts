import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Shopify's Admin GraphQL API as the setup guide's theme reader meets it, on 127.0.0.1: POST
 * /admin/api/<version>/graphql.json with X-Shopify-Access-Token, answering
 * - `themes(first:, roles: [MAIN])` → the shop's published theme (or none);
 * - `theme(id:) { files(filenames:, first:, after:) }` → OnlineStoreThemeFileConnection: `nodes` with
 *   `filename` and a `body` union (OnlineStoreThemeFileBodyText `content`, …Base64 `contentBase64`,
 *   …Url `url` — a short-lived URL this server also serves), `pageInfo`, and `userErrors`
 *   (OnlineStoreThemeFileReadResult: NOT_FOUND for a named file the theme lacks). `*` in a filename
 *   matches any characters; at most 50 filenames and 2500 files a page, as Shopify documents; a page
 *   may hold fewer files than asked (Shopify's payload limit), set by `maxPerPage`.
 * Without the read_themes scope every theme field answers ACCESS_DENIED, as Shopify does.
 */
export type BodyKind = "text" | "base64" | "url";

export interface FakeTheme {
  id: string;
  name: string;
  /** filename → file text (exactly as stored, comment header and all). */
  files: Record<string, string>;
  /** How a file's body is returned (default text). */
  bodyKinds?: Record<string, BodyKind>;
}

export interface FakeThemeApiOptions {
  accessToken: string;
  theme: FakeTheme | null;
  scopes?: string[];
  /** Files per page at most, whatever `first` asks (Shopify returns fewer to stay in its payload limit). */
  maxPerPage?: number;
}

export interface ThemeApiRequest {
  operation: string | null;
  variables: Record<string, unknown>;
  status: number;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
const cost = (n: number) => ({ cost: { requestedQueryCost: n, actualQueryCost: n, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 2000 - n, restoreRate: 100 } } });
const cursorOf = (i: number) => Buffer.from(`file:${i}`).toString("base64");
const indexOf = (cursor: string) => Number(Buffer.from(cursor, "base64").toString("utf8").replace("file:", ""));

function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

export class FakeThemeApi {
  readonly requests: ThemeApiRequest[] = [];
  /** Answer the next N GraphQL requests with HTTP 502. */
  failNext = 0;
  private server: Server | null = null;
  private readonly bodies = new Map<string, string>();

  constructor(readonly o: FakeThemeApiOptions) {}

  get origin(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error("fake theme API not started");
    return `http://127.0.0.1:${address.port}`;
  }

  /** Changes a file of the published theme, as the theme editor does when the merchant saves. */
  setFile(filename: string, content: string | null): void {
    if (!this.o.theme) throw new Error("the fake shop has no published theme");
    if (content === null) delete this.o.theme.files[filename];
    else this.o.theme.files[filename] = content;
  }

  /** The files queries so far: the filenames each asked for and the cursor it asked after. */
  fileQueries(): { filenames: unknown; after: unknown }[] {
    return this.requests.filter((r) => r.operation === "WandThemeFiles").map((r) => ({ filenames: r.variables.filenames, after: r.variables.after ?? null }));
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, headers, body }) => {
          res.writeHead(status, headers);
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

  private async handle(req: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = req.url ?? "";

    const bodyMatch = /^\/theme-file-bodies\/([\w-]+)$/.exec(url);
    if (req.method === "GET" && bodyMatch) {
      const text = this.bodies.get(bodyMatch[1]!);
      return text === undefined ? { status: 404, headers: {}, body: "Not Found" } : { status: 200, headers: { "Content-Type": "application/json" }, body: text };
    }
    if (req.method !== "POST" || !/^\/admin\/api\/[\w-]+\/graphql\.json$/.test(url)) return json(404, { errors: "Not Found" });

    let parsed: { query?: string; variables?: Record<string, unknown> };
    try {
      parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof parsed;
    } catch {
      return json(400, { errors: "Bad Request" });
    }
    const operation = /query\s+(\w+)/.exec(parsed.query ?? "")?.[1] ?? null;
    const variables = parsed.variables ?? {};
    const answer = this.answer(req, operation, parsed.query ?? "", variables);
    this.requests.push({ operation, variables, status: answer.status });
    return answer;
  }

  private answer(req: IncomingMessage, operation: string | null, query: string, variables: Record<string, unknown>) {
    if (req.headers["x-shopify-access-token"] !== this.o.accessToken) {
      return json(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    }
    if (this.failNext > 0) {
      this.failNext--;
      return { status: 502, headers: { "Content-Type": "text/html" }, body: "<html>Bad gateway</html>" };
    }
    const field = operation === "WandMainTheme" ? "themes" : operation === "WandThemeFiles" ? "theme" : null;
    if (!field) return json(200, { errors: [{ message: `Field is not defined on QueryRoot (operation ${operation ?? "(none)"})`, extensions: { code: "undefinedField" } }] });
    if (!(this.o.scopes ?? ["read_products", "read_customers", "read_themes"]).includes("read_themes")) {
      return json(200, {
        errors: [
          {
            message: `Access denied for ${field} field. Required access: \`read_themes\` access scope.`,
            locations: [{ line: 3, column: 5 }],
            path: [field],
            extensions: { code: "ACCESS_DENIED", documentation: "https://shopify.dev/api/usage/access-scopes", requiredAccess: "`read_themes` access scope." },
          },
        ],
        data: null,
        extensions: cost(1),
      });
    }
    if (operation === "WandMainTheme") {
      if (!/roles:\s*\[MAIN\]/.test(query)) return json(200, { errors: [{ message: "the fake answers only themes(roles: [MAIN])" }] });
      const theme = this.o.theme;
      return json(200, { data: { themes: { nodes: theme ? [{ id: theme.id, name: theme.name, role: "MAIN" }] : [] } }, extensions: cost(1) });
    }
    return this.files(variables);
  }

  private files(variables: Record<string, unknown>) {
    const theme = this.o.theme;
    if (!theme || variables.id !== theme.id) return json(200, { data: { theme: null }, extensions: cost(1) });
    const filenames = Array.isArray(variables.filenames) ? variables.filenames.filter((f): f is string => typeof f === "string") : null;
    const first = typeof variables.first === "number" ? variables.first : 50;
    if (filenames && filenames.length > 50) return json(200, { errors: [{ message: "At most 50 filenames can be specified.", extensions: { code: "BAD_REQUEST" } }] });
    if (first > 2500) return json(200, { errors: [{ message: "At most 2500 files can be fetched at once.", extensions: { code: "BAD_REQUEST" } }] });

    const all = Object.keys(theme.files).sort();
    const matching = filenames ? all.filter((f) => filenames.some((p) => globToRegExp(p).test(f))) : all;
    const start = typeof variables.after === "string" ? indexOf(variables.after) + 1 : 0;
    const size = Math.min(first, this.o.maxPerPage ?? first);
    const page = matching.slice(start, start + size);
    const end = start + page.length - 1;
    const userErrors = start === 0 && filenames ? filenames.filter((p) => !p.includes("*") && !all.includes(p)).map((filename) => ({ code: "NOT_FOUND", filename })) : [];
    return json(200, {
      data: {
        theme: {
          files: {
            nodes: page.map((filename) => ({ filename, body: this.body(theme, filename) })),
            pageInfo: { hasNextPage: end < matching.length - 1, endCursor: page.length ? cursorOf(end) : null },
            userErrors,
          },
        },
      },
      extensions: cost(1 + Math.ceil(page.length / 10)),
    });
  }

  private body(theme: FakeTheme, filename: string) {
    const text = theme.files[filename]!;
    const kind = theme.bodyKinds?.[filename] ?? "text";
    if (kind === "base64") return { __typename: "OnlineStoreThemeFileBodyBase64", contentBase64: Buffer.from(text, "utf8").toString("base64") };
    if (kind === "url") {
      const token = `b${this.bodies.size + 1}-${Date.now()}`;
      this.bodies.set(token, text);
      return { __typename: "OnlineStoreThemeFileBodyUrl", url: `${this.origin}/theme-file-bodies/${token}` };
    }
    return { __typename: "OnlineStoreThemeFileBodyText", content: text };
  }
}
