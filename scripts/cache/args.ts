import { parseArgs } from "node:util";
import { isStoreId } from "../../core/cache-key.ts";
import { isPersona, PERSONAS, type Persona } from "../../core/types.ts";
import { usageError } from "./cli-error.ts";

/** Where the CLI reads and writes: the local wrangler state, or a deployed edge through its ops endpoint. */
export type Target =
  | { kind: "local"; persistDir: string; edgeUrl: string; token: string | null }
  | { kind: "remote"; url: string; token: string };

export type Command =
  | { name: "help" }
  | { name: "list"; store: string | null }
  | { name: "purge"; store: string | null; persona: Persona | null }
  | { name: "warm"; store: string; timeoutMs: number }
  | { name: "stats"; store: string | null };

export interface Invocation {
  command: Command;
  target: Target;
  json: boolean;
}

/** Defaults shared with `npm start`: its edge listens on 8787 and persists to .wrangler/state. */
export const DEFAULT_PERSIST_DIR = ".wrangler/state";
export const DEFAULT_LOCAL_EDGE = "http://127.0.0.1:8787";
const DEFAULT_WARM_TIMEOUT_S = 120;

export const HELP = `WandStore cache CLI

Usage: npm run cache -- <command> [arguments] [options]

Commands:
  list [store]              cached pages per store and persona: age, variant, source, layers
  purge <store> [persona]   delete a store's cached pages (one persona or all) from KV and R2
  purge --all               delete the cached pages of every store
  warm <store>              enqueue every enabled persona of the store and wait until the pages exist
  stats [store]             hits, misses, stale, holdout, jobs and generation latency per persona

Options:
  --url <edge>        work on a deployed edge through its ops endpoint (https://…); needs a token
  --token <token>     the edge's OPS_TOKEN (or set WAND_OPS_TOKEN, which keeps it out of ps and history)
  --persist <dir>     local wrangler state directory (default ${DEFAULT_PERSIST_DIR}, the one npm start uses)
  --edge <url>        local edge for warm (default ${DEFAULT_LOCAL_EDGE}, the npm start edge)
  --timeout <s>       warm: seconds to wait for the pages (default ${DEFAULT_WARM_TIMEOUT_S})
  --json              machine-readable output
  -h, --help          this help

Local mode (no --url) reads and writes the wrangler state directly; warm needs the running npm start
edge and its token (OPS_TOKEN in edge-worker/.dev.vars, or --token / WAND_OPS_TOKEN).
Personas: ${PERSONAS.join(", ")}. Exit codes: 0 ok, 1 failure, 2 usage error.`;

function parseStore(value: string | undefined, command: string): string {
  if (value === undefined) throw usageError(`${command} needs a store, e.g. \`${command} demo-apparel\``);
  if (!isStoreId(value)) throw usageError(`bad store "${value}": a store is its lowercase slug, e.g. demo-apparel`);
  return value;
}

function parsePersona(value: string | undefined): Persona | null {
  if (value === undefined) return null;
  if (!isPersona(value)) throw usageError(`unknown persona "${value}" (one of ${PERSONAS.join(", ")})`);
  return value;
}

function parseUrl(value: string, option: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`${option} must be an http(s) URL, got "${value}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw usageError(`${option} must be an http(s) URL, got "${value}"`);
  return url.origin + url.pathname.replace(/\/+$/, "");
}

function expectPositionals(positionals: string[], max: number, command: string): void {
  if (positionals.length > max) throw usageError(`too many arguments for ${command}: ${positionals.slice(max).join(" ")}`);
}

/** Parses argv (without node and the script) into an invocation; throws a usage CliError on bad input. */
export function parseInvocation(argv: string[], env: Record<string, string | undefined> = process.env): Invocation {
  let parsed: ReturnType<typeof parseWithNode>;
  try {
    parsed = parseWithNode(argv);
  } catch (error) {
    // util.parseArgs explains unknown options and missing values well; keep its words.
    throw usageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const json = values.json === true;
  const [name, ...rest] = positionals;

  if (values.help === true || name === "help") return { command: { name: "help" }, target: localTarget(values, env), json };
  if (name === undefined) throw usageError("no command given (list, purge, warm, stats)");

  const command = parseCommand(name, rest, values);
  if (values.all === true && command.name !== "purge") throw usageError("--all only applies to purge");
  if (values.timeout !== undefined && command.name !== "warm") throw usageError("--timeout only applies to warm");

  if (values.url !== undefined) {
    if (values.persist !== undefined || values.edge !== undefined) throw usageError("--url works on a deployed edge: drop --persist/--edge");
    const token = values.token ?? env.WAND_OPS_TOKEN;
    if (!token) throw usageError("--url needs the edge's ops token: --token <token> or WAND_OPS_TOKEN");
    return { command, target: { kind: "remote", url: parseUrl(values.url, "--url"), token }, json };
  }
  return { command, target: localTarget(values, env), json };
}

function parseWithNode(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: "boolean", short: "h" },
      json: { type: "boolean" },
      all: { type: "boolean" },
      url: { type: "string" },
      token: { type: "string" },
      persist: { type: "string" },
      edge: { type: "string" },
      timeout: { type: "string" },
    },
  });
}

type Values = ReturnType<typeof parseWithNode>["values"];

function localTarget(values: Values, env: Record<string, string | undefined>): Target {
  return {
    kind: "local",
    persistDir: values.persist ?? DEFAULT_PERSIST_DIR,
    edgeUrl: values.edge !== undefined ? parseUrl(values.edge, "--edge") : DEFAULT_LOCAL_EDGE,
    token: values.token ?? env.WAND_OPS_TOKEN ?? null,
  };
}

function parseCommand(name: string, rest: string[], values: Values): Command {
  switch (name) {
    case "list":
    case "stats": {
      expectPositionals(rest, 1, name);
      return { name, store: rest[0] === undefined ? null : parseStore(rest[0], name) };
    }
    case "purge": {
      if (values.all === true) {
        if (rest.length > 0) throw usageError("purge --all takes no store: it purges every store");
        return { name, store: null, persona: null };
      }
      expectPositionals(rest, 2, name);
      if (rest[0] === undefined) throw usageError("purge needs a store (purge <store> [persona]) or --all");
      return { name, store: parseStore(rest[0], name), persona: parsePersona(rest[1]) };
    }
    case "warm": {
      expectPositionals(rest, 1, name);
      return { name, store: parseStore(rest[0], name), timeoutMs: parseTimeout(values.timeout) };
    }
    default:
      throw usageError(`unknown command "${name}" (list, purge, warm, stats; --help for usage)`);
  }
}

function parseTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_WARM_TIMEOUT_S * 1000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) throw usageError(`--timeout must be 1..3600 seconds, got "${value}"`);
  return Math.round(seconds * 1000);
}
