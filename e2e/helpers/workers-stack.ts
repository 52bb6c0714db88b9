import type { ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runToEnd, spawnGroup, stopGroup, waitForHttp } from "../../scripts/process-group.ts";
import { localRouterConfig, localWorkerConfig, localWorkersArgs } from "../../scripts/local-workers.ts";
import { seedDemoStores } from "../../scripts/seed.ts";
import { generatorEnv, quietEnv, repoRoot } from "./journey-stack.ts";

/**
 * The generator, the edge and the admin for the browser tests that need the admin (admin-stack.ts,
 * setup-guide-stack.ts), with a fresh persist directory seeded like `npm start` seeds it, and the two
 * Workers in ONE `wrangler dev` (one workerd) behind the local router, as `npm start` runs them
 * (why: scripts/local-workers.ts).
 *
 * Both Workers run from a copy of their code taken at the start (the edge's source with core/, the
 * admin's server build): `wrangler dev` watches what it bundles and reloads a Worker when a file
 * changes, and in a working tree that others edit (or rebuild app/build in) a reload in the middle of
 * the test loses what the isolate held — a queued generation's enqueue, the batched proxy count —
 * so the generation or the proxy step never ticked. The copy is what was there when the test began.
 *
 * The test's values are the Workers' vars; no `.dev.vars` is written beside the config copies, so
 * nothing of a developer's local secrets reaches the test.
 */

export interface WorkersOptions {
  port: number;
  inspectorPort: number;
  generatorPort: number;
  /** An OpenAI-compatible LLM for the generator; without one it runs in template mode. */
  llm?: { baseUrl: string } | null;
  edgeVars: Record<string, string>;
  adminVars: Record<string, string>;
  /** Runs after the demo stores are seeded, before the Workers start (extra D1 rows). */
  afterSeed?: (persistDir: string) => Promise<void>;
}

export interface Workers {
  /** The router's origin: the edge under /s/, /proxy, /pixel, /ops, /healthz; the admin under everything else (/app, /webhooks …). */
  url: string;
  persistDir: string;
  output(): string;
  stop(): Promise<void>;
}

const bin = (name: string) => resolve(repoRoot, "node_modules/.bin", name);

/** Builds the admin (remix vite:build) so the test runs the code as it is now. */
async function buildAdmin(log: string[]): Promise<void> {
  await runToEnd("npm", ["run", "build:admin"], { cwd: repoRoot, env: quietEnv(), log });
  if (!existsSync(resolve(repoRoot, "app/build/server/index.js"))) throw new Error("the admin build wrote no server bundle");
}

export async function startWorkers(o: WorkersOptions): Promise<Workers> {
  const log: string[] = [];
  const collect = (name: string) => (chunk: Buffer) => log.push(`[${name}] ${chunk.toString("utf8")}`);
  const persistDir = mkdtempSync(join(tmpdir(), "wand-workers-"));
  const children: ChildProcess[] = [];
  const removeAfter = [persistDir];
  const stop = async () => {
    for (const child of children.splice(0).reverse()) await stopGroup(child);
    for (const dir of removeAfter.splice(0)) rmSync(dir, { recursive: true, force: true });
  };
  const failed = (what: string) => new Error(`${what}:\n${log.join("").slice(-6000)}`);
  try {
    await buildAdmin(log);
    // Inside the repository, so bare imports resolve to its node_modules; the same layout, so the
    // relative imports between edge-worker/ and core/ hold.
    const code = mkdtempSync(join(repoRoot, "node_modules/.cache/wand-workers-code-"));
    removeAfter.push(code);
    const keep = (path: string) => !/[/\\](node_modules|\.wrangler|\.dev\.vars)$/.test(path);
    for (const dir of ["edge-worker", "core"]) cpSync(resolve(repoRoot, dir), join(code, dir), { recursive: true, filter: keep });
    for (const file of ["app/server.ts", "app/wrangler.jsonc"]) cpSync(resolve(repoRoot, file), join(code, file));
    const adminBuild = join(code, "app/build");
    cpSync(resolve(repoRoot, "app/build"), adminBuild, { recursive: true });
    if (!existsSync(join(adminBuild, "server/index.js")) || !existsSync(join(adminBuild, "client"))) throw failed("app/build changed while it was copied (another build running?)");
    await seedDemoStores(persistDir, (line) => log.push(`[seed] ${line}\n`));
    await o.afterSeed?.(persistDir);

    const generator = spawnGroup(bin("tsx"), [resolve(repoRoot, "container/src/main.ts")], { cwd: repoRoot, env: generatorEnv(o.generatorPort, o.llm), onOutput: collect("generator") });
    children.push(generator);

    const router = localRouterConfig(persistDir, "wand-test-router");
    const admin = localWorkerConfig(join(code, "app/wrangler.jsonc"), persistDir, "admin", {
      // Local mode: the seeded demo shops, no Shopify (app/local-mode.server.ts).
      vars: { WAND_LOCAL_ADMIN: "1", ...o.adminVars },
      // app/server.ts imports its server build as #admin-server-build (package.json "imports").
      extra: { alias: { "#admin-server-build": join(adminBuild, "server/index.js") } },
    });
    const edge = localWorkerConfig(join(code, "edge-worker/wrangler.jsonc"), persistDir, "edge", { vars: { GENERATOR_URL: `http://127.0.0.1:${o.generatorPort}`, ...o.edgeVars } });
    const args = [...localWorkersArgs({ router, admin, edge, ip: "127.0.0.1", port: o.port, inspectorPort: o.inspectorPort, persistDir }), "--log-level", "warn"];
    // A registry of its own: nothing outside this test can bind to these Workers, nor they to another's.
    const workers = spawnGroup(bin("wrangler"), args, { cwd: repoRoot, env: { ...quietEnv(), WRANGLER_REGISTRY_PATH: join(persistDir, "dev-registry") }, onOutput: collect("workers") });
    children.push(workers);

    const url = `http://127.0.0.1:${o.port}`;
    const up = async (target: string, child: ChildProcess, what: string) => {
      const outcome = await waitForHttp(target, { timeoutMs: 120_000, intervalMs: 250, requestTimeoutMs: 3000, process: child });
      if (outcome !== "ready") throw failed(`${what} ${outcome === "exited" ? "exited" : "did not answer"} (${target})`);
    };
    await up(`http://127.0.0.1:${o.generatorPort}/healthz`, generator, "the generator");
    await up(`${url}/healthz`, workers, "the edge");
    await up(`${url}/app`, workers, "the admin");
    return { url, persistDir, output: () => log.join(""), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
