import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeLlm, type FakeLlm } from "../../e2e/helpers/journey-fake-llm.ts";
import { repoRoot, startStack, type Stack } from "../../e2e/helpers/journey-stack.ts";
import { DEMO_STORES } from "../../core/demo-stores.ts";
import { main } from "../cache-cli.ts";
import type { Io } from "./commands.ts";

/**
 * The cache CLI end to end: its commands against real local wrangler state (seeded like npm start)
 * and a real `wrangler dev` edge with the real generator (its LLM a fake OpenAI-compatible server
 * that takes 1.5 s per page, so a warm can be caught waiting), in both modes — the local state
 * (default) and a deployed edge through its ops endpoint (`--url`).
 */

const TOKEN = "cli-test-token-5f1d2c";
// What npm start seeds, in the order the CLI lists stores (by id).
const DEMO_STORE_IDS = DEMO_STORES.map((d) => d.store).sort();
const NO_DEV_VARS = resolve(repoRoot, "scripts/cache/__no_such_dev_vars__");
let stack: Stack;
let llm: FakeLlm;

interface Run {
  code: number;
  out: string;
  err: string;
}

async function cli(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), tty: false, now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
  const code = await main(argv, io, { env: {}, devVarsPath: NO_DEV_VARS });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** The same CLI against the stack's local state, with the local edge for warm/stats. */
const local = (...argv: string[]) => cli(...argv, "--persist", stack.persistDir, "--edge", stack.edgeUrl, "--token", TOKEN);

beforeAll(async () => {
  llm = await startFakeLlm({ latencyMs: 1500 });
  stack = await startStack({ edgePort: 18540, generatorPort: 18541, inspectorPort: 18542, opsToken: TOKEN, llm: { baseUrl: llm.baseUrl } });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await llm?.close();
}, 60_000);

describe("cache CLI on local state and a local edge", () => {
  it("lists the seeded stores with nothing cached yet", async () => {
    const run = await local("list");
    expect(run.code).toBe(0);
    for (const store of DEMO_STORE_IDS) expect(run.out).toContain(`${store}: no cached pages`);
  }, 60_000);

  it("warms every enabled persona with progress until the pages exist, then lists them", async () => {
    // Too short a wait: a clear failure, and the jobs stay queued.
    const impatient = await local("warm", "demo-home", "--timeout", "0.5");
    expect(impatient.code).toBe(1);
    expect(impatient.err).toMatch(/warming demo-home \[-+\] 0\/4/);
    expect(impatient.err).toMatch(/timed out after 0\.5 s waiting for minimalist \(missing, queued\)/);

    const warm = await local("warm", "demo-home", "--timeout", "90");
    expect(warm.code, warm.err).toBe(0);
    expect(warm.err.match(/already queued/g)).toHaveLength(4);
    expect(warm.err).toMatch(/warming demo-home \[#+\] 4\/4/);
    expect(warm.out).toMatch(/demo-home: 4 pages ready/);

    const list = await local("list", "demo-home");
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/demo-home: 4 cached pages/);
    for (const persona of ["minimalist", "explorer", "dealhunter", "loyalist"]) expect(list.out).toMatch(new RegExp(`${persona}\\s+[0-9a-f]{16}\\s+current\\s+llm\\s+\\d+s\\s+kv\\+r2`));

    const json = JSON.parse((await local("list", "demo-home", "--json")).out) as { stores: { pages: { current: boolean; inKv: boolean; inR2: boolean }[] }[] };
    expect(json.stores[0]!.pages).toHaveLength(4);
    expect(json.stores[0]!.pages.every((p) => p.current && p.inKv && p.inR2)).toBe(true);

    // A second warm has nothing to do: every page is already cached.
    const again = await local("warm", "demo-home");
    expect(again.code).toBe(0);
    expect(again.err.match(/already cached/g)).toHaveLength(4);
  }, 120_000);

  it("shows stats per persona from the edge", async () => {
    const stats = await local("stats", "demo-home");
    expect(stats.code, stats.err).toBe(0);
    expect(stats.out).toMatch(/persona\s+hits\s+misses/);
    // The pool's LLM breaker comes first: the fake LLM answers, so it is closed.
    expect(stats.out).toMatch(/^LLM breaker: closed since \d+[smhd] ago/);
    const json = JSON.parse((await local("stats", "demo-home", "--json")).out) as {
      llm: { state: string; consecutiveFailures: number };
      stores: { personas: { persona: string; jobsDone: number }[] }[];
    };
    expect(json.llm).toMatchObject({ state: "closed", consecutiveFailures: 0 });
    const done = json.stores[0]!.personas.reduce((n, p) => n + p.jobsDone, 0);
    expect(done).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it("purges one persona from KV and R2, and the edge serves it as a miss again", async () => {
    const purge = await local("purge", "demo-home", "explorer");
    expect(purge.code, purge.err).toBe(0);
    expect(purge.out).toBe("purged 1 key of demo-home (explorer) from KV and R2");
    const list = await local("list", "demo-home", "--json");
    const personas = (JSON.parse(list.out) as { stores: { pages: { persona: string }[] }[] }).stores[0]!.pages.map((p) => p.persona);
    expect(personas.sort()).toEqual(["dealhunter", "loyalist", "minimalist"]);
    const response = await fetch(`${stack.edgeUrl}/s/demo-home?shopper=after-purge&persona=explorer`);
    await response.text();
    expect(response.headers.get("Wand-Cache")).toBe("miss");
  }, 60_000);

  it("refuses an unknown store with exit code 2 and names the known ones", async () => {
    const run = await local("list", "demo-garden");
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/unknown store "demo-garden"/);
    expect(run.err).toContain(`(known: ${DEMO_STORE_IDS.join(", ")})`);
    expect((await local("purge", "demo-garden")).code).toBe(2);
  }, 60_000);

  it("explains that warm needs the running edge's token", async () => {
    const run = await cli("warm", "demo-home", "--persist", stack.persistDir, "--edge", stack.edgeUrl);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/needs the running local edge .* ops token/);
  }, 60_000);

  it("says when the local state does not exist", async () => {
    const run = await cli("list", "--persist", resolve(stack.persistDir, "nothing-here"));
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/no local state at .*nothing-here\/v3: run `npm start`/);
  }, 60_000);
});

describe("cache CLI on an edge through its ops endpoint (--url)", () => {
  const remote = (...argv: string[]) => cli(...argv, "--url", stack.edgeUrl, "--token", TOKEN);

  it("lists, warms, reports and purges through the endpoint", async () => {
    const warm = await remote("warm", "demo-jewelry", "--timeout", "90");
    expect(warm.code, warm.err).toBe(0);
    expect(warm.out).toMatch(/demo-jewelry: 4 pages ready/);
    const list = await remote("list", "demo-jewelry");
    expect(list.out).toMatch(/demo-jewelry: 4 cached pages/);
    const stats = await remote("stats", "--json");
    expect((JSON.parse(stats.out) as { stores: { store: string }[] }).stores.map((s) => s.store)).toEqual(DEMO_STORE_IDS);
    const purge = await remote("purge", "--all");
    expect(purge.code).toBe(0);
    expect(purge.out).toContain("purged 4 keys of demo-jewelry (all personas) from KV and R2");
    expect((await remote("list", "demo-jewelry")).out).toBe("demo-jewelry: no cached pages");
  }, 120_000);

  it("fails clearly on a wrong token, an unknown store and an unreachable edge", async () => {
    const wrong = await cli("list", "--url", stack.edgeUrl, "--token", "not-the-token");
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/refused the ops token \(401\)/);
    const unknown = await remote("stats", "demo-garden");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown store demo-garden/);
    const down = await cli("list", "--url", "http://127.0.0.1:18549", "--token", TOKEN);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/cannot reach the edge at http:\/\/127\.0\.0\.1:18549/);
  }, 60_000);

  it("says so when the URL answers but is not a WandStore edge", async () => {
    // Some other site on the URL (a typo, a login page) answering 200 with HTML.
    const other = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>Welcome</title>"));
    await new Promise<void>((done) => other.listen(18548, "127.0.0.1", () => done()));
    try {
      const run = await cli("list", "--url", "http://127.0.0.1:18548", "--token", TOKEN);
      expect(run.code).toBe(1);
      expect(run.err).toMatch(/did not answer like a WandStore ops endpoint/);
    } finally {
      await new Promise<void>((done) => other.close(() => done()));
    }
  }, 60_000);
});

describe("npm run cache as a process", () => {
  const exec = promisify(execFile);
  const runCli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await exec(resolve(repoRoot, "node_modules/.bin/tsx"), [resolve(repoRoot, "scripts/cache-cli.ts"), ...args], { cwd: repoRoot });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it("prints help with exit code 0 and a usage error with exit code 2", async () => {
    const help = await runCli("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^WandStore cache CLI/);
    const bad = await runCli("flush", "demo-home");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command "flush"/);
  }, 60_000);
});
