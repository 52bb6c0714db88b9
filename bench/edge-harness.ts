/**
 * The edge benchmark's harness, shared by bench/edge-hits.ts, edge-miss.ts and edge-generations.ts
 * (the measurement runs once, the three report their parts).
 *
 * Harnesses, named in every figure:
 * - "workerd": the edge bundle exactly as `wrangler deploy --dry-run` writes it, on plain
 *   `workerd serve` (node_modules/.bin/workerd) with a config the bench generates
 *   (bench/workerd-config.ts): its Durable Objects on local disk, KV/R2/D1 served by Miniflare's own
 *   storage workers without the rest of Miniflare — no entry worker or dev proxy in front of the
 *   edge. The bare worker runs on the same `workerd serve` (a process of its own) and replays the
 *   edge's memory-hit response from memory: same status, headers (CSP, Wand-*, Set-Cookie …) and
 *   body, no logic — the runtime's ceiling for that response.
 * - "nginx": Debian's nginx serving the same bytes from a file, the machine's limit.
 * Load is wrk -t1 -c16 (bench/edge-load.ts); configurations alternate round by round (every other
 * round reversed), each figure is the median over the rounds, and each round also reads the
 * server's CPU time (/proc) to give µs of one core per request. The generator is a stand-in HTTP
 * server (the template page as the "generated" page, counting calls per store), so the figures are
 * the edge's, not an LLM's. If the memory hits stay under 0.8× the bare worker, the edge is run
 * once more with workerd's inspector and a CPU profile of memory hits is summarised
 * (bench/cpu-profile.ts).
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { armOf } from "../core/experiment.ts";
import { renderTemplatePage } from "../core/template.ts";
import type { PageMeta } from "../core/storage-keys.ts";
import { PERSONAS } from "../core/types.ts";
import { startFakeGenerator, type FakeGenerator } from "../edge-worker/test/fake-generator.ts";
import { describeProfile, profileLoad, type ProfileSummary } from "./cpu-profile.ts";
import { rotatingScript, runWrk, runWrkWithCpu, type CpuLoadFigures } from "./edge-load.ts";
import { bundleEdge, startBareRuntime, startEdgeRuntime, type BareRuntime, type EdgeRuntime } from "./edge-runtime.ts";
import { benchStore, seedBenchStores, writeShopperPages } from "./edge-stores.ts";
import { get, waitForCached } from "./edge-requests.ts";
import { ensureTools } from "./ensure-tools.ts";
import { callgrindPrefix, instructionsPerRequest, type InstructionFigures } from "./instruction-count.ts";
import { startNginx, type NginxServer } from "./nginx-server.ts";
import { cpuSeconds } from "./process-usage.ts";

const PORTS = { edge: 18210, control: 18211, bareWorkerd: 18212, nginx: 18213, generator: 18214, inspector: 18215 };
const COMPATIBILITY_DATE = "2026-07-01";

// Nine rounds: on a host whose speed swings between neighbouring 4 s runs (per-round ratios of one
// run from 0.69 to 1.27 here), five left the median a coin toss near the target.
export const ROUNDS = Number(process.env.BENCH_EDGE_ROUNDS ?? 9);
export const SECONDS = Number(process.env.BENCH_EDGE_SECONDS ?? 4);
const WARMUP_SECONDS = 1;
export const SHOPPERS = 1000;
const KV_PAGES = 2000;
export const HIT_RATIO_TARGET = 0.8;
/** The memory-hit store's holdout: exposure recording is on for every request measured. */
export const HIT_HOLDOUT_PERCENT = 10;
/**
 * Memory hits: each shopper views this many pages in a row, then a new shopper comes (a first
 * exposure to record): 1 request in 5 records one, thousands a second — far above a large store's
 * average (1 million shoppers a day ≈ 12 a second).
 */
export const HIT_VIEWS_PER_SHOPPER = Number(process.env.BENCH_HIT_VIEWS ?? 5);
/**
 * Instruction counts under callgrind (BENCH_EDGE_INSTRUCTIONS=0 leaves them out): warm-up and window,
 * s (BENCH_INSTRUCTION_SECONDS: a longer window takes in more of the collections, which otherwise
 * move a 20 s window's figure by several percent as one falls into it or not).
 */
const INSTRUCTIONS = process.env.BENCH_EDGE_INSTRUCTIONS !== "0";
// A process's first warm-up is long: V8 moves hot code to its top tier after so many calls, and
// under valgrind a shorter one left a run-to-run spread of ±8 % in the edge's JavaScript alone.
const INSTRUCTION_FIRST_WARM_SECONDS = 90;
const INSTRUCTION_WARM_SECONDS = 20;
export const INSTRUCTION_SECONDS = Number(process.env.BENCH_INSTRUCTION_SECONDS ?? 60);

export interface InstructionCounts {
  edgeMemory: InstructionFigures;
  edgeRepeat: InstructionFigures;
  bareWorkerd: InstructionFigures;
}

/** The first shopper id `<prefix><n>` in the `wand` arm of a store with the hit store's holdout. */
function wandShopper(store: string, prefix: string): string {
  for (let n = 1; ; n++) if (armOf(store, `${prefix}${n}`, HIT_HOLDOUT_PERCENT) === "wand") return `${prefix}${n}`;
}

export type ConfigName = "edgeMemory" | "edgeRepeat" | "edgeKv" | "edgeMiss" | "bareWorkerd" | "nginx";
export const HARNESS: Record<ConfigName, string> = { edgeMemory: "workerd", edgeRepeat: "workerd", edgeKv: "workerd", edgeMiss: "workerd", bareWorkerd: "workerd", nginx: "nginx" };

export interface EdgeFigures {
  /** Median over the rounds of each configuration (CPU per request too). */
  results: Record<ConfigName, CpuLoadFigures>;
  /** Median over the rounds of each round's ratio (neighbouring runs). */
  ratios: { memoryHitVsBare: number; repeatHitVsBare: number; kvHitVsBare: number; memoryHitVsNginx: number; missP99VsHitP99: number };
  /** Each round's memory hits over the bare worker (requests/s of neighbouring runs), in round order. */
  memoryHitVsBareByRound: number[];
  /** 1-minute load average when the measurement started (2 cores shared with other work). */
  loadAverage: number;
  pageBytes: number;
  generations: number;
  generationShoppers: number;
  rounds: number;
  seconds: number;
  /** CPU profiles of the edge's memory hits and of the bare worker, when the hits were under the target. */
  profile: { edge: ProfileSummary; bare: ProfileSummary } | null;
  /** Instructions per request under callgrind, or null when BENCH_EDGE_INSTRUCTIONS=0. */
  instructions: InstructionCounts | null;
}

let measurement: Promise<EdgeFigures> | null = null;

/** Runs the whole measurement once per process; the three edge benches share it (and its failure). */
export function measureEdge(): Promise<EdgeFigures> {
  measurement ??= measure();
  return measurement;
}

/**
 * The order of a round's configurations: as given in even rounds, reversed in odd ones, so no
 * configuration always runs right after the same neighbour (a warmer machine, a collection owed).
 */
export function roundOrder<T>(configs: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...configs] : [...configs].reverse();
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const medianFigures = (runs: CpuLoadFigures[]): CpuLoadFigures =>
  runs.length === 0
    ? { rps: 0, p50Ms: 0, p99Ms: 0, requests: 0, errors: 0, cpuUsPerRequest: 0, cores: 0 }
    : {
        rps: median(runs.map((f) => f.rps)),
        p50Ms: median(runs.map((f) => f.p50Ms)),
        p99Ms: median(runs.map((f) => f.p99Ms)),
        requests: runs.reduce((n, f) => n + f.requests, 0),
        errors: 0,
        cpuUsPerRequest: median(runs.map((f) => f.cpuUsPerRequest)),
        cores: median(runs.map((f) => f.cores)),
      };

async function measure(): Promise<EdgeFigures> {
  await ensureTools(INSTRUCTIONS ? ["nginx", "wrk", "valgrind"] : ["nginx", "wrk"]);
  const dir = await mkdtemp(join(tmpdir(), "wand-edge-bench-"));
  const loadAverage = loadavg()[0]!;
  let generator: FakeGenerator | null = null;
  let edge: EdgeRuntime | null = null;
  let bare: BareRuntime | null = null;
  let nginx: NginxServer | null = null;
  try {
    const bundleDir = await bundleEdge(join(dir, "bundle"));
    generator = await startFakeGenerator({
      port: PORTS.generator,
      render: ({ selection, settings, job }) => renderTemplatePage({ selection, settings, persona: job.persona, baseUrl: "" }),
    });
    const generatorUrl = generator.url;
    // Production values but the generator URL, and a timeout that outlasts the held miss-storm job.
    const runtime = { dir: join(dir, "edge"), bundleDir, edgePort: PORTS.edge, controlPort: PORTS.control, vars: { POOL_SIZE: "10", GENERATOR_URL: generatorUrl, GENERATOR_TIMEOUT_MS: "3600000", RETRY_BASE_MS: "2000", SNAPSHOT_TTL_SECONDS: "5", STATS_FLUSH_SECONDS: "10" } };
    edge = await startEdgeRuntime(runtime);
    const edgeUrl = edge.edgeUrl;
    await edge.control.migrate();

    // The hit store runs the experiment (a 10 % holdout): every request records its exposure, as on a
    // live shop; 1 in 10 shoppers gets the holdout's template page, also from memory.
    const hit = benchStore("bench-hit", "persona", { holdoutPercent: HIT_HOLDOUT_PERCENT });
    const kv = benchStore("bench-kv", "shopper");
    const miss = benchStore("bench-miss", "persona");
    const gen = benchStore("bench-gen", "persona");
    await seedBenchStores(edge.control, [hit, kv, miss, gen]);

    // The shared persona page, generated once, then served from memory.
    await get(`${edgeUrl}/s/bench-hit?persona=explorer&shopper=warm`);
    await waitForCached(`${edgeUrl}/s/bench-hit?persona=explorer&shopper=warm`);
    // The response the bare worker replays: the edge's own memory hit, status, headers and body.
    const replayedShopper = wandShopper("bench-hit", "m");
    const hitResponse = await get(`${edgeUrl}/s/bench-hit?persona=explorer&shopper=${replayedShopper}`);
    if (hitResponse.cache !== "memory") throw new Error(`expected a memory hit, got ${hitResponse.cache}`);
    const page = hitResponse.body;
    // Not replayed: framing and encoding headers (Node's fetch asks for gzip; the runtime would then
    // compress the replayed body on every request), which the runtime sets itself.
    const replayed = hitResponse.headers.filter(([name]) => !["content-length", "content-encoding", "transfer-encoding", "date", "connection", "vary"].includes(name));
    console.log(`  edge bench: the bare worker replays ${replayed.map(([n]) => n).join(", ")}`);

    // KV hits: more shopper-scoped pages than the in-memory LRU holds, so each request misses memory.
    // One page generated by the edge gives the page and metadata the copies carry.
    await get(`${edgeUrl}/s/bench-kv?persona=explorer&shopper=kv-first`);
    await waitForCached(`${edgeUrl}/s/bench-kv?persona=explorer&shopper=kv-first`);
    const { value: kvPage, metadata: kvMeta } = await edge.control.kvGet<PageMeta>((await edge.control.kvList("ui/bench-kv/explorer/"))[0] ?? "");
    if (kvPage === null || !kvMeta) throw new Error("the edge wrote no KV page for bench-kv");
    await writeShopperPages(edge.control, { store: kv, persona: "explorer", page: kvPage, meta: kvMeta, shopperPrefix: "s", count: KV_PAGES });
    // The miss storm: the generator holds the job, as an LLM would for seconds, so every shopper misses.
    await fetch(`${generatorUrl}/__control`, { method: "POST", body: JSON.stringify({ store: "bench-miss", behaviour: "hold" }) }).then((r) => r.text());

    // The bare worker, and the edge again on its state on disk (profiles, instruction counts), by directory name.
    const startBare = (name: string, o: { inspectorPort?: number; prefix?: string[] } = {}) => startBareRuntime({ dir: join(dir, name), port: PORTS.bareWorkerd, page, headers: replayed, compatibilityDate: COMPATIBILITY_DATE, ...o });
    const restartEdge = (name: string, o: { inspectorPort?: number; prefix?: string[] }) => startEdgeRuntime({ ...runtime, stateDir: join(dir, "edge", "state"), dir: join(dir, name), ...o });
    bare = await startBare("bare");
    nginx = await startNginx(PORTS.nginx, page);

    const checks: [string, string][] = [
      [`${edgeUrl}/s/bench-hit?persona=explorer&shopper=${wandShopper("bench-hit", "c")}`, "memory"],
      [`${edgeUrl}/s/bench-kv?persona=explorer&shopper=s7`, "kv"],
      [`${edgeUrl}/s/bench-miss?persona=explorer&shopper=c1`, "miss"],
    ];
    for (const [url, expected] of checks) {
      const r = await get(url);
      if (r.status !== 200 || r.cache !== expected) throw new Error(`${url}: expected Wand-Cache ${expected}, got ${r.status} ${r.cache}`);
    }
    for (const url of [bare.url, nginx.url]) {
      const body = (await get(`${url}/`)).body;
      if (body !== page) throw new Error(`${url} does not serve the same bytes (${body.length} vs ${page.length}): ${body.slice(0, 300)}`);
    }

    const edgePid = edge.pid;
    const barePid = bare.pid;
    const nginxCpu = nginx.cpuSeconds;
    const targets: Record<ConfigName, { url: string; script: string; cpu: () => number }> = {
      edgeMemory: { url: edgeUrl, script: await rotatingScript(dir, "memory", "/s/bench-hit?persona=explorer&shopper=m", 1_000_000, HIT_VIEWS_PER_SHOPPER), cpu: () => cpuSeconds(edgePid) },
      // Repeat views: all 16 connections ask for one shopper's page again and again (what a shopper's
      // later pages cost once the edge has met them: no new exposure, no new shopper to read).
      edgeRepeat: { url: edgeUrl, script: await rotatingScript(dir, "repeat", "/s/bench-hit?persona=explorer&shopper=r", 1_000_000, 1_000_000_000), cpu: () => cpuSeconds(edgePid) },
      edgeKv: { url: edgeUrl, script: await rotatingScript(dir, "kv", "/s/bench-kv?persona=explorer&shopper=s", KV_PAGES), cpu: () => cpuSeconds(edgePid) },
      edgeMiss: { url: edgeUrl, script: await rotatingScript(dir, "miss", "/s/bench-miss?persona=explorer&shopper=x", 1_000_000), cpu: () => cpuSeconds(edgePid) },
      bareWorkerd: { url: bare.url, script: await rotatingScript(dir, "bare", "/s/bench-hit?persona=explorer&shopper=m", 1_000_000), cpu: () => cpuSeconds(barePid) },
      nginx: { url: nginx.url, script: await rotatingScript(dir, "nginx", "/s/bench-hit?persona=explorer&shopper=m", 1_000_000), cpu: nginxCpu },
    };
    // Edge and its references alternate inside every round, and every other round runs in reverse
    // order, so slow drift in the machine's load hits both sides of a comparison alike. The ratios
    // the targets use are taken per round, from neighbouring runs, then the median over rounds.
    const order: ConfigName[] = ["edgeMemory", "bareWorkerd", "edgeRepeat", "edgeMiss", "edgeKv", "nginx"];
    // BENCH_EDGE_ONLY=edgeMemory,bareWorkerd: a quicker look at a few configurations (the others report 0).
    const only = process.env.BENCH_EDGE_ONLY?.split(",");
    const measured = only ? order.filter((c) => only.includes(c)) : order;
    const runs = Object.fromEntries(order.map((c) => [c, [] as CpuLoadFigures[]])) as Record<ConfigName, CpuLoadFigures[]>;
    for (let round = 0; round < ROUNDS; round++) {
      for (const config of roundOrder(measured, round)) {
        const { url, script, cpu } = targets[config];
        await runWrk(url, WARMUP_SECONDS, script);
        const figures = await runWrkWithCpu(url, SECONDS, script, cpu);
        if (figures.errors > 0) throw new Error(`${config}: ${figures.errors} failed requests`);
        runs[config].push(figures);
        console.log(
          `  edge bench round ${round + 1}/${ROUNDS} ${config} [${HARNESS[config]}]: ${figures.rps.toFixed(0)} req/s, p50 ${figures.p50Ms.toFixed(2)} ms, p99 ${figures.p99Ms.toFixed(2)} ms, ${figures.cpuUsPerRequest.toFixed(1)} µs CPU/req (${figures.cores.toFixed(2)} cores)`,
        );
      }
    }
    const results = Object.fromEntries(order.map((c) => [c, medianFigures(runs[c])])) as Record<ConfigName, CpuLoadFigures>;
    const byRound = (a: CpuLoadFigures[], b: CpuLoadFigures[], f: (x: CpuLoadFigures, y: CpuLoadFigures) => number) => (a.length && b.length ? a.map((x, i) => f(x, b[i]!)) : []);
    const perRound = (a: CpuLoadFigures[], b: CpuLoadFigures[], f: (x: CpuLoadFigures, y: CpuLoadFigures) => number) => {
      const values = byRound(a, b, f);
      return values.length ? median(values) : 0;
    };
    const memoryHitVsBareByRound = byRound(runs.edgeMemory, runs.bareWorkerd, (x, y) => x.rps / y.rps);
    const ratios = {
      memoryHitVsBare: perRound(runs.edgeMemory, runs.bareWorkerd, (x, y) => x.rps / y.rps),
      repeatHitVsBare: perRound(runs.edgeRepeat, runs.bareWorkerd, (x, y) => x.rps / y.rps),
      kvHitVsBare: perRound(runs.edgeKv, runs.bareWorkerd, (x, y) => x.rps / y.rps),
      memoryHitVsNginx: perRound(runs.edgeMemory, runs.nginx, (x, y) => x.rps / y.rps),
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
    for (const persona of PERSONAS) await waitForCached(`${edgeUrl}/s/bench-gen?shopper=check&persona=${persona}`);
    const genStats = (await (await fetch(`${generatorUrl}/__stats?store=bench-gen`)).json()) as { calls: number };

    // Under the target: the same edge (same state on disk) and the bare worker once more, each with
    // the inspector, profiled under the same load: what the edge adds is what differs.
    let profile: { edge: ProfileSummary; bare: ProfileSummary } | null = null;
    // BENCH_EDGE_PROFILE=1: profile whatever the ratio (to look at a hit path that meets the target).
    const profileAnyway = process.env.BENCH_EDGE_PROFILE === "1";
    if (measured.includes("edgeMemory") && measured.includes("bareWorkerd") && (profileAnyway || ratios.memoryHitVsBare < HIT_RATIO_TARGET)) {
      await edge.stop();
      edge = null;
      await bare.stop();
      const profiledEdge = await restartEdge("edge-profiled", { inspectorPort: PORTS.inspector });
      edge = profiledEdge;
      const seconds = Math.max(3, SECONDS);
      const edgeProfile = await profileLoad({ inspectorPort: PORTS.inspector, service: "edge", mapFile: join(bundleDir, "index.js.map"), url: edgeUrl, warmUrl: `${edgeUrl}/s/bench-hit?persona=explorer&shopper=warm`, script: targets.edgeMemory.script, seconds, name: "edge-memory-hits" });
      await profiledEdge.stop();
      edge = null;
      bare = await startBare("bare-profiled", { inspectorPort: PORTS.inspector });
      const bareProfile = await profileLoad({ inspectorPort: PORTS.inspector, service: "bare", url: bare.url, warmUrl: `${bare.url}/`, script: targets.bareWorkerd.script, seconds, name: "bare-worker" });
      profile = { edge: edgeProfile, bare: bareProfile };
      console.log(`  edge profile (${edgeProfile.file}): ${describeProfile(edgeProfile, 20)}\n  bare profile (${bareProfile.file}): ${describeProfile(bareProfile, 20)}`);
    }

    // Instructions per request, counted under callgrind (bench/instruction-count.ts): the edge (same
    // state on disk) and the bare worker once more, each under the load its timed rounds had.
    let instructions: InstructionCounts | null = null;
    if (INSTRUCTIONS) {
      await edge?.stop();
      edge = null;
      await bare?.stop();
      bare = null;
      // Outside the bench's temporary directory, which is removed when the run ends: the dumps can be
      // read with callgrind_annotate (per-function counts of the runtime's native code).
      const outDir = join(tmpdir(), `wand-callgrind-${Date.now()}`);
      await mkdir(outDir, { recursive: true });
      const prefix = callgrindPrefix(outDir);
      const counted = await restartEdge("edge-counted", { prefix });
      edge = counted;
      const count = (pid: number, url: string, script: string, warmSeconds = INSTRUCTION_WARM_SECONDS) => instructionsPerRequest({ pid, outDir, url, script, warmSeconds, seconds: INSTRUCTION_SECONDS });
      const edgeMemory = await count(counted.pid, edgeUrl, targets.edgeMemory.script, INSTRUCTION_FIRST_WARM_SECONDS);
      // BENCH_INSTRUCTION_ONLY=edgeMemory: the memory hits alone (a quicker look at a change; the others report 0).
      const none = { perRequest: 0, requests: 0 };
      const memoryOnly = process.env.BENCH_INSTRUCTION_ONLY === "edgeMemory";
      const edgeRepeat = memoryOnly ? none : await count(counted.pid, edgeUrl, targets.edgeRepeat.script);
      await counted.stop();
      edge = null;
      let bareWorkerd = none;
      if (!memoryOnly) {
        const counted = await startBare("bare-counted", { prefix });
        bare = counted;
        bareWorkerd = await count(counted.pid, counted.url, targets.bareWorkerd.script, INSTRUCTION_FIRST_WARM_SECONDS);
      }
      instructions = { edgeMemory, edgeRepeat, bareWorkerd };
      console.log(
        `  edge bench instructions per request (callgrind): memory hits ${edgeMemory.perRequest.toFixed(0)} (${edgeMemory.requests} requests), repeat views ${edgeRepeat.perRequest.toFixed(0)} (${edgeRepeat.requests}), bare worker ${bareWorkerd.perRequest.toFixed(0)} (${bareWorkerd.requests}): memory hits ${(bareWorkerd.perRequest / edgeMemory.perRequest).toFixed(3)}× the bare worker`,
      );
    }

    return { results, ratios, memoryHitVsBareByRound, loadAverage, pageBytes: Buffer.byteLength(page), generations: genStats.calls, generationShoppers: SHOPPERS, rounds: ROUNDS, seconds: SECONDS, profile, instructions };
  } catch (error) {
    if (edge) console.error(`edge workerd output:\n${edge.output().slice(-3000)}`);
    throw error;
  } finally {
    await nginx?.stop();
    await bare?.stop();
    await edge?.stop();
    await generator?.close();
    await rm(dir, { recursive: true, force: true });
  }
}
