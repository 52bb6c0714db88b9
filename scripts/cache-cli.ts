/**
 * The cache CLI: `npm run cache -- <list|purge|warm|stats> [...]` (see `--help`). Local wrangler state
 * by default, a deployed edge with `--url`. Exit codes: 0 ok, 1 failure, 2 usage error.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_PERSIST_DIR, HELP, parseInvocation, type Invocation } from "./cache/args.ts";
import type { CacheBackend } from "./cache/backend.ts";
import { CliError } from "./cache/cli-error.ts";
import { runCommand, type Io } from "./cache/commands.ts";
import { readDevVar } from "./cache/dev-vars.ts";
import { LocalBackend } from "./cache/local-backend.ts";
import { OpsClient } from "./cache/ops-client.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const EDGE_CONFIG = resolve(repoRoot, "edge-worker/wrangler.jsonc");
const EDGE_DEV_VARS = resolve(repoRoot, "edge-worker/.dev.vars");

export interface MainOptions {
  env?: Record<string, string | undefined>;
  /** Where the local edge's secrets are (its OPS_TOKEN); tests point it elsewhere. */
  devVarsPath?: string;
}

export function backendFor(invocation: Invocation, devVarsPath = EDGE_DEV_VARS): CacheBackend {
  const target = invocation.target;
  if (target.kind === "remote") return new OpsClient(target.url, target.token);
  return new LocalBackend({
    // The default is npm start's state in this repository; a given --persist is relative to the cwd, as wrangler's own.
    persistDir: target.persistDir === DEFAULT_PERSIST_DIR ? resolve(repoRoot, DEFAULT_PERSIST_DIR) : resolve(target.persistDir),
    configPath: EDGE_CONFIG,
    edgeUrl: target.edgeUrl,
    token: target.token ?? readDevVar(devVarsPath, "OPS_TOKEN") ?? null,
  });
}

export async function main(argv: string[], io: Io, options: MainOptions = {}): Promise<number> {
  let backend: CacheBackend | null = null;
  try {
    const invocation = parseInvocation(argv, options.env ?? process.env);
    if (invocation.command.name === "help") {
      io.out(HELP);
      return 0;
    }
    backend = backendFor(invocation, options.devVarsPath);
    await runCommand(invocation.command, backend, io, invocation.json);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`error: ${error.message}${error.exitCode === 2 ? "\n(npm run cache -- --help for usage)" : ""}`);
      return error.exitCode;
    }
    io.err(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    await backend?.close().catch(() => undefined);
  }
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const io: Io = {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(text.startsWith("\r") || text === "\n" ? text : `${text}\n`),
    tty: process.stderr.isTTY === true,
    now: () => Date.now(),
    sleep: (ms) => sleep(ms),
  };
  process.exitCode = await main(process.argv.slice(2), io);
}
