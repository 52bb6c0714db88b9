import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { runWrk } from "./edge-load.ts";

/**
 * Instructions a server process executes per request, counted by valgrind's callgrind: a figure
 * that, unlike requests/s or CPU time, does not move with what else the machine is doing (a busy
 * host swung the bare worker's CPU per request by 2× between rounds of one run). The server runs
 * under `valgrind --tool=callgrind` (every thread, the runtime's own work and V8's compiler threads
 * included, as CPU time would count them); after a warm-up that lets V8 compile the hot path,
 * `callgrind_control` zeroes the counters, wrk sends a timed load, and the dump's total over the
 * requests served is the figure. valgrind runs the server some 30–50× slower, so a window holds a few
 * thousand requests, with two consequences that make the count pessimistic for the edge, never
 * flattering: V8 has seen about ten thousand requests when counting starts, fewer than at full speed,
 * so more of the JavaScript still runs in its lower tiers (Sparkplug, Maglev) than TurboFan would
 * leave it; and timers keep wall-clock time, so work done once a second (the exposure flush) is
 * spread over fewer requests. The runtime's native work (HTTP, headers, allocation) is counted as it
 * is. From run to run the bare worker's count moved by about 1 %, the edge's by about 4 % (its
 * once-a-second work and garbage collections fall differently into the window).
 */
const execFileAsync = promisify(execFile);
export const VALGRIND = "/usr/bin/valgrind";
const CALLGRIND_CONTROL = "/usr/bin/callgrind_control";

/** The command prefix that runs a server under callgrind, its dumps in `outDir`. */
export function callgrindPrefix(outDir: string): string[] {
  // V8 writes machine code at run time: valgrind must look for it outside mapped files.
  return [VALGRIND, "--tool=callgrind", `--callgrind-out-file=${join(outDir, "callgrind.%p.out")}`, "--smc-check=all-non-file", "--dump-line=no", "--compress-strings=no"];
}

export interface InstructionFigures {
  /** Instructions per request over the window (all threads of the process). */
  perRequest: number;
  requests: number;
}

/** Counts what `pid` (running under callgrindPrefix) executes per request of `script` against `url`. */
export async function instructionsPerRequest(o: { pid: number; outDir: string; url: string; script?: string; warmSeconds: number; seconds: number }): Promise<InstructionFigures> {
  await runWrk(o.url, o.warmSeconds, o.script);
  await execFileAsync(CALLGRIND_CONTROL, ["-z", String(o.pid)]);
  const load = await runWrk(o.url, o.seconds, o.script);
  if (load.errors > 0) throw new Error(`${load.errors} failed requests under callgrind`);
  const before = new Set(await readdir(o.outDir));
  await execFileAsync(CALLGRIND_CONTROL, ["-d", String(o.pid)]);
  const dump = (await readdir(o.outDir)).find((f) => f.startsWith(`callgrind.${o.pid}.out.`) && !before.has(f));
  if (!dump) throw new Error(`callgrind wrote no dump for process ${o.pid} in ${o.outDir}`);
  const summary = /^summary:\s+(\d+)/m.exec(await readFile(join(o.outDir, dump), "utf8"));
  if (!summary) throw new Error(`no instruction total in ${dump}`);
  return { perRequest: Number(summary[1]) / Math.max(1, load.requests), requests: load.requests };
}
