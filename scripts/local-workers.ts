import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { stripJsonComments } from "../edge-worker/test/hermetic-config.ts";
import { REPO_ROOT } from "./seed.ts";

/**
 * The admin and the edge in ONE local `wrangler dev` (one workerd), for `npm start` and the setup
 * guide's browser test.
 *
 * Why: local D1 is a SQLite file that workerd opens without a busy timeout. Two `wrangler dev`
 * processes on one --persist-to directory each open it, and whenever one holds a write lock the
 * other's query fails at once with SQLITE_BUSY, which reaches the Worker as `D1_ERROR: … internal
 * error; reference = …` (seen in the browser tests: the edge's catalog sync failing while the admin
 * read D1). In one workerd the D1 object is one instance, its queries serialised, as on Cloudflare
 * where both Workers share one database; the admin reaches the edge's EdgeApi through its service
 * binding in-process. Only the first Worker of a multi-config `wrangler dev` gets a port, so the
 * router (scripts/local-router.ts) comes first and forwards by path.
 *
 * Each Worker's config is a copy of its wrangler.jsonc with absolute paths and its own vars (the
 * two Workers need different values, which `--var` cannot give: it applies to every Worker of the
 * session), in a directory of its own: wrangler reads the `.dev.vars` beside the config it is given
 * as the Worker's secrets, so a caller's secrets are written there (mode 0600), never into the
 * config, whose vars wrangler prints.
 */

/**
 * A Worker's wrangler.jsonc as `<outDir>/<name>/wrangler.json`, its paths absolute, `vars` added and
 * `secrets` in a `.dev.vars` beside it. Returns the config's path.
 */
export function localWorkerConfig(
  configPath: string,
  outDir: string,
  name: string,
  o: { vars?: Record<string, string>; secrets?: Record<string, string>; extra?: Record<string, unknown> } = {},
): string {
  const base = dirname(configPath);
  const config = JSON.parse(stripJsonComments(readFileSync(configPath, "utf8"))) as Record<string, unknown>;
  delete config.$schema;
  // Ports and the like: the session's first Worker (the router) listens; the others ignore theirs.
  delete config.dev;
  const abs = (p: unknown): unknown => (typeof p === "string" ? resolve(base, p) : p);
  config.main = abs(config.main);
  const assets = config.assets as Record<string, unknown> | undefined;
  if (assets) assets.directory = abs(assets.directory);
  for (const db of (config.d1_databases as Record<string, unknown>[] | undefined) ?? []) db.migrations_dir = abs(db.migrations_dir);
  // No Docker here, and the auxiliary Workers of a multi-config session ignore their own
  // `dev.enable_containers: false` (wrangler then insists on building the image): without the
  // `containers` entry GeneratorContainer is a plain Durable Object class, which the edge never
  // touches locally anyway (GENERATOR_URL selects the HTTP transport first; edge-worker/wrangler.jsonc).
  delete config.containers;
  config.vars = { ...(config.vars as Record<string, string> | undefined), ...o.vars };
  Object.assign(config, o.extra);
  const dir = join(outDir, name);
  mkdirSync(dir, { recursive: true });
  const secretsFile = join(dir, ".dev.vars");
  rmSync(secretsFile, { force: true });
  const secrets = Object.entries(o.secrets ?? {});
  if (secrets.length > 0) writeFileSync(secretsFile, secrets.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join("\n") + "\n", { mode: 0o600 });
  const out = join(dir, "wrangler.json");
  writeFileSync(out, JSON.stringify(config, null, 2));
  return out;
}

/** The router's config in `outDir`: the session's first Worker, bound to the admin and the edge. */
export function localRouterConfig(outDir: string, name: string): string {
  const out = join(outDir, "router.wrangler.json");
  writeFileSync(
    out,
    JSON.stringify({
      name,
      main: resolve(REPO_ROOT, "scripts/local-router.ts"),
      compatibility_date: "2026-07-01",
      services: [
        { binding: "ADMIN", service: "wandstore-admin" },
        { binding: "EDGE", service: "wandstore-edge" },
      ],
    }),
  );
  return out;
}

/** `wrangler dev` arguments for the router, the admin and the edge in one session. */
export function localWorkersArgs(o: { router: string; admin: string; edge: string; ip: string; port: number; persistDir: string; inspectorPort?: number }): string[] {
  return [
    "dev",
    ...["-c", o.router, "-c", o.admin, "-c", o.edge],
    ...["--ip", o.ip, "--port", String(o.port)],
    ...(o.inspectorPort ? ["--inspector-port", String(o.inspectorPort)] : []),
    ...["--persist-to", o.persistDir, "--show-interactive-dev-session=false"],
  ];
}
