import { parseCacheKey } from "../../core/cache-key.ts";
import type { PersonaCacheState } from "../../core/edge-api.ts";
import type { Command } from "./args.ts";
import type { CacheBackend } from "./backend.ts";
import { CliError } from "./cli-error.ts";
import { formatAge, formatBytes, formatDuration, formatLlmStatus, formatTable, progressBar } from "./format.ts";

/** Where the commands write; injected so tests read the output and never wait on a real clock. */
export interface Io {
  out(text: string): void;
  /** Progress and notes: stderr, so `--json` output stays clean on stdout. */
  err(text: string): void;
  /** Whether err is a terminal (then the progress bar redraws one line). */
  tty: boolean;
  now(): number;
  sleep(ms: number): Promise<void>;
}

type Runnable = Exclude<Command, { name: "help" }>;

export async function runCommand(command: Runnable, backend: CacheBackend, io: Io, json: boolean): Promise<void> {
  switch (command.name) {
    case "list":
      return list(command.store, backend, io, json);
    case "purge":
      return purge(command.store, command.persona, backend, io, json);
    case "stats":
      return stats(command.store, backend, io, json);
    case "warm":
      return warm(command.store, command.timeoutMs, backend, io, json);
  }
}

async function storesOf(store: string | null, backend: CacheBackend): Promise<string[]> {
  if (store !== null) return [store];
  const stores = await backend.stores();
  if (stores.length === 0) throw new CliError(`no stores in ${backend.where}`);
  return stores.map((s) => s.store);
}

async function list(store: string | null, backend: CacheBackend, io: Io, json: boolean): Promise<void> {
  const result = [];
  for (const s of await storesOf(store, backend)) result.push({ store: s, pages: await backend.pages(s) });
  if (json) return io.out(JSON.stringify({ stores: result }, null, 2));
  const now = io.now();
  const blocks = result.map(({ store: s, pages }) => {
    if (pages.length === 0) return `${s}: no cached pages`;
    const rows = pages.map((p) => [
      p.persona + (p.perShopper ? " (shopper)" : ""),
      p.variant,
      p.current ? "current" : "stale",
      p.source ?? "-",
      formatAge(p.generatedAt, now),
      [p.inKv ? "kv" : "", p.inR2 ? "r2" : ""].filter(Boolean).join("+"),
      p.kvExpiration === null ? "-" : formatDuration(p.kvExpiration - now / 1000),
      formatBytes(p.bytes),
    ]);
    return `${s}: ${pages.length} cached page${pages.length === 1 ? "" : "s"}\n${formatTable(["persona", "variant", "state", "source", "age", "layers", "kv ttl", "size"], rows, new Set([4, 6, 7]))}`;
  });
  io.out(blocks.join("\n\n"));
}

async function purge(store: string | null, persona: Parameters<CacheBackend["purge"]>[1], backend: CacheBackend, io: Io, json: boolean): Promise<void> {
  const result = [];
  for (const s of await storesOf(store, backend)) result.push({ store: s, ...(await backend.purge(s, persona)) });
  if (json) return io.out(JSON.stringify({ purged: result }, null, 2));
  for (const r of result) {
    io.out(`purged ${r.deleted} key${r.deleted === 1 ? "" : "s"} of ${r.store} (${persona ?? "all personas"}) from KV and R2`);
    if (r.note) io.err(`note: ${r.note}`);
  }
}

async function stats(store: string | null, backend: CacheBackend, io: Io, json: boolean): Promise<void> {
  const result = [];
  for (const s of await storesOf(store, backend)) result.push({ store: s, personas: await backend.stats(s) });
  const llm = await backend.llmStatus();
  if (json) return io.out(JSON.stringify({ llm, stores: result }, null, 2));
  const blocks = result.map(({ store: s, personas }) => {
    const rows = personas.map((p) => {
      const served = p.hits + p.misses + p.stale;
      return [
        p.persona,
        String(p.hits),
        String(p.misses),
        String(p.stale),
        String(p.holdout),
        served === 0 ? "-" : `${Math.round((p.hits / served) * 100)}%`,
        String(p.jobsQueued),
        String(p.jobsRefused),
        String(p.jobsDone),
        String(p.jobsFailed),
        p.medianLatencyMs === null ? "-" : `${Math.round(p.medianLatencyMs)} ms`,
        String(p.promptTokens + p.completionTokens),
      ];
    });
    const headers = ["persona", "hits", "misses", "stale", "holdout", "hit rate", "queued", "refused", "done", "failed", "p50 gen", "tokens"];
    return `${s}\n${formatTable(headers, rows, new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]))}`;
  });
  io.out([formatLlmStatus(llm, io.now()), ...blocks].join("\n\n"));
}

const POLL_MS = 500;

async function warm(store: string, timeoutMs: number, backend: CacheBackend, io: Io, json: boolean): Promise<void> {
  const results = await backend.warm(store);
  const refused = results.filter((r) => r.status === "refused");
  for (const r of results) {
    const persona = parseCacheKey(r.key)?.persona ?? r.key;
    io.err(`${persona.padEnd(11)} ${r.status === "fresh" ? "already cached" : r.status === "duplicate" ? "already queued" : r.status}`);
  }
  if (refused.length === results.length && results.length > 0) throw new CliError(`the pool refused every job of ${store} (queues full): try again later`);

  // Wait for every persona whose job was accepted; a refused one is reported, not waited for.
  const waitFor = new Set(results.filter((r) => r.status !== "refused").map((r) => r.key));
  const deadline = io.now() + timeoutMs;
  let state: PersonaCacheState[] = [];
  let lastDrawn = "";
  for (;;) {
    state = await backend.cacheState(store);
    const targets = state.filter((s) => s.enabled && (waitFor.has(s.key) || waitFor.size === 0));
    const fresh = targets.filter((s) => s.state === "fresh");
    const bar = `warming ${store} ${progressBar(fresh.length, targets.length)}`;
    if (io.tty) io.err(`\r${bar}`);
    else if (bar !== lastDrawn) io.err(bar);
    lastDrawn = bar;
    if (fresh.length === targets.length) break;
    if (io.now() >= deadline) {
      if (io.tty) io.err("\n");
      const missing = targets.filter((s) => s.state !== "fresh").map((s) => `${s.persona} (${s.state}${s.queued ? ", queued" : ""})`);
      throw new CliError(`timed out after ${timeoutMs / 1000} s waiting for ${missing.join(", ")} (the jobs stay queued; run warm again to keep waiting)`);
    }
    await io.sleep(POLL_MS);
  }
  if (io.tty) io.err("\n");
  const ready = state.filter((s) => s.enabled && s.state === "fresh");
  if (json) return io.out(JSON.stringify({ store, enqueued: results, ready }, null, 2));
  io.out(`${store}: ${ready.length} page${ready.length === 1 ? "" : "s"} ready (${ready.map((s) => `${s.persona}: ${s.source ?? "?"}`).join(", ")})`);
  if (refused.length > 0) io.err(`note: ${refused.length} persona(s) refused by a full queue: run warm again later`);
}
