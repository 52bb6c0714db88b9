import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CatalogProduct, ShopSettings } from "../../core/types.ts";
import { storageOnlyConfig } from "../../scripts/cache/storage-config.ts";
import { spawnGroup, stopGroup, waitForHttp } from "../../scripts/process-group.ts";
import { type SeedBindings, seedDemoStores, seedStore } from "../../scripts/seed.ts";
import { startDispatcher } from "./journey-dispatcher.ts";

/**
 * The servers `npm start` runs — the generator (`container/`, a Node process) and the edge worker
 * (`wrangler dev`) — started on ports of our own with a fresh persist directory, so a browser test or
 * a benchmark never touches a developer's `npm start` state or ports. Seeded like `npm start` seeds.
 * Every process is started in its own process group and stopped by its id.
 */

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const bin = (name: string) => resolve(repoRoot, "node_modules/.bin", name);
export const EDGE_CONFIG = resolve(repoRoot, "edge-worker/wrangler.jsonc");

export interface StackOptions {
  edgePort: number;
  generatorPort: number;
  /** wrangler dev opens a devtools port too (default 9229): give it one of ours so stacks never collide. */
  inspectorPort: number;
  /** An OpenAI-compatible LLM for the generator; without one it runs in template mode. */
  llm?: { baseUrl: string; model?: string } | null;
  opsToken: string;
  /** Extra edge vars (e.g. a shorter retry base) as wrangler `--var` pairs. */
  edgeVars?: Record<string, string>;
  /**
   * Generator processes (default 1, as `npm start`). With more, they listen on generatorPort+1… and a
   * dispatcher on generatorPort spreads the pool's calls (production has one container per member).
   */
  generatorProcesses?: number;
  /** Runs after the demo stores are seeded, before the edge starts (extra stores for a benchmark). */
  afterSeed?: (persistDir: string) => Promise<void>;
}

export interface Stack {
  edgeUrl: string;
  generatorUrl: string;
  opsToken: string;
  /** The directory given to --persist-to (the state is in its v3/). */
  persistDir: string;
  /** Everything the processes printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

interface Started {
  name: string;
  child: ChildProcess;
}

function startProcess(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, log: string[]): Started {
  const collect = (chunk: Buffer) => {
    log.push(`[${name}] ${chunk.toString("utf8")}`);
    if (log.length > 2000) log.splice(0, log.length - 2000);
  };
  return { name, child: spawnGroup(command, args, { cwd: repoRoot, env, onOutput: collect }) };
}

async function waitUntilUp(url: string, what: string, started: Started, log: string[], timeoutMs = 90_000): Promise<void> {
  const outcome = await waitForHttp(url, { timeoutMs, intervalMs: 200, requestTimeoutMs: 2000, process: started.child });
  if (outcome === "exited") throw new Error(`${what} exited with ${started.child.exitCode}:\n${log.join("").slice(-4000)}`);
  if (outcome === "timeout") throw new Error(`${what} did not answer ${url} within ${timeoutMs} ms:\n${log.join("").slice(-4000)}`);
}

/** The generator's environment on `port`: the fake LLM when given one, else template mode (no key). */
export function generatorEnv(port: number, llm?: { baseUrl: string; model?: string } | null): NodeJS.ProcessEnv {
  const llmEnv = llm ? { LLM_BASE_URL: llm.baseUrl, LLM_API_KEY: "fake-key", LLM_MODEL: llm.model ?? "fake-llm-32k" } : { LLM_API_KEY: "" };
  return { ...quietEnv(), PORT: String(port), HOST: "127.0.0.1", ...llmEnv };
}

/** The environment of every wrangler / generator process: no telemetry, no colours, no prompts. */
export const quietEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  CHECKPOINT_DISABLE: "1",
  NO_COLOR: "1",
  CI: "1",
});

export async function startStack(options: StackOptions): Promise<Stack> {
  const log: string[] = [];
  const persistDir = mkdtempSync(join(tmpdir(), "wand-stack-"));
  const started: Started[] = [];
  const closers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const p of started.reverse()) await stopGroup(p.child);
    started.length = 0;
    for (const close of closers.splice(0)) await close();
    rmSync(persistDir, { recursive: true, force: true });
  };
  try {
    // Exactly what `npm start` seeds (scripts/seed.ts): migrations, the demo stores' settings and
    // product rows in D1, their settings snapshots in KV.
    await seedDemoStores(persistDir, (line) => log.push(`[seed] ${line}\n`));
    await options.afterSeed?.(persistDir);

    const generatorUrl = `http://127.0.0.1:${options.generatorPort}`;
    const processes = Math.max(1, options.generatorProcesses ?? 1);
    const generatorPorts = processes === 1 ? [options.generatorPort] : Array.from({ length: processes }, (_, i) => options.generatorPort + 1 + i);
    const generators = generatorPorts.map((port, i) => {
      const generator = startProcess(processes === 1 ? "generator" : `generator-${i}`, bin("tsx"), [resolve(repoRoot, "container/src/main.ts")], generatorEnv(port, options.llm), log);
      started.push(generator);
      return { port, generator };
    });
    if (processes > 1) {
      const dispatcher = await startDispatcher(options.generatorPort, generatorPorts);
      closers.push(dispatcher.close);
    }

    const vars = { GENERATOR_URL: generatorUrl, OPS_TOKEN: options.opsToken, ...options.edgeVars };
    const edge = startProcess(
      "edge",
      bin("wrangler"),
      [
        "dev",
        "-c",
        EDGE_CONFIG,
        "--ip",
        "127.0.0.1",
        "--port",
        String(options.edgePort),
        "--inspector-port",
        String(options.inspectorPort),
        "--persist-to",
        persistDir,
        "--show-interactive-dev-session=false",
        "--log-level",
        "warn",
        ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
      ],
      // A dev registry of its own: wrangler dev announces every worker there by name, and another
      // `wandstore-edge` (npm start, another test) must not be mistaken for this one, nor this for it.
      // A caller that set WRANGLER_REGISTRY_PATH (markets-stack.ts: a Worker bound to this edge) keeps its registry.
      { ...quietEnv(), WRANGLER_REGISTRY_PATH: process.env.WRANGLER_REGISTRY_PATH ?? join(persistDir, "dev-registry") },
      log
    );
    started.push(edge);

    const edgeUrl = `http://127.0.0.1:${options.edgePort}`;
    for (const g of generators) await waitUntilUp(`http://127.0.0.1:${g.port}/healthz`, "the generator", g.generator, log);
    await waitUntilUp(`${edgeUrl}/healthz`, "the edge (wrangler dev)", edge, log);
    return { edgeUrl, generatorUrl, opsToken: options.opsToken, persistDir, output: () => log.join(""), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

type StoreData = { settings: ShopSettings; products: readonly CatalogProduct[] };

/** Seeds more stores into a persist directory (as scripts/seed.ts seeds the demo stores), before the edge starts. */
export async function addStoresToState(persistDir: string, stores: StoreData[]): Promise<void> {
  process.env.WRANGLER_LOG ??= "error";
  const { getPlatformProxy } = await import("wrangler");
  const config = await storageOnlyConfig(EDGE_CONFIG);
  try {
    const proxy = await getPlatformProxy<SeedBindings>({ configPath: config.path, persist: { path: join(persistDir, "v3") }, remoteBindings: false });
    try {
      for (const store of stores) await seedStore(proxy.env, store.settings, store.products);
    } finally {
      await proxy.dispose();
    }
  } finally {
    config.remove();
  }
}
