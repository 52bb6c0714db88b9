/**
 * The edge benchmark's harness, shared by bench/edge-hits.ts, edge-miss.ts and edge-generations.ts
 * (the measurement runs once, the three report their parts).
 *
 * Harnesses, named in every figure:
 * - "miniflare": the edge worker as `wrangler deploy --dry-run` bundles it, on workerd through
 *   Miniflare (KV, R2, D1 and the Durable Objects in memory) — workerd's own sockets, no wrangler dev
 *   proxy. The bare worker runs in the same harness and replays the edge's memory-hit response from
 *   memory: same status, headers (CSP, Wand-*, Set-Cookie …) and body, no logic.
 * - "workerd": a bare worker on `workerd serve` with a capnp config (no Miniflare entry worker)
 *   returning the page body with one Content-Type header: the runtime's ceiling for those bytes.
 * - "nginx": Debian's nginx serving the same bytes from a file, the machine's limit.
 * Load is wrk -t1 -c16 (bench/edge-load.ts); configurations alternate round by round, and each figure
 * is the median over the rounds. The generator is a stand-in HTTP server (template page as the
 * "generated" page, counting calls per store), so the figures are the edge's, not an LLM's.
 */
import { execFile, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions } from "miniflare";
import { cacheKey, cacheVariant } from "../core/cache-key.ts";
import { DEMO_STORES } from "../core/demo-stores.ts";
import { PROMPT_VERSION } from "../core/prompt-version.ts";
import { settingsToRow } from "../core/settings.ts";
import { renderTemplatePage } from "../core/template.ts";
import { PERSONAS, type CatalogSnapshot, type ShopSettings } from "../core/types.ts";
import { startFakeGenerator, type FakeGenerator } from "../edge-worker/test/fake-generator.ts";
import { loadDemoStore } from "../scripts/demo/load-catalogs.ts";
import { spawnGroup, stopGroup, waitForHttp } from "../scripts/process-group.ts";
import { rotatingScript, runWrk, wrkAvailable, type LoadFigures } from "./edge-load.ts";

const execFileAsync = promisify(execFile);
const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const HOST = "127.0.0.1";
const PORTS = { edge: 18210, bareMiniflare: 18211, bareWorkerd: 18212, nginx: 18213, generator: 18214 };
const NGINX = "/usr/sbin/nginx";
const WORKERD = resolve(repoRoot, "node_modules/.bin/workerd");
const COMPATIBILITY_DATE = "2026-07-01";

export const ROUNDS = Number(process.env.BENCH_EDGE_ROUNDS ?? 5);
export const SECONDS = Number(process.env.BENCH_EDGE_SECONDS ?? 4);
const WARMUP_SECONDS = 1;
export const SHOPPERS = 1000;
const KV_PAGES = 2000;

export type ConfigName = "edgeMemory" | "edgeKv" | "edgeMiss" | "bareMiniflare" | "bareWorkerd" | "nginx";
export const HARNESS: Record<ConfigName, string> = {
  edgeMemory: "miniflare",
  edgeKv: "miniflare",
  edgeMiss: "miniflare",
  bareMiniflare: "miniflare",
  bareWorkerd: "workerd",
  nginx: "nginx",
};

export interface EdgeFigures {
  /** Median over the rounds of each configuration. */
  results: Record<ConfigName, LoadFigures>;
  /** Median over the rounds of each round's ratio (neighbouring runs). */
  ratios: { memoryHitVsBare: number; kvHitVsBare: number; missP99VsHitP99: number };
  /** 1-minute load average when the measurement started (2 cores shared with other work). */
  loadAverage: number;
  pageBytes: number;
  generations: number;
  generationShoppers: number;
  rounds: number;
  seconds: number;
}

export type EdgeMeasurement = { ok: true; figures: EdgeFigures } | { ok: false; reason: string };

let measurement: Promise<EdgeMeasurement> | null = null;

/** Runs the whole measurement once per process; the three edge benches share it. */
export function measureEdge(): Promise<EdgeMeasurement> {
  measurement ??= measure();
  return measurement;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function benchStore(store: string, scope: "persona" | "shopper"): { settings: ShopSettings; catalog: CatalogSnapshot } {
  const demo = loadDemoStore(DEMO_STORES[0]!);
  return {
    settings: { ...demo.settings, store, shopName: `Bench ${store}`, shopDomain: `${store}.myshopify.com`, scope },
    catalog: { ...demo.catalog, store },
  };
}

async function bundleEdge(outdir: string): Promise<string> {
  await execFileAsync(resolve(repoRoot, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", outdir, "--containers-rollout=none", "-c", resolve(repoRoot, "edge-worker/wrangler.jsonc")], {
    cwd: repoRoot,
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    maxBuffer: 16 * 1024 * 1024,
  });
  const main = (await readdir(outdir)).find((f) => f.endsWith(".js"));
  if (!main) throw new Error(`wrangler wrote no bundle into ${outdir}`);
  return join(outdir, main);
}

async function seed(mf: Miniflare, stores: { settings: ShopSettings; catalog: CatalogSnapshot }[]): Promise<void> {
  const db = await mf.getD1Database("DB");
  const { unstable_splitSqlQuery } = await import("wrangler");
  const dir = resolve(repoRoot, "prisma/migrations");
  for (const file of (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort()) {
    for (const statement of unstable_splitSqlQuery(await readFile(join(dir, file), "utf8"))) await db.prepare(statement).run();
  }
  for (const { settings, catalog } of stores) {
    const r = settingsToRow(settings);
    await db
      .prepare("INSERT INTO ShopSettings (store, shopName, shopDomain, enabledPersonas, defaultPersona, brandVoice, colours, scope, holdoutPercent, settingsVersion) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(r.store, r.shopName, r.shopDomain, r.enabledPersonas, r.defaultPersona, r.brandVoice, r.colours, r.scope, r.holdoutPercent, r.settingsVersion)
      .run();
    await db.prepare("INSERT INTO Catalog (store, version, products, productCount) VALUES (?, ?, ?, ?)").bind(catalog.store, catalog.version, JSON.stringify(catalog.products), catalog.products.length).run();
  }
}

function startDetached(command: string, args: string[], cwd: string): ChildProcess {
  let err = "";
  // stdout unread: nginx and workerd log a line a request.
  const child = spawnGroup(command, args, { cwd, env: process.env, stdout: "ignore", onOutput: (c) => (err = (err + c.toString("utf8")).slice(-2000)) });
  child.once("exit", (code) => {
    if (code) console.error(`${command} exited with ${code}: ${err}`);
  });
  return child;
}

const stopByPid = (child: ChildProcess | null): Promise<void> => stopGroup(child, { graceMs: 5000, awaitKilled: false });

async function waitUntilUp(url: string): Promise<void> {
  // Any answer will do (a 404 too): only that it listens.
  if ((await waitForHttp(url, { attempts: 200, intervalMs: 100, requestTimeoutMs: 1000, ready: () => true })) !== "ready") throw new Error(`${url} never answered`);
}

async function get(url: string): Promise<{ cache: string | null; body: string; status: number; headers: [string, string][] }> {
  const r = await fetch(url);
  const headers: [string, string][] = [];
  r.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers.push([name, value]);
  });
  for (const cookie of r.headers.getSetCookie()) headers.push(["set-cookie", cookie]);
  return { cache: r.headers.get("Wand-Cache"), body: await r.text(), status: r.status, headers };
}

async function startWorkerdBare(dir: string, page: string): Promise<ChildProcess> {
  await writeFile(join(dir, "page.html"), page);
  await writeFile(
    join(dir, "bare.js"),
    `import page from "page.html";\nexport default { fetch() { return new Response(page, { headers: { "Content-Type": "text/html; charset=utf-8" } }); } };\n`,
  );
  await writeFile(
    join(dir, "bare.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .bare)],
  sockets = [(name = "http", address = "${HOST}:${PORTS.bareWorkerd}", http = (), service = "main")],
);
const bare :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed "bare.js"), (name = "page.html", text = embed "page.html")],
  compatibilityDate = "${COMPATIBILITY_DATE}",
);
`,
  );
  return startDetached(WORKERD, ["serve", join(dir, "bare.capnp")], dir);
}

async function startNginx(dir: string, page: string): Promise<ChildProcess> {
  const www = join(dir, "www");
  await mkdir(www, { recursive: true });
  // nginx's workers run as www-data when started by root: the page must be readable to them.
  await chmod(dir, 0o755);
  await writeFile(join(www, "page.html"), page);
  const conf = join(dir, "nginx.conf");
  await writeFile(
    conf,
    `worker_processes auto;
daemon off;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "nginx-error.log")} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen ${HOST}:${PORTS.nginx};
    root ${www};
    location / { default_type "text/html; charset=utf-8"; try_files /page.html =404; }
  }
}
`,
  );
  return startDetached(NGINX, ["-e", join(dir, "nginx-error.log"), "-p", dir, "-c", conf], dir);
}

async function measure(): Promise<EdgeMeasurement> {
  if (!wrkAvailable() || !existsSync(NGINX)) return { ok: false, reason: "needs Debian's nginx and wrk: apt-get install -y nginx wrk" };
  const dir = await mkdtemp(join(tmpdir(), "wand-edge-bench-"));
  const loadAverage = loadavg()[0]!;
  let generator: FakeGenerator | null = null;
  let edge: Miniflare | null = null;
  let bare: Miniflare | null = null;
  let workerd: ChildProcess | null = null;
  let nginx: ChildProcess | null = null;
  try {
    const bundle = await bundleEdge(join(dir, "bundle"));
    generator = await startFakeGenerator({
      port: PORTS.generator,
      render: ({ catalog, settings, job }) => renderTemplatePage({ catalog, settings, persona: job.persona, baseUrl: "" }),
    });
    const generatorUrl = generator.url;
    // Miniflare 5 takes a new option shape; the v4 one (what its README documents) is converted.
    edge = new Miniflare(convertV4MiniflareOptions({
      // The worker's console.error/warn (a fault on the measured path must be seen).
      log: new Log(LogLevel.WARN),
      host: HOST,
      port: PORTS.edge,
      modules: true,
      scriptPath: bundle,
      // Module names relative to the bundle (they may not climb out of the root with "..").
      modulesRoot: dirname(bundle),
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags: ["nodejs_compat"],
      kvNamespaces: ["CACHE"],
      r2Buckets: ["PAGES"],
      d1Databases: ["DB"],
      durableObjects: {
        POOL: { className: "PoolMember", useSQLite: true },
        GENERATOR: { className: "GeneratorContainer", useSQLite: true },
        STATS: { className: "StoreStats", useSQLite: true },
      },
      // Production values but the generator URL, and a timeout that outlasts the held miss-storm job.
      bindings: { POOL_SIZE: "10", GENERATOR_URL: generatorUrl, GENERATOR_TIMEOUT_MS: "3600000", RETRY_BASE_MS: "2000", SNAPSHOT_TTL_SECONDS: "5", STATS_FLUSH_SECONDS: "10" },
    }));
    const edgeUrl = (await edge.ready).toString().replace(/\/$/, "");

    const hit = benchStore("bench-hit", "persona");
    const kv = benchStore("bench-kv", "shopper");
    const miss = benchStore("bench-miss", "persona");
    const gen = benchStore("bench-gen", "persona");
    await seed(edge, [hit, kv, miss, gen]);

    // The shared persona page, generated once, then served from memory.
    let warm = await get(`${edgeUrl}/s/bench-hit?persona=explorer&shopper=warm`);
    for (let i = 0; warm.cache === "miss" && i < 500; i++) {
      await sleep(20);
      warm = await get(`${edgeUrl}/s/bench-hit?persona=explorer&shopper=warm`);
    }
    if (warm.cache === "miss") throw new Error("the bench page was never generated");
    // The response the bare worker replays: the edge's own memory hit, status, headers and body.
    const hitResponse = await get(`${edgeUrl}/s/bench-hit?persona=explorer&shopper=m1`);
    const page = hitResponse.body;
    // Not replayed: framing and encoding headers (Node's fetch asks for gzip; the runtime would then
    // compress the replayed body on every request), which the runtime sets itself.
    const replayed = hitResponse.headers.filter(([name]) => !["content-length", "content-encoding", "transfer-encoding", "date", "connection", "vary"].includes(name));
    console.log(`  edge bench: the bare worker replays ${replayed.map(([n]) => n).join(", ")}`);

    // KV hits: more shopper-scoped pages than the in-memory LRU holds, so each request misses memory.
    const variant = cacheVariant({ catalogVersion: kv.catalog.version, settingsVersion: kv.settings.settingsVersion, promptVersion: PROMPT_VERSION });
    const kvPage = renderTemplatePage({ catalog: kv.catalog, settings: kv.settings, persona: "explorer", baseUrl: "" });
    const cache = await edge.getKVNamespace("CACHE");
    for (let i = 0; i < KV_PAGES; i++) {
      const key = cacheKey({ store: "bench-kv", persona: "explorer", scope: "shopper", shopper: `s${i}`, variant });
      await cache.put(key, kvPage, { metadata: { key, variant, source: "llm", model: "bench", generatedAt: new Date().toISOString() } });
    }
    // The miss storm: the generator holds the job, as an LLM would for seconds, so every shopper misses.
    await fetch(`${generatorUrl}/__control`, { method: "POST", body: JSON.stringify({ store: "bench-miss", behaviour: "hold" }) }).then((r) => r.text());

    bare = new Miniflare(convertV4MiniflareOptions({
      host: HOST,
      port: PORTS.bareMiniflare,
      modules: true,
      // The same response bytes as an edge memory hit (headers included), from memory, no logic.
      // (Headers built on first use and reused, as the edge does with its header templates.)
      script: `const page = ${JSON.stringify(page)};\nconst pairs = ${JSON.stringify(replayed)};\nlet headers = null;\nexport default { fetch() { headers ??= new Headers(pairs); return new Response(page, { headers }); } };\n`,
      compatibilityDate: COMPATIBILITY_DATE,
    }));
    const bareUrl = (await bare.ready).toString().replace(/\/$/, "");
    workerd = await startWorkerdBare(dir, page);
    nginx = await startNginx(dir, page);
    const workerdUrl = `http://${HOST}:${PORTS.bareWorkerd}`;
    const nginxUrl = `http://${HOST}:${PORTS.nginx}`;
    await waitUntilUp(`${workerdUrl}/`);
    await waitUntilUp(`${nginxUrl}/`);

    const checks: [string, string | null][] = [
      [`${edgeUrl}/s/bench-hit?persona=explorer&shopper=c1`, "memory"],
      [`${edgeUrl}/s/bench-kv?persona=explorer&shopper=s7`, "kv"],
      [`${edgeUrl}/s/bench-miss?persona=explorer&shopper=c1`, "miss"],
    ];
    for (const [url, expected] of checks) {
      const r = await get(url);
      if (r.status !== 200 || r.cache !== expected) throw new Error(`${url}: expected Wand-Cache ${expected}, got ${r.status} ${r.cache}`);
    }
    for (const url of [bareUrl, workerdUrl, nginxUrl]) {
      const body = (await get(`${url}/`)).body;
      if (body !== page) throw new Error(`${url} does not serve the same bytes (${body.length} vs ${page.length}): ${body.slice(0, 300)}`);
    }

    const scripts: Record<ConfigName, { url: string; script: string }> = {
      edgeMemory: { url: edgeUrl, script: await rotatingScript(dir, "memory", "/s/bench-hit?persona=explorer&shopper=m", 1_000_000) },
      edgeKv: { url: edgeUrl, script: await rotatingScript(dir, "kv", "/s/bench-kv?persona=explorer&shopper=s", KV_PAGES) },
      edgeMiss: { url: edgeUrl, script: await rotatingScript(dir, "miss", "/s/bench-miss?persona=explorer&shopper=x", 1_000_000) },
      bareMiniflare: { url: bareUrl, script: await rotatingScript(dir, "bare", "/s/bench-hit?persona=explorer&shopper=m", 1_000_000) },
      bareWorkerd: { url: workerdUrl, script: await rotatingScript(dir, "bare-workerd", "/s/bench-hit?persona=explorer&shopper=m", 1_000_000) },
      nginx: { url: nginxUrl, script: await rotatingScript(dir, "nginx", "/s/bench-hit?persona=explorer&shopper=m", 1_000_000) },
    };
    // Edge and its references alternate inside every round, and every other round runs in reverse
    // order, so slow drift in the machine's load hits both sides of a comparison alike. The ratios
    // the targets use are taken per round, from neighbouring runs, then the median over rounds.
    const order: ConfigName[] = ["edgeMemory", "bareMiniflare", "edgeMiss", "edgeKv", "bareWorkerd", "nginx"];
    // BENCH_EDGE_ONLY=edgeMemory,bareMiniflare: a quicker look at a few configurations (the others report 0).
    const only = process.env.BENCH_EDGE_ONLY?.split(",");
    const measured = only ? order.filter((c) => only.includes(c)) : order;
    const runs = Object.fromEntries(order.map((c) => [c, [] as LoadFigures[]])) as Record<ConfigName, LoadFigures[]>;
    for (let round = 0; round < ROUNDS; round++) {
      for (const config of round % 2 === 0 ? measured : [...measured].reverse()) {
        const { url, script } = scripts[config];
        await runWrk(url, WARMUP_SECONDS, script);
        const figures = await runWrk(url, SECONDS, script);
        if (figures.errors > 0) throw new Error(`${config}: ${figures.errors} failed requests`);
        runs[config].push(figures);
        console.log(`  edge bench round ${round + 1}/${ROUNDS} ${config} [${HARNESS[config]}]: ${figures.rps.toFixed(0)} req/s, p50 ${figures.p50Ms.toFixed(2)} ms, p99 ${figures.p99Ms.toFixed(2)} ms`);
      }
    }
    const results = Object.fromEntries(
      order.map((c): [ConfigName, LoadFigures] => [
        c,
        runs[c].length === 0
          ? { rps: 0, p50Ms: 0, p99Ms: 0, requests: 0, errors: 0 }
          : {
              rps: median(runs[c].map((f) => f.rps)),
              p50Ms: median(runs[c].map((f) => f.p50Ms)),
              p99Ms: median(runs[c].map((f) => f.p99Ms)),
              requests: runs[c].reduce((n, f) => n + f.requests, 0),
              errors: 0,
            },
      ]),
    ) as Record<ConfigName, LoadFigures>;
    const perRound = (a: LoadFigures[], b: LoadFigures[], f: (x: LoadFigures, y: LoadFigures) => number) =>
      a.length && b.length ? median(a.map((x, i) => f(x, b[i]!))) : 0;
    const ratios = {
      memoryHitVsBare: perRound(runs.edgeMemory, runs.bareMiniflare, (x, y) => x.rps / y.rps),
      kvHitVsBare: perRound(runs.edgeKv, runs.bareMiniflare, (x, y) => x.rps / y.rps),
      missP99VsHitP99: perRound(runs.edgeMiss, runs.edgeMemory, (x, y) => x.p99Ms / y.p99Ms),
    };

    // The held miss-storm job occupies its pool member (one job at a time per member): let it go.
    await fetch(`${generatorUrl}/__release`, { method: "POST", body: JSON.stringify({ store: "bench-miss" }) }).then((r) => r.text());

    // 1,000 shoppers over the 4 personas, arriving 16 at a time before any page exists.
    const queue = Array.from({ length: SHOPPERS }, (_, i) => i);
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          const r = await get(`${edgeUrl}/s/bench-gen?shopper=g${i}&persona=${PERSONAS[i % PERSONAS.length]}`);
          if (r.status !== 200) throw new Error(`bench-gen request ${i}: ${r.status} ${r.body.slice(0, 300)}`);
        }
      }),
    );
    for (const persona of PERSONAS) {
      let cached = false;
      for (let i = 0; !cached && i < 1500; i++) {
        cached = (await get(`${edgeUrl}/s/bench-gen?shopper=check&persona=${persona}`)).cache !== "miss";
        if (!cached) await sleep(20);
      }
      if (!cached) throw new Error(`bench-gen: the ${persona} page was never generated`);
    }
    const genStats = (await (await fetch(`${generatorUrl}/__stats?store=bench-gen`)).json()) as { calls: number };

    return { ok: true, figures: { results, ratios, loadAverage, pageBytes: Buffer.byteLength(page), generations: genStats.calls, generationShoppers: SHOPPERS, rounds: ROUNDS, seconds: SECONDS } };
  } finally {
    await stopByPid(nginx);
    await stopByPid(workerd);
    await bare?.dispose();
    await edge?.dispose();
    await generator?.close();
    await rm(dir, { recursive: true, force: true });
  }
}
