import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * Load for the edge benchmark: `wrk -t1 -c16 --latency` (Debian's wrk), one thread and 16
 * connections as in TOOLCHAIN.md's reference figures, optionally rotating the shopper id per request
 * with a Lua script. Parses requests/s and the latency percentiles.
 */
const execFileAsync = promisify(execFile);
export const WRK = "/usr/bin/wrk";
export const CONNECTIONS = 16;

export interface LoadFigures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Responses that were not 2xx/3xx (the run is invalid when not 0). */
  errors: number;
}

export function wrkAvailable(): boolean {
  return existsSync(WRK);
}

/** A round's load figures with the server's CPU time over it. */
export interface CpuLoadFigures extends LoadFigures {
  /** µs of one core per request: the server process's CPU time over the round / requests served. */
  cpuUsPerRequest: number;
  /** Cores the server kept busy on average (CPU seconds / wall seconds). */
  cores: number;
}

/**
 * One timed wrk run against a server whose CPU time `cpu()` reads (seconds, all its threads or
 * processes): at saturation, CPU per request = ΔCPU / requests.
 */
export async function runWrkWithCpu(url: string, seconds: number, script: string | undefined, cpu: () => number): Promise<CpuLoadFigures> {
  const before = cpu();
  const started = performance.now();
  const figures = await runWrk(url, seconds, script);
  const wall = (performance.now() - started) / 1000;
  const used = cpu() - before;
  return { ...figures, cpuUsPerRequest: figures.requests > 0 ? (used / figures.requests) * 1e6 : 0, cores: used / wall };
}

/**
 * A wrk script that sends `<path><counter>` so every request is a different shopper; with
 * `viewsPerShopper` > 1 each shopper makes that many requests in a row, and the ids carry the run's
 * start second, so every run (warm-up included) brings shoppers this isolate has not seen yet.
 */
export async function rotatingScript(dir: string, name: string, pathPrefix: string, modulo: number, viewsPerShopper = 1, o: { thinkMs?: number } = {}): Promise<string> {
  const file = join(dir, `${name}.lua`);
  const id = viewsPerShopper > 1 ? `run .. math.floor(i / ${viewsPerShopper}) % ${modulo}` : `(i % ${modulo})`;
  // wrk calls delay() before each request of a connection: a paced load below saturation.
  const delay = o.thinkMs ? `delay = function()\n  return ${o.thinkMs}\nend\n` : "";
  await writeFile(
    file,
    `local i = 0\nlocal run = os.time() .. "-"\nrequest = function()\n  i = i + 1\n  return wrk.format("GET", "${pathPrefix}" .. ${id})\nend\n${delay}`,
  );
  return file;
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  if (unit === "us") return n / 1000;
  if (unit === "ms") return n;
  if (unit === "s") return n * 1000;
  if (unit === "m") return n * 60_000;
  throw new Error(`unknown wrk latency unit ${unit}`);
}

export function parseWrk(output: string): LoadFigures {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const p50 = /^\s*50%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(output);
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(output);
  const requests = /(\d+) requests in/.exec(output);
  const errors = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  if (!rps || !p50 || !p99 || !requests) throw new Error(`cannot read wrk's output:\n${output}`);
  const socket = socketErrors ? socketErrors.slice(1).reduce((n, v) => n + Number(v), 0) : 0;
  return {
    rps: Number(rps[1]),
    p50Ms: toMs(p50[1]!, p50[2]!),
    p99Ms: toMs(p99[1]!, p99[2]!),
    requests: Number(requests[1]),
    errors: (errors ? Number(errors[1]) : 0) + socket,
  };
}

export async function runWrk(url: string, seconds: number, script?: string): Promise<LoadFigures> {
  const args = ["-t1", `-c${CONNECTIONS}`, `-d${seconds}s`, "--latency", "--timeout", "10s", ...(script ? ["-s", script] : []), url];
  const { stdout } = await execFileAsync(WRK, args, { maxBuffer: 4 * 1024 * 1024 });
  return parseWrk(stdout);
}
