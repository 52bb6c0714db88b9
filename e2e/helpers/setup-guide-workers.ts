import type { ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { stripJsonComments } from "../../edge-worker/test/hermetic-config.ts";
import { spawnGroup, stopGroup, waitForHttp } from "../../scripts/process-group.ts";
import { seedDemoStores } from "../../scripts/seed.ts";
import { buildAdmin } from "./admin-stack.ts";
import { quietEnv, repoRoot } from "./journey-stack.ts";

/**
 * The generator, the edge and the admin for the setup guide's browser test, with a fresh persist
 * directory seeded like `npm start` seeds it — but the two Workers in ONE `wrangler dev` (one workerd),
 * not two.
 *
 * Why: local D1 is a SQLite file that workerd opens without a busy timeout. Two `wrangler dev`
 * processes on one --persist-to directory (admin-stack.ts, `npm start`) each open it, and whenever
 * one holds a write lock the other's query fails at once with SQLITE_BUSY, which reaches the Worker
 * as `D1_ERROR: … internal error; reference = …` (seen here: the edge's countProducts in
 * CatalogSync.state and the catalog sync's slices failing while the admin read D1). In one workerd
 * the D1 object is one instance, its queries serialised, as on Cloudflare where both Workers share
 * one database. The admin reaches the edge's EdgeApi through the service binding of its own config,
 * in-process. Only the first Worker of a multi-config `wrangler dev` gets a port, so a small router
 * Worker (setup-guide-router.ts) comes first and forwards by path.
 *
 * Both Workers run from a copy of their code taken at the start (the edge's source with core/, the
 * admin's server build): `wrangler dev` watches what it bundles and reloads a Worker when a file
 * changes, and in a working tree that others edit (or rebuild app/build in) a reload in the middle of
 * the test loses what the isolate held — a queued generation's enqueue, the batched proxy count —
 * so the generation or the proxy step never ticked. The copy is what was there when the test began.
 *
 * Each Worker's config is a copy of its wrangler.jsonc, written to the persist directory with
 * absolute paths and this test's vars (the two Workers need different SHOPIFY_ADMIN_API_ORIGINs,
 * which `--var` cannot give: it applies to every Worker of the session); no `.dev.vars` is beside
 * them, so nothing of a developer's local secrets reaches the test.
 */

export interface WorkersOptions {
  port: number;
  inspectorPort: number;
  generatorPort: number;
  llm: { baseUrl: string };
  edgeVars: Record<string, string>;
  adminVars: Record<string, string>;
  /** Runs after the demo stores are seeded, before the Workers start (extra D1 rows). */
  afterSeed?: (persistDir: string) => Promise<void>;
}

export interface Workers {
  /** The router's origin: the admin under /app, the edge under /proxy, /s/, /ops/, /healthz. */
  url: string;
  persistDir: string;
  output(): string;
  stop(): Promise<void>;
}

const bin = (name: string) => resolve(repoRoot, "node_modules/.bin", name);

/** A Worker's wrangler.jsonc as JSON in `outDir`, its paths absolute and `vars` added. */
function configCopy(configPath: string, outDir: string, name: string, vars: Record<string, string>, extra: Record<string, unknown> = {}): string {
  const base = dirname(configPath);
  const config = JSON.parse(stripJsonComments(readFileSync(configPath, "utf8"))) as Record<string, unknown>;
  delete config.$schema;
  const abs = (p: unknown): unknown => (typeof p === "string" ? resolve(base, p) : p);
  config.main = abs(config.main);
  const assets = config.assets as Record<string, unknown> | undefined;
  if (assets) assets.directory = abs(assets.directory);
  for (const db of (config.d1_databases as Record<string, unknown>[] | undefined) ?? []) db.migrations_dir = abs(db.migrations_dir);
  // No Docker here, and the auxiliary Workers of a multi-config session ignore their own
  // `dev.enable_containers: false` (wrangler then insists on building the image): without the
  // `containers` entry GeneratorContainer is a plain Durable Object class, which the edge never
  // touches locally anyway (GENERATOR_URL selects the HTTP transport first; edge-worker/wrangler.jsonc).
  delete config.containers;
  config.vars = { ...(config.vars as Record<string, string> | undefined), ...vars };
  Object.assign(config, extra);
  const out = join(outDir, `${name}.wrangler.json`);
  writeFileSync(out, JSON.stringify(config, null, 2));
  return out;
}

export async function startWorkers(o: WorkersOptions): Promise<Workers> {
  const log: string[] = [];
  const collect = (name: string) => (chunk: Buffer) => log.push(`[${name}] ${chunk.toString("utf8")}`);
  const persistDir = mkdtempSync(join(tmpdir(), "wand-setup-guide-"));
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
    const code = mkdtempSync(join(repoRoot, "node_modules/.cache/wand-setup-guide-code-"));
    removeAfter.push(code);
    const keep = (path: string) => !/[/\\](node_modules|\.wrangler|\.dev\.vars)$/.test(path);
    for (const dir of ["edge-worker", "core"]) cpSync(resolve(repoRoot, dir), join(code, dir), { recursive: true, filter: keep });
    for (const file of ["app/server.ts", "app/wrangler.jsonc"]) cpSync(resolve(repoRoot, file), join(code, file));
    const adminBuild = join(code, "app/build");
    cpSync(resolve(repoRoot, "app/build"), adminBuild, { recursive: true });
    if (!existsSync(join(adminBuild, "server/index.js")) || !existsSync(join(adminBuild, "client"))) throw failed("app/build changed while it was copied (another build running?)");
    await seedDemoStores(persistDir, (line) => log.push(`[seed] ${line}\n`));
    await o.afterSeed?.(persistDir);

    const generatorEnv = { ...quietEnv(), PORT: String(o.generatorPort), HOST: "127.0.0.1", LLM_BASE_URL: o.llm.baseUrl, LLM_API_KEY: "fake-key", LLM_MODEL: "fake-llm-32k" };
    const generator = spawnGroup(bin("tsx"), [resolve(repoRoot, "container/src/main.ts")], { cwd: repoRoot, env: generatorEnv, onOutput: collect("generator") });
    children.push(generator);

    const router = join(persistDir, "router.wrangler.json");
    writeFileSync(
      router,
      JSON.stringify({
        name: "wand-setup-guide-router",
        main: resolve(repoRoot, "e2e/helpers/setup-guide-router.ts"),
        compatibility_date: "2026-07-01",
        services: [
          { binding: "ADMIN", service: "wandstore-admin" },
          { binding: "EDGE", service: "wandstore-edge" },
        ],
      }),
    );
    const admin = configCopy(join(code, "app/wrangler.jsonc"), persistDir, "admin", o.adminVars, {
      // app/server.ts imports its server build as #admin-server-build (package.json "imports").
      alias: { "#admin-server-build": join(adminBuild, "server/index.js") },
    });
    const edge = configCopy(join(code, "edge-worker/wrangler.jsonc"), persistDir, "edge", { GENERATOR_URL: `http://127.0.0.1:${o.generatorPort}`, ...o.edgeVars });
    const args = ["dev", "-c", router, "-c", admin, "-c", edge, "--ip", "127.0.0.1", "--port", String(o.port), "--inspector-port", String(o.inspectorPort)];
    args.push("--persist-to", persistDir, "--show-interactive-dev-session=false", "--log-level", "warn");
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
