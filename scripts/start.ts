import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { LOCAL_ADMIN_API_TOKEN } from "../app/local-admin-token.ts";
import { FakeThemeApi } from "../app/test/fake-theme-api.ts";
import { DEMO_STORES } from "../core/demo-stores.ts";
import { readDevVars } from "./cache/dev-vars.ts";
import { localRouterConfig, localWorkerConfig, localWorkersArgs } from "./local-workers.ts";
import { hasExited, runToEnd, spawnGroup, stopGroup, waitForHttp } from "./process-group.ts";
import { DEFAULT_PERSIST_DIR, EDGE_CONFIG, REPO_ROOT, quietWranglerEnv, seedDemoStores } from "./seed.ts";
import { LOCAL_API_KEY, localAppSecret, optionsFromArgs, simulate } from "./simulate.ts";

/**
 * `npm start`: everything local and offline. It runs as `node --import tsx scripts/start.ts`, one
 * process, so Ctrl-C and npm's forwarded SIGTERM reach this code (under the tsx CLI's own relay the
 * process could be ended before it had stopped its children).
 *   1. seed the demo stores into .wrangler/state (D1 + KV/R2 snapshots; scripts/seed.ts);
 *   2. the generator, `tsx container/src/main.ts` on 127.0.0.1:8080 (template mode unless
 *      LLM_API_KEY is set in the environment);
 *   3. the admin's build when a source is newer (a failed build stops the start: the admin and the
 *      edge run in one session);
 *   4. the edge and the admin in ONE `wrangler dev` (one workerd, so one instance of the local D1:
 *      scripts/local-workers.ts) on 127.0.0.1:8787, behind a router that sends the edge's paths
 *      (/s/, /proxy, /pixel, /ops/, /healthz) to the edge and the rest (/app …) to the admin, in
 *      local mode; the admin reaches the edge's EdgeApi through its service binding, in-process;
 *      with them, a fake Admin API on 127.0.0.1 (SHOPIFY_ADMIN_API_ORIGIN) answering the setup
 *      guide's theme queries for the demo shops from the files in .wrangler/demo-theme/ (startDemoTheme).
 * Prints the URLs; Ctrl-C or SIGTERM stops every child (each runs in its own process group, stopped
 * by its id, since wrangler runs workerd as a child of its own).
 */
const HOST = "127.0.0.1";
const GENERATOR_PORT = 8080;
const PORT = 8787;
const ADMIN_CONFIG = resolve(REPO_ROOT, "app/wrangler.jsonc");
// The Workers' config copies (scripts/local-workers.ts), rewritten by every start.
const LOCAL_CONFIG_DIR = resolve(REPO_ROOT, ".wrangler/local");
const bin = (name: string) => resolve(REPO_ROOT, "node_modules/.bin", name);
// A dev registry of our own: with the shared default (~/.config/.wrangler/registry) another
// `wrangler dev` of a worker named wandstore-edge on this machine (a test stack) could bind to ours.
const DEV_REGISTRY = resolve(REPO_ROOT, ".wrangler/dev-registry");

/** A Worker's local secrets: the `.dev.vars` beside its wrangler.jsonc (git-ignored). */
const devVarsOf = (configPath: string): Record<string, string> => readDevVars(join(dirname(configPath), ".dev.vars"));

interface Child {
  name: string;
  process: ChildProcess;
  /** Stopping on purpose: an exit then is not a failure. */
  stopping: boolean;
}

const children: Child[] = [];
let shuttingDown = false;

function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const prefix = (chunk: Buffer) =>
    chunk
      .toString("utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => `[${name}] ${line}\n`)
      .join("");
  const onOutput = (c: Buffer, stream: "stdout" | "stderr") => (stream === "stdout" ? process.stdout : process.stderr).write(prefix(c));
  const child: Child = { name, process: spawnGroup(command, args, { cwd: REPO_ROOT, env, onOutput }), stopping: false };
  child.process.on("exit", (code, signal) => {
    if (child.stopping || shuttingDown) return;
    console.error(`\n${name} exited (${signal ?? code}); stopping everything.`);
    void shutdown(1);
  });
  children.push(child);
  return child;
}

async function stopChild(child: Child): Promise<void> {
  if (hasExited(child.process)) return;
  child.stopping = true;
  await stopGroup(child.process);
}

let stopped: Promise<void> | null = null;

/** Stops every child once; later calls (a second Ctrl-C) wait for the same stop. */
async function shutdown(code: number): Promise<never> {
  shuttingDown = true;
  stopped ??= (async () => {
    console.log("\nStopping WandStore …");
    // The admin and the edge first (they call the generator), the generator last.
    for (const child of [...children].reverse()) await stopChild(child);
  })();
  await stopped;
  process.exit(code);
}

async function waitUntilUp(url: string, child: Child, timeoutMs = 120_000): Promise<void> {
  const outcome = await waitForHttp(url, { timeoutMs, intervalMs: 250, requestTimeoutMs: 2000, ready: (status) => status < 500, process: child.process });
  if (outcome === "exited") throw new Error(`${child.name} exited before answering ${url}`);
  if (outcome === "timeout") throw new Error(`${child.name} did not answer ${url} within ${timeoutMs / 1000} s`);
}

/**
 * The edge's local secrets (edge-worker/.dev.vars, git-ignored; `npm start` copies them beside the
 * edge's local config for `wrangler dev`, and the cache CLI and the simulator read them): written once with an app-proxy secret for local signing and a random ops token, so
 * `npm run cache -- warm|stats` works without set-up. An existing file is left as it is.
 */
function ensureLocalSecrets(): void {
  const path = resolve(REPO_ROOT, "edge-worker/.dev.vars");
  if (existsSync(path)) return;
  const opsToken = randomBytes(16).toString("hex");
  writeFileSync(path, `# Local secrets of the edge (written by npm start; see .dev.vars.example).\nSHOPIFY_API_SECRET=local-dev-app-secret\nOPS_TOKEN=${opsToken}\n`, { mode: 0o600 });
  console.log("Wrote edge-worker/.dev.vars (local app-proxy secret and ops token for the cache CLI).");
}

/** The admin is rebuilt when a source file under app/ or core/ is newer than its server build. */
function adminBuildIsStale(): boolean {
  const built = resolve(REPO_ROOT, "app/build/server/index.js");
  if (!existsSync(built) || !existsSync(resolve(REPO_ROOT, "app/build/client"))) return true;
  const builtAt = statSync(built).mtimeMs;
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
      if (entry.name === "build" || entry.name === "node_modules") return max;
      const path = join(dir, entry.name);
      return Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  return Math.max(newest(resolve(REPO_ROOT, "app")), newest(resolve(REPO_ROOT, "core"))) > builtAt;
}

/**
 * The demo shops' published theme for the setup guide: Shopify's theme files API (app/test/fake-theme-api.ts)
 * on 127.0.0.1, serving the files of .wrangler/demo-theme/ (first written from core/fixtures/theme/
 * with the embed never turned on and no block) and re-reading them every second, so copying
 * settings_data.embed-on.json or index.with-block.json over them is the theme editor's save.
 */
const DEMO_THEME_DIR = resolve(REPO_ROOT, ".wrangler/demo-theme");
const DEMO_THEME_FILES: Record<string, string> = {
  "config/settings_data.json": "settings_data.embed-never.json",
  "templates/index.json": "index.without-block.json",
};

async function startDemoTheme(): Promise<FakeThemeApi> {
  for (const [file, fixture] of Object.entries(DEMO_THEME_FILES)) {
    const path = join(DEMO_THEME_DIR, file);
    if (existsSync(path)) continue;
    mkdirSync(dirname(path), { recursive: true });
    copyFileSync(resolve(REPO_ROOT, "core/fixtures/theme", fixture), path);
  }
  const read = () => Object.fromEntries(Object.keys(DEMO_THEME_FILES).flatMap((f) => (existsSync(join(DEMO_THEME_DIR, f)) ? [[f, readFileSync(join(DEMO_THEME_DIR, f), "utf8")]] : [])));
  const api = await new FakeThemeApi({ accessToken: LOCAL_ADMIN_API_TOKEN, theme: { id: "gid://shopify/OnlineStoreTheme/1", name: "Demo theme", files: read() } }).start();
  const timer = setInterval(() => {
    const files = read();
    for (const f of Object.keys(DEMO_THEME_FILES)) api.setFile(f, files[f] ?? null);
  }, 1000);
  timer.unref();
  return api;
}

async function main(): Promise<void> {
  // `on`, not `once`: Ctrl-C reaches us twice (from the terminal and relayed by tsx), and a signal
  // without a listener would end this process before the children are stopped.
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  ensureLocalSecrets();
  console.log("Seeding the demo stores into .wrangler/state …");
  await seedDemoStores(DEFAULT_PERSIST_DIR, (line) => console.log(`  ${line}`));

  const generator = startChild("generator", bin("tsx"), [resolve(REPO_ROOT, "container/src/main.ts")], {
    ...process.env,
    PORT: String(GENERATOR_PORT),
    HOST,
  });
  await waitUntilUp(`http://${HOST}:${GENERATOR_PORT}/healthz`, generator);

  if (adminBuildIsStale()) {
    console.log("Building the admin (npm run build:admin) …");
    await runToEnd("npm", ["run", "build:admin"], { cwd: REPO_ROOT, env: quietWranglerEnv() });
  }
  // In this process: it ends with it.
  const theme = await startDemoTheme();
  const edgeSecrets = devVarsOf(EDGE_CONFIG);
  // The app's key and secret as the edge has it (edge-worker/.dev.vars), so the admin verifies the
  // webhooks `npm run simulate` signs with it, as one app has one secret in production.
  let secret: string | undefined;
  try {
    secret = localAppSecret();
  } catch (error) {
    // Said with its reason (no SHOPIFY_API_SECRET there, or the file unreadable), not swallowed.
    console.warn(`The admin gets no app secret, so it refuses webhooks: ${error instanceof Error ? error.message : String(error)}`);
  }
  const appSecret: Record<string, string> = secret ? { SHOPIFY_API_KEY: LOCAL_API_KEY, SHOPIFY_API_SECRET: secret } : {};
  mkdirSync(LOCAL_CONFIG_DIR, { recursive: true });
  const edgeConfig = localWorkerConfig(EDGE_CONFIG, LOCAL_CONFIG_DIR, "edge", {
    vars: { GENERATOR_URL: `http://${HOST}:${GENERATOR_PORT}` },
    secrets: edgeSecrets,
  });
  const adminConfig = localWorkerConfig(ADMIN_CONFIG, LOCAL_CONFIG_DIR, "admin", {
    vars: { WAND_LOCAL_ADMIN: "1", SHOPIFY_ADMIN_API_ORIGIN: theme.origin },
    secrets: { ...devVarsOf(ADMIN_CONFIG), ...appSecret },
  });
  const router = localRouterConfig(LOCAL_CONFIG_DIR, "wandstore-local-router");
  const workers = startChild(
    "workers",
    bin("wrangler"),
    localWorkersArgs({ router, admin: adminConfig, edge: edgeConfig, ip: HOST, port: PORT, persistDir: DEFAULT_PERSIST_DIR }),
    { ...quietWranglerEnv(), WRANGLER_REGISTRY_PATH: DEV_REGISTRY },
  );
  const url = `http://${HOST}:${PORT}`;
  await waitUntilUp(`${url}/healthz`, workers);
  await waitUntilUp(`${url}/app`, workers);
  const adminUrl = `${url}/app`;
  console.log(`
WandStore is running (offline${process.env.LLM_API_KEY ? ", LLM on" : ", template mode: set LLM_API_KEY for LLM pages"}).

  Storefront pages (the first request is the template, a moment later the generated page):
${DEMO_STORES.map((d) => `    ${url}/s/${d.store}?shopper=a`).join("\n")}
    ${url}/s/demo-apparel?shopper=b&persona=dealhunter   (persona override)
  Generator:  http://${HOST}:${GENERATOR_PORT}/healthz
  Edge:       ${url}/healthz
  Admin:      ${adminUrl}?shop=demo-apparel.myshopify.com   (local mode, demo shops)
  Theme:      .wrangler/demo-theme/ (the setup guide's demo theme; copy core/fixtures/theme/settings_data.embed-on.json
              or index.with-block.json over its files and the guide ticks on "Check again")
Ctrl-C stops everything.`);

  // `npm start -- --simulate` (or WAND_SIMULATE=1): synthetic shoppers and orders once, for the
  // admin's Experiment page (scripts/simulate.ts, its default flags).
  if (process.argv.includes("--simulate") || process.env.WAND_SIMULATE === "1") {
    console.log("\nSimulating shoppers and orders (npm run simulate) …");
    try {
      const options = optionsFromArgs([], { ...process.env, WAND_EDGE_URL: url, WAND_ADMIN_URL: url });
      await simulate({ ...options, log: (line) => console.log(`[simulate] ${line}`) });
    } catch (error) {
      // The stack stays up: a failed simulation is reported, not a reason to stop.
      console.error(`[simulate] failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    console.log(`The Experiment page: ${adminUrl}/experiment?shop=demo-apparel.myshopify.com`);
  }
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  await shutdown(1);
});
