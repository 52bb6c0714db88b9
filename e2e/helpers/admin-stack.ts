import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runToEnd, spawnGroup, stopGroup, waitForHttp } from "../../scripts/process-group.ts";
import { quietEnv, repoRoot, type Stack, startStack } from "./journey-stack.ts";

/**
 * What `npm start` runs for the admin, on ports of our own (18300-18399): the generator and the edge
 * (journey-stack.ts, seeded with the demo stores on a fresh persist directory), then the admin
 * Worker in `wrangler dev` in local mode on the same persist directory (so on the same D1), reaching
 * the edge's EdgeApi through wrangler's dev registry. The registry is a fresh directory too, so this
 * admin can only ever bind to this test's edge, never to another `wrangler dev` on the machine.
 * Every process runs in its own process group and is stopped by its id.
 */

export interface AdminStack {
  adminUrl: string;
  edgeUrl: string;
  edge: Stack;
  output(): string;
  stop(): Promise<void>;
}

export interface AdminStackOptions {
  adminPort: number;
  adminInspectorPort: number;
  edgePort: number;
  edgeInspectorPort: number;
  generatorPort: number;
  /** An OpenAI-compatible LLM for the generator (without one it runs in template mode, and no page is ever stored). */
  llm?: { baseUrl: string } | null;
  /** Extra vars of the edge (`--var`), e.g. SHOPIFY_API_SECRET to sign app proxy requests. */
  edgeVars?: Record<string, string>;
  /** Extra vars of the admin (`--var`), e.g. SHOPIFY_ADMIN_API_ORIGIN of a fake Admin API. */
  adminVars?: Record<string, string>;
  /** Runs after the demo stores are seeded, before the Workers start (extra D1 rows). */
  afterSeed?: (persistDir: string) => Promise<void>;
}

const bin = (name: string) => resolve(repoRoot, "node_modules/.bin", name);

/** Builds the admin (remix vite:build) so the test runs the code as it is now. */
export async function buildAdmin(log: string[] = []): Promise<void> {
  await runToEnd("npm", ["run", "build:admin"], { cwd: repoRoot, env: quietEnv(), log });
  if (!existsSync(resolve(repoRoot, "app/build/server/index.js"))) throw new Error("the admin build wrote no server bundle");
}

export async function startAdminStack(o: AdminStackOptions): Promise<AdminStack> {
  const log: string[] = [];
  // Before the edge starts: it registers itself in this registry, and only the admin below looks there.
  const registry = mkdtempSync(join(tmpdir(), "wand-admin-registry-"));
  const previousRegistry = process.env.WRANGLER_REGISTRY_PATH;
  process.env.WRANGLER_REGISTRY_PATH = registry;
  let edge: Stack | null = null;
  let admin: ChildProcess | null = null;
  const stop = async () => {
    if (admin) await stopGroup(admin);
    admin = null;
    await edge?.stop();
    edge = null;
    rmSync(registry, { recursive: true, force: true });
    if (previousRegistry === undefined) delete process.env.WRANGLER_REGISTRY_PATH;
    else process.env.WRANGLER_REGISTRY_PATH = previousRegistry;
  };
  try {
    await buildAdmin(log);
    edge = await startStack({ edgePort: o.edgePort, generatorPort: o.generatorPort, inspectorPort: o.edgeInspectorPort, opsToken: "e2e-admin-ops-token", llm: o.llm ?? null, ...(o.edgeVars ? { edgeVars: o.edgeVars } : {}), ...(o.afterSeed ? { afterSeed: o.afterSeed } : {}) });
    const adminProcess = spawnGroup(
      bin("wrangler"),
      [
        "dev",
        "-c",
        resolve(repoRoot, "app/wrangler.jsonc"),
        "--ip",
        "127.0.0.1",
        "--port",
        String(o.adminPort),
        "--inspector-port",
        String(o.adminInspectorPort),
        "--persist-to",
        edge.persistDir,
        "--show-interactive-dev-session=false",
        "--log-level",
        "warn",
        // Local mode: the seeded demo shops, no Shopify (see app/local-mode.server.ts).
        "--var",
        "WAND_LOCAL_ADMIN:1",
        ...Object.entries(o.adminVars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
      ],
      { cwd: repoRoot, env: quietEnv(), onOutput: (c) => log.push(`[admin] ${c.toString("utf8")}`) },
    );
    admin = adminProcess;
    const adminUrl = `http://127.0.0.1:${o.adminPort}`;
    const outcome = await waitForHttp(`${adminUrl}/app`, { timeoutMs: 90_000, intervalMs: 300, requestTimeoutMs: 3000, process: adminProcess });
    if (outcome === "exited") throw new Error(`the admin exited with ${adminProcess.exitCode}:\n${log.join("").slice(-4000)}`);
    if (outcome === "timeout") throw new Error(`the admin did not answer ${adminUrl}/app:\n${log.join("").slice(-4000)}`);
    const edgeStack = edge;
    return { adminUrl, edgeUrl: edgeStack.edgeUrl, edge: edgeStack, output: () => `${edgeStack.output()}\n${log.join("")}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
