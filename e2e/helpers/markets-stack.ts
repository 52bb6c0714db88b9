import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { spawnGroup, stopGroup, waitForHttp } from "../../scripts/process-group.ts";
import { quietEnv, repoRoot, type Stack, type StackOptions, startStack } from "./journey-stack.ts";

/**
 * The generator and the edge as `npm start` runs them (journey-stack.ts), plus a small control
 * Worker under its own `wrangler dev` holding a service binding to the edge's EdgeApi entrypoint —
 * the way the admin calls the edge — so a test drives syncs and reads states through the real RPC
 * surface without building the admin. The control Worker is bench/workerd-control.worker.js
 * (`POST /rpc/<method>` with the arguments as a JSON array). Both find each other through a dev
 * registry of their own, so they never bind to another `wrangler dev` on the machine.
 */

export interface MarketsStack {
  edge: Stack;
  /** EdgeApi[method](...args) through the service binding, JSON in and out. */
  rpc<T>(method: string, ...args: unknown[]): Promise<T>;
  output(): string;
  stop(): Promise<void>;
}

export interface MarketsStackOptions extends Omit<StackOptions, "opsToken"> {
  controlPort: number;
  controlInspectorPort: number;
}

const CONTROL_SCRIPT = resolve(repoRoot, "bench/workerd-control.worker.js");

export async function startMarketsStack(o: MarketsStackOptions): Promise<MarketsStack> {
  const log: string[] = [];
  const work = mkdtempSync(join(tmpdir(), "wand-markets-control-"));
  const registry = join(work, "registry");
  const previousRegistry = process.env.WRANGLER_REGISTRY_PATH;
  // Before the edge starts: it registers itself there, and only the control Worker looks there.
  process.env.WRANGLER_REGISTRY_PATH = registry;
  let edge: Stack | null = null;
  let control: ChildProcess | null = null;
  const stop = async () => {
    if (control) await stopGroup(control);
    control = null;
    await edge?.stop();
    edge = null;
    rmSync(work, { recursive: true, force: true });
    if (previousRegistry === undefined) delete process.env.WRANGLER_REGISTRY_PATH;
    else process.env.WRANGLER_REGISTRY_PATH = previousRegistry;
  };
  try {
    const { controlPort, controlInspectorPort, ...stackOptions } = o;
    edge = await startStack({ ...stackOptions, opsToken: "e2e-markets-ops-token" });
    const config = join(work, "wrangler.json");
    writeFileSync(
      config,
      JSON.stringify({
        name: "wand-e2e-markets-control",
        main: CONTROL_SCRIPT,
        compatibility_date: "2026-07-01",
        services: [{ binding: "EDGE", service: "wandstore-edge", entrypoint: "EdgeApi" }],
      }),
    );
    const args = ["dev", "-c", config, "--ip", "127.0.0.1", "--port", String(controlPort), "--inspector-port", String(controlInspectorPort)];
    args.push("--persist-to", join(work, "state"), "--show-interactive-dev-session=false", "--log-level", "warn");
    const child = spawnGroup(resolve(repoRoot, "node_modules/.bin/wrangler"), args, {
      cwd: repoRoot,
      env: { ...quietEnv(), WRANGLER_REGISTRY_PATH: registry },
      onOutput: (c) => log.push(`[control] ${c.toString("utf8")}`),
    });
    control = child;
    const url = `http://127.0.0.1:${controlPort}`;
    // The control Worker answers GET with 405: it is up.
    const outcome = await waitForHttp(url, { timeoutMs: 90_000, intervalMs: 300, requestTimeoutMs: 3000, process: child, ready: (s) => s === 405 });
    if (outcome !== "ready") throw new Error(`the control Worker did not come up (${outcome}):\n${log.join("").slice(-4000)}`);
    const edgeStack = edge;
    const rpc = async <T>(method: string, ...rpcArgs: unknown[]): Promise<T> => {
      // The binding resolves once wrangler has seen the edge in the registry: a first call may miss it.
      for (let attempt = 1; ; attempt++) {
        const res = await fetch(`${url}/rpc/${method}`, { method: "POST", body: JSON.stringify(rpcArgs) });
        const text = await res.text();
        if (res.ok) return (JSON.parse(text) as { result: T }).result;
        if (attempt >= 20 || !/service|binding|connect|not found|entrypoint/i.test(text)) throw new Error(`EdgeApi.${method}: HTTP ${res.status} ${text}`);
        await sleep(500);
      }
    };
    return { edge: edgeStack, rpc, output: () => `${edgeStack.output()}\n${log.join("")}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
