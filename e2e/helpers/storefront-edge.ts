import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_STORES } from "../../core/demo-stores.ts";
import { productToRow } from "../../edge-worker/src/catalog/product-rows.ts";
import { loadDemoStore } from "../../scripts/demo/load-catalogs.ts";
import { runToEnd, spawnGroup, stopGroup, waitForHttp } from "../../scripts/process-group.ts";

/**
 * The edge worker under `wrangler dev` for the storefront end-to-end tests: a fresh `--persist-to`
 * directory, D1 migrated and seeded with the demo-apparel store (settings, product rows and the
 * catalog summary; the edge builds its KV snapshots and persona selections from D1 on first read),
 * extra SQL if a test needs it, and a port of the
 * storefront range. Stopped by its process-group id, which also ends the workerd it started.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const CONFIG = join(ROOT, "edge-worker/wrangler.jsonc");

export const DEMO = DEMO_STORES.find((d) => d.store === "demo-apparel")!;

const sql = (value: string | number | null): string =>
  value === null ? "NULL" : typeof value === "number" ? String(value) : `'${value.replace(/'/g, "''")}'`;

/** The demo store as D1 rows, in the columns the edge's product-rows module writes. */
export function demoSeedSql(): string {
  const { products } = loadDemoStore(DEMO);
  const rows = products.map((p) => {
    const row = productToRow(DEMO.store, p);
    const columns = Object.keys(row) as (keyof typeof row)[];
    return `INSERT INTO Product (${columns.join(", ")}) VALUES (${columns.map((c) => sql(row[c])).join(", ")});`;
  });
  return [
    `INSERT INTO ShopSettings (store, shopDomain, shopName) VALUES (${sql(DEMO.store)}, ${sql(DEMO.shopDomain)}, ${sql(DEMO.shopName)});`,
    ...rows,
    `INSERT INTO Catalog (store, productCount) VALUES (${sql(DEMO.store)}, ${products.length});`,
  ].join("\n");
}

export function offlineSessionSql(shop: string, accessToken: string): string {
  return `INSERT INTO Session (id, shop, state, isOnline, scope, accessToken) VALUES (${sql(`offline_${shop}`)}, ${sql(shop)}, 'e2e', false, 'read_products,read_customers', ${sql(accessToken)});`;
}

const ENV = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  CHECKPOINT_DISABLE: "1",
  NO_COLOR: "1",
};

function run(args: string[]): Promise<void> {
  return runToEnd(process.execPath, [WRANGLER, ...args], { cwd: ROOT, env: ENV, log: [], failure: (code, output) => `wrangler ${args[0]} ${args[1] ?? ""} exited ${code}:\n${output}` });
}

export interface EdgeServer {
  url: string;
  /** What wrangler and the worker printed (console.warn etc.), for failure messages. */
  log: () => string;
  stop: () => Promise<void>;
}

export async function startEdge(o: { port: number; inspectorPort: number; vars: Record<string, string>; extraSql?: string }): Promise<EdgeServer> {
  const state = await mkdtemp(join(tmpdir(), "wand-storefront-edge-"));
  await run(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state, "-c", CONFIG]);
  const seed = join(state, "seed.sql");
  await writeFile(seed, `${demoSeedSql()}\n${o.extraSql ?? ""}\n`);
  await run(["d1", "execute", "DB", "--local", "--persist-to", state, "-c", CONFIG, "--file", seed]);

  const args = [WRANGLER, "dev", "-c", CONFIG, "--ip", "127.0.0.1", "--port", String(o.port), "--inspector-port", String(o.inspectorPort)];
  args.push("--persist-to", state, "--show-interactive-dev-session=false", "--log-level", "warn");
  for (const [name, value] of Object.entries(o.vars)) args.push("--var", `${name}:${value}`);
  // Its own process group: stopping it by that id ends wrangler and the workerd it spawned.
  let output = "";
  const child = spawnGroup(process.execPath, args, { cwd: ROOT, env: ENV, onOutput: (d) => (output += d.toString()) });

  const stop = async (): Promise<void> => {
    await stopGroup(child, { graceMs: 5000, awaitKilled: false });
    await rm(state, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${o.port}`;
  // Ready when /healthz answers; bounded by attempts, not by a clock the test asserts on.
  if ((await waitForHttp(`${url}/healthz`, { attempts: 300, intervalMs: 200, process: child })) === "ready") return { url, log: () => output, stop };
  await stop();
  throw new Error(`wrangler dev did not become ready on ${url}:\n${output}`);
}
