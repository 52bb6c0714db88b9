import { createServer, type IncomingMessage, type Server } from "node:http";
import { listenOnLoopback } from "./loopback-server.ts";

/**
 * A stand-in for Shopify's Admin GraphQL API, just enough for the customer-profile refresh: it
 * answers `customer(id:)` with numberOfOrders (an UnsignedInt64, sent as a string), amountSpent and
 * tags, checks the offline token, and records every call. A customer can be held: its answer waits
 * until the test releases it, which proves the shopper's page never waits for Shopify.
 */

export interface AdminCustomer {
  numberOfOrders: string;
  amountSpent: { amount: string; currencyCode: string };
  tags: string[];
}

export interface AdminCall {
  path: string;
  token: string | null;
  query: string;
  variables: Record<string, unknown>;
}

export interface AdminServer {
  url: string;
  calls: AdminCall[];
  /** Holds answers for this customer id until the returned release() is called. */
  hold: (customerId: string) => () => void;
  stop: () => Promise<void>;
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      try {
        resolve(JSON.parse(body));
      } catch (error) {
        reject(error as Error);
      }
    });
    req.on("error", reject);
  });
}

export async function startAdminServer(o: { port: number; accessToken: string; customers: Record<string, AdminCustomer> }): Promise<AdminServer> {
  const calls: AdminCall[] = [];
  const held = new Map<string, Promise<void>>();

  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    void (async () => {
      if (req.method !== "POST" || !/^\/admin\/api\/\d{4}-\d{2}\/graphql\.json$/.test(req.url ?? "")) return send(404, { errors: "Not Found" });
      const token = typeof req.headers["x-shopify-access-token"] === "string" ? req.headers["x-shopify-access-token"] : null;
      const body = (await readJson(req)) as { query?: string; variables?: Record<string, unknown> };
      calls.push({ path: req.url ?? "", token, query: body.query ?? "", variables: body.variables ?? {} });
      if (token !== o.accessToken) return send(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
      const gid = String(body.variables?.id ?? "");
      const id = /^gid:\/\/shopify\/Customer\/(\d+)$/.exec(gid)?.[1];
      if (!id) return send(200, { errors: [{ message: `Invalid global id '${gid}'` }] });
      await held.get(id);
      send(200, { data: { customer: o.customers[id] ?? null }, extensions: { cost: { requestedQueryCost: 1 } } });
    })().catch((error: unknown) => send(500, { errors: String(error) }));
  });
  const url = await listenOnLoopback(server, o.port);
  return {
    url,
    calls,
    hold: (customerId) => {
      let release = () => {};
      held.set(customerId, new Promise<void>((resolve) => (release = resolve)));
      return () => {
        held.delete(customerId);
        release();
      };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
