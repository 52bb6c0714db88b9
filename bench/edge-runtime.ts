import { execFile, type ChildProcess } from "node:child_process";
import { appendFileSync } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { unstable_splitSqlQuery } from "wrangler";
import type { RowsDb, RowsStatement } from "../edge-worker/src/catalog/product-rows.ts";
import type { SeedBindings } from "../scripts/seed.ts";
import { spawnGroup, stopGroup, waitForHttp } from "../scripts/process-group.ts";
import { writeBareRuntimeConfig, writeEdgeRuntimeConfig, type EdgeRuntimeConfig } from "./workerd-config.ts";

/**
 * The production-runtime harness of the edge benches: the edge bundle on plain `workerd serve`
 * (the binary wrangler installs, node_modules/.bin/workerd) with the config of
 * bench/workerd-config.ts, and a client for its control worker (seeding, EdgeApi RPC).
 */
const execFileAsync = promisify(execFile);
const repoRoot = fileURLToPath(new URL("..", import.meta.url));
export const WORKERD = resolve(repoRoot, "node_modules/.bin/workerd");
export const EDGE_WRANGLER = resolve(repoRoot, "edge-worker/wrangler.jsonc");

/** `wrangler deploy --dry-run --outdir` of the edge: the bundle that would be uploaded. */
export async function bundleEdge(outdir: string): Promise<string> {
  await execFileAsync(resolve(repoRoot, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", outdir, "--containers-rollout=none", "-c", EDGE_WRANGLER], {
    cwd: repoRoot,
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (!(await readdir(outdir)).some((f) => f.endsWith(".js"))) throw new Error(`wrangler wrote no bundle into ${outdir}`);
  return outdir;
}

export interface WorkerdProcess {
  child: ChildProcess;
  pid: number;
  /** The last lines workerd printed (stderr and stdout). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `workerd serve <config>`; resolves once every URL in `readyUrls` answers. */
/** Whether something already answers at `url` (a server left over from an earlier run). */
async function answers(url: string): Promise<boolean> {
  try {
    await (await fetch(url, { signal: AbortSignal.timeout(1000) })).arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** `prefix`: a command that runs workerd (callgrind's, bench/instruction-count.ts), which starts it far slower. */
export async function startWorkerd(config: string, readyUrls: string[], o: { inspectorPort?: number; cwd: string; prefix?: string[] }): Promise<WorkerdProcess> {
  // A port still held by another server would answer the readiness checks instead of this one.
  for (const url of readyUrls) if (await answers(url)) throw new Error(`${new URL(url).host} is already in use (a server left from an earlier run?)`);
  let log = "";
  const args = ["serve", "--experimental", ...(o.inspectorPort ? [`--inspector-addr=127.0.0.1:${o.inspectorPort}`] : []), config];
  const slow = Boolean(o.prefix?.length);
  // BENCH_WORKERD_LOG=<dir>: every workerd's whole output also goes to <dir>/workerd-<pid>.log,
  // through a terminal (V8's traces go to stdout, which a pipe would hold back in workerd's buffer).
  const logDir = process.env.BENCH_WORKERD_LOG;
  const direct = [...(o.prefix ?? []), WORKERD, ...args];
  const [command, ...commandArgs] = logDir ? ["script", "-qfec", direct.map((a) => `'${a}'`).join(" "), "/dev/null"] : direct;
  const child = spawnGroup(command!, commandArgs, {
    cwd: o.cwd,
    env: process.env,
    onOutput: (c) => {
      log = (log + c.toString("utf8")).slice(-20_000);
      if (logDir) appendFileSync(join(logDir, `workerd-${child.pid}.log`), c);
    },
  });
  const stop = () => stopGroup(child, { graceMs: 3000 });
  try {
    for (const url of readyUrls) {
      const ready = await waitForHttp(url, { attempts: slow ? 3000 : 300, intervalMs: 100, requestTimeoutMs: slow ? 20_000 : 2000, ready: () => true });
      if (ready !== "ready") throw new Error(`workerd never answered ${url}:\n${log.slice(-4000)}`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  if (child.pid === undefined || child.exitCode !== null) {
    await stop();
    throw new Error(`workerd exited at start:\n${log.slice(-4000)}`);
  }
  return { child, pid: child.pid, output: () => log, stop };
}

export interface EdgeRuntime extends WorkerdProcess {
  edgeUrl: string;
  controlUrl: string;
  control: Control;
}

/** The runtime's config (bench/workerd-config.ts) and, for CPU profiles, an inspector port. */
export interface EdgeRuntimeOptions extends EdgeRuntimeConfig {
  inspectorPort?: number;
  /** A command workerd runs under (startWorkerd). */
  prefix?: string[];
}

export async function startEdgeRuntime(o: EdgeRuntimeOptions): Promise<EdgeRuntime> {
  await mkdir(o.dir, { recursive: true });
  const config = await writeEdgeRuntimeConfig(o);
  const edgeUrl = `http://127.0.0.1:${o.edgePort}`;
  const controlUrl = `http://127.0.0.1:${o.controlPort}`;
  const proc = await startWorkerd(config, [`${edgeUrl}/healthz`, `${controlUrl}/`], { inspectorPort: o.inspectorPort, cwd: o.dir, prefix: o.prefix });
  return { ...proc, edgeUrl, controlUrl, control: new Control(controlUrl) };
}

export type BareRuntime = WorkerdProcess & { url: string };

export async function startBareRuntime(o: { dir: string; port: number; page: string; headers: [string, string][]; compatibilityDate: string; inspectorPort?: number; prefix?: string[] }): Promise<BareRuntime> {
  const config = await writeBareRuntimeConfig(o);
  const url = `http://127.0.0.1:${o.port}`;
  return { ...(await startWorkerd(config, [`${url}/`], { cwd: o.dir, inspectorPort: o.inspectorPort, prefix: o.prefix })), url };
}

/** The control worker's routes (bench/workerd-control.worker.js). */
export class Control {
  constructor(readonly url: string) {}

  async post<T>(path: string, body: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, { method: "POST", body: JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) throw new Error(`control ${path}: HTTP ${response.status} ${text.slice(0, 2000)}`);
    return JSON.parse(text) as T;
  }

  /** Every numbered migration of prisma/migrations, in order (as `wrangler d1 migrations apply`). */
  async migrate(): Promise<void> {
    const dir = resolve(repoRoot, "prisma/migrations");
    for (const file of (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort()) {
      await this.post("/sql", { statements: unstable_splitSqlQuery(await readFile(join(dir, file), "utf8")) });
    }
  }

  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
    return this.post<T[]>("/query", { sql, params });
  }

  kvPut(entries: { key: string; value: string; metadata?: unknown }[]): Promise<unknown> {
    return this.post("/kv/put", { entries });
  }

  kvGet<M = unknown>(key: string): Promise<{ value: string | null; metadata: M | null }> {
    return this.post("/kv/get", { key });
  }

  /** Names of the KV keys under `prefix` (first page of the listing). */
  async kvList(prefix: string): Promise<string[]> {
    return (await this.post<{ keys: { name: string }[] }>("/kv/list", { prefix })).keys.map((k) => k.name);
  }

  /** D1 and KV as scripts/seed.ts types them, so the bench seeds a store with `npm start`'s code. */
  seedBindings(): SeedBindings {
    return {
      DB: this.rowsDb(),
      CACHE: {
        put: async (key, value) => void (await this.kvPut([{ key, value }])),
        delete: async (key) => void (await this.post("/kv/delete", { key })),
        list: (o) => this.post("/kv/list", o),
      },
    };
  }

  /** Calls a method of the edge's EdgeApi entrypoint (the admin app's service binding). */
  async rpc<T>(method: string, ...args: unknown[]): Promise<T> {
    return (await this.post<{ result: T }>(`/rpc/${method}`, args)).result;
  }

  /** D1 as edge-worker/src/catalog/product-rows.ts types it, so the bench writes rows with that code. */
  rowsDb(): RowsDb {
    const control = this;
    // What each statement will run, for batch() (a statement is only ever built here).
    const bound = new WeakMap<RowsStatement, { sql: string; params: unknown[] }>();
    const statement = (sql: string, params: unknown[]): RowsStatement => {
      const s: RowsStatement = {
        bind: (...values: unknown[]) => statement(sql, values),
        run: () => control.post("/batch", { statements: [{ sql, params }] }),
        all: async <T>() => ({ results: await control.query<T>(sql, ...params) }),
        first: async <T>() => (await control.query<T>(sql, ...params))[0] ?? null,
      };
      bound.set(s, { sql, params });
      return s;
    };
    return {
      prepare: (sql) => statement(sql, []),
      batch: (statements) =>
        control.post<unknown[]>("/batch", {
          statements: statements.map((s) => {
            const b = bound.get(s);
            if (!b) throw new Error("a statement of another database was passed to batch()");
            return b;
          }),
        }),
    };
  }
}
