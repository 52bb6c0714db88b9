import { startWorkers } from "./workers-stack.ts";

/**
 * What `npm start` runs, on ports of the test's own: the generator, then the edge and the admin
 * Worker (local mode: the seeded demo shops, no Shopify) in one `wrangler dev` behind the local
 * router, on a fresh persist directory seeded with the demo stores (workers-stack.ts). Every process
 * runs in its own process group and is stopped by its id.
 */

export interface AdminStack {
  /** The router's origin: the admin under /app and /webhooks, the edge under /s/, /proxy, /pixel, /ops, /healthz. */
  adminUrl: string;
  /** The same origin (one router serves both), named for the edge's routes. */
  edgeUrl: string;
  output(): string;
  stop(): Promise<void>;
}

export interface AdminStackOptions {
  port: number;
  inspectorPort: number;
  generatorPort: number;
  /** An OpenAI-compatible LLM for the generator (without one it runs in template mode, and no page is ever stored). */
  llm?: { baseUrl: string } | null;
  /** Extra vars of the admin, e.g. SHOPIFY_ADMIN_API_ORIGIN of a fake Admin API. */
  adminVars?: Record<string, string>;
}

export async function startAdminStack(o: AdminStackOptions): Promise<AdminStack> {
  const workers = await startWorkers({
    port: o.port,
    inspectorPort: o.inspectorPort,
    generatorPort: o.generatorPort,
    llm: o.llm ?? null,
    edgeVars: { OPS_TOKEN: "e2e-admin-ops-token" },
    adminVars: o.adminVars ?? {},
  });
  return { adminUrl: workers.url, edgeUrl: workers.url, output: () => workers.output(), stop: () => workers.stop() };
}
