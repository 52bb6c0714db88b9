import { spawn, type ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Child processes as `npm start`, the browser tests and the benchmarks run them (Node only).
 *
 * A long-running server is started in a process group of its own (`detached`) and stopped by that
 * group's id: `wrangler dev` runs workerd as a child of its own, and `tsx` its Node, so a signal to
 * the direct child alone would leave a workerd holding the port after the test or `npm start` ended.
 */

export interface SpawnGroupOptions {
  cwd: string;
  /** Without it, this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Every chunk the process prints, with the stream it came on. */
  onOutput?: (chunk: Buffer, stream: "stdout" | "stderr") => void;
  /** "ignore" for a server that prints a line a request: a pipe nobody reads would fill and stall it. */
  stdout?: "pipe" | "ignore";
}

/** Starts `command` as the leader of a new process group (stdin closed, stderr piped). */
export function spawnGroup(command: string, args: string[], o: SpawnGroupOptions): ChildProcess {
  const child = spawn(command, args, { cwd: o.cwd, env: o.env, detached: true, stdio: ["ignore", o.stdout ?? "pipe", "pipe"] });
  const onOutput = o.onOutput;
  if (onOutput) {
    child.stdout?.on("data", (chunk: Buffer) => onOutput(chunk, "stdout"));
    child.stderr?.on("data", (chunk: Buffer) => onOutput(chunk, "stderr"));
  }
  return child;
}

/** Whether the process has ended (its exit has been seen). */
export const hasExited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

export interface StopGroupOptions {
  /** How long the group has after SIGTERM to end by itself before SIGKILL (wrangler needs a few seconds to stop workerd). */
  graceMs?: number;
  /** After SIGKILL, wait for the leader's exit too (default); false returns at once. */
  awaitKilled?: boolean;
}

/**
 * Stops a group started by spawnGroup: SIGTERM to the whole group (-pid), up to `graceMs` (8 s) for
 * the leader to exit, then SIGKILL to the group. A process that has already exited is left alone;
 * a group that is gone when signalled (ESRCH) counts as stopped.
 */
export async function stopGroup(child: ChildProcess | null | undefined, o: StopGroupOptions = {}): Promise<void> {
  const pid = child?.pid;
  if (!child || pid === undefined || hasExited(child)) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    return;
  }
  const timeout = sleep(o.graceMs ?? 8000).then(() => "timeout" as const);
  if ((await Promise.race([exited.then(() => "exited" as const), timeout])) === "timeout") {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
    if (o.awaitKilled ?? true) await exited;
  }
}

export interface RunToEndOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Where the output goes: chunks pushed to this array (stdout and stderr, in order), so a failure can
   * show it. Without it the output is inherited (the user sees it live, as `npm start` builds).
   */
  log?: string[];
  /** The failure's message for an exit code other than 0 (`output` is the log joined, "" when inherited). */
  failure?: (code: number | null, output: string) => string;
}

/**
 * Runs a command (not detached: it ends with us) to its end; resolves on exit code 0, rejects
 * otherwise with `failure(code, output)`, by default the command line, the code and the last 4000
 * characters of the log.
 */
export function runToEnd(command: string, args: string[], o: RunToEndOptions): Promise<void> {
  const log = o.log;
  const failure = o.failure ?? ((code, output) => `${command} ${args.join(" ")} exited with ${code}${log ? `:\n${output.slice(-4000)}` : ""}`);
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: o.cwd, env: o.env, stdio: log ? ["ignore", "pipe", "pipe"] : "inherit" });
    if (log) {
      child.stdout?.on("data", (c: Buffer) => log.push(c.toString("utf8")));
      child.stderr?.on("data", (c: Buffer) => log.push(c.toString("utf8")));
    }
    child.on("error", fail);
    child.on("exit", (code) => (code === 0 ? done() : fail(new Error(failure(code, log ? log.join("") : "")))));
  });
}

export interface WaitForHttpOptions {
  /** Give up after this long (ms) … */
  timeoutMs?: number;
  /** … or after this many requests (bounded by attempts, not a clock), whichever comes first. */
  attempts?: number;
  /** The pause between two requests. */
  intervalMs: number;
  /** Each request's own limit; without it a request may hang as long as the server lets it. */
  requestTimeoutMs?: number;
  /** Which answer means ready (default: a 2xx). A refused or timed-out request never does. */
  ready?: (status: number) => boolean;
  /** A process that serves the URL: once it has exited there is nothing to wait for. */
  process?: ChildProcess;
}

/**
 * Polls `url` until it answers as `ready`. Returns what ended the wait, so each caller words its own
 * error (with its own log): "ready", "exited" (o.process ended first) or "timeout".
 */
export async function waitForHttp(url: string, o: WaitForHttpOptions): Promise<"ready" | "exited" | "timeout"> {
  const deadline = Date.now() + (o.timeoutMs ?? Number.POSITIVE_INFINITY);
  const attempts = o.attempts ?? Number.POSITIVE_INFINITY;
  const ready = o.ready ?? ((status: number) => status >= 200 && status < 300);
  for (let attempt = 1; ; attempt++) {
    if (o.process && hasExited(o.process)) return "exited";
    try {
      const response = await fetch(url, o.requestTimeoutMs === undefined ? {} : { signal: AbortSignal.timeout(o.requestTimeoutMs) });
      // Not read: the connection is given back at once.
      await response.body?.cancel();
      if (ready(response.status)) return "ready";
    } catch {
      // not listening yet
    }
    if (attempt >= attempts || Date.now() >= deadline) return "timeout";
    await sleep(o.intervalMs);
  }
}
