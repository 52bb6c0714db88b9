import { copyFile, mkdir, readdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { unstable_readConfig } from "wrangler";
import { embed, workerdConfigText, type CapnpValue } from "./capnp-text.ts";

/**
 * The production-runtime config of the edge benchmarks: the edge bundle exactly as
 * `wrangler deploy --dry-run` writes it, as a worker of a `workerd serve` config the bench
 * generates — no Miniflare entry worker, no wrangler dev proxy in front of it.
 *
 * Its bindings are what wrangler.jsonc declares, wired the way workerd implements them:
 * - Durable Objects: the bundle's own classes (every `new_sqlite_classes` class, SQL enabled), on
 *   local disk (SQLite files, alarms), as in production each object is one SQLite database.
 * - KV and R2: workerd's `kvNamespace` / `r2Bucket` bindings turn every call into an HTTP request
 *   to a service; D1 is a `wrapped` binding (workerd's internal `cloudflare-internal:d1-api` module
 *   over a `fetcher` service). Those services are Miniflare's own local KV, R2 and D1 workers
 *   (node_modules/miniflare/dist/src/workers: an object-entry worker routing to a SQLite Durable
 *   Object per namespace, blobs on disk), started here without the rest of Miniflare — the same
 *   wiring Miniflare gives them, so the edge's code calls the real binding APIs.
 * - vars from wrangler.jsonc, overridden by the bench (GENERATOR_URL → the stand-in generator …).
 * - Outbound fetch goes to a network service that allows loopback (the stand-in generator and
 *   Admin API listen on 127.0.0.1).
 * A second worker, "control", shares the KV/R2/D1 namespaces and has a service binding to the
 * edge's `EdgeApi` entrypoint: the bench seeds and drives the stack through it, never through the
 * measured socket.
 */
const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const MINIFLARE_WORKERS = join(dirname(require.resolve("miniflare")), "workers");
const EDGE_WRANGLER = resolve(repoRoot, "edge-worker/wrangler.jsonc");

// Miniflare's names for what its storage workers expect (src/workers/shared/constants.ts).
const MF_NAMESPACE = "MINIFLARE_NAMESPACE";
const MF_OBJECT = "MINIFLARE_OBJECT";
const MF_BLOBS = "MINIFLARE_BLOBS";

export interface EdgeRuntimeConfig {
  /** Directory that receives the config, the modules and (under state/) every store's data. */
  dir: string;
  /** `wrangler deploy --dry-run --outdir` of edge-worker/wrangler.jsonc. */
  bundleDir: string;
  edgePort: number;
  controlPort: number;
  /** Merged over wrangler.jsonc's vars. */
  vars: Record<string, string>;
  /** Where the stores' data lives (default dir/state): reuse it to serve what an earlier run synced. */
  stateDir?: string;
}

/** The parts of wrangler's normalised config the harness wires (unstable_readConfig). */
interface WranglerView {
  compatibility_date?: string;
  compatibility_flags: string[];
  vars: Record<string, unknown>;
  durable_objects: { bindings?: { name: string; class_name: string }[] };
  migrations: { new_sqlite_classes?: string[] }[];
  kv_namespaces: { binding: string; id?: string }[];
  r2_buckets: { binding: string; bucket_name?: string }[];
  d1_databases: { binding: string; database_id?: string }[];
}

interface StorageKind {
  /** Miniflare's service prefix (kv:ns, r2:bucket, d1:db) and object class. */
  prefix: string;
  className: string;
  module: string;
  entryModule?: string;
  entryFlags?: string[];
}

const KV: StorageKind = { prefix: "kv:ns", className: "KVNamespaceObject", module: "kv/namespace.worker.js" };
const R2: StorageKind = { prefix: "r2:bucket", className: "R2BucketObject", module: "r2/bucket.worker.js" };
// D1's entry is its own WorkerEntrypoint (HTTP and the query RPC method the d1-api module uses).
const D1: StorageKind = { prefix: "d1:db", className: "D1DatabaseObject", module: "d1/database.worker.js", entryModule: "d1/entry.worker.js", entryFlags: ["enhanced_error_serialization"] };

function moduleOf(name: string, path: string): CapnpValue {
  const file = embed(path);
  switch (extname(name)) {
    case ".js":
    case ".mjs":
      return { name, esModule: file };
    case ".wasm":
      return { name, wasm: file };
    case ".txt":
    case ".html":
      return { name, text: file };
    case ".bin":
      return { name, data: file };
    default:
      throw new Error(`edge bundle module ${name}: unknown module type`);
  }
}

async function copyInto(dir: string, from: string, name: string): Promise<string> {
  await mkdir(dirname(join(dir, name)), { recursive: true });
  await copyFile(from, join(dir, name));
  return name;
}

/**
 * The three services of one Miniflare storage kind: entry, object worker, disk for its files.
 * (Module names are bare file names: a name with a directory would resolve `miniflare:shared`
 * relative to it.)
 */
async function storageServices(kind: StorageKind, dir: string, stateDir: string): Promise<CapnpValue[]> {
  const storage = `${kind.prefix}:storage`;
  const path = join(stateDir, kind.prefix.replace(":", "-"));
  await mkdir(path, { recursive: true });
  const objectModule = await copyInto(dir, join(MINIFLARE_WORKERS, kind.module), `mf/${kind.module}`);
  const entryModule = await copyInto(dir, join(MINIFLARE_WORKERS, kind.entryModule ?? "shared/object-entry.worker.js"), `mf/${kind.entryModule ?? "shared/object-entry.worker.js"}`);
  return [
    {
      name: `${kind.prefix}:entry`,
      worker: {
        compatibilityDate: "2023-07-24",
        compatibilityFlags: kind.entryFlags,
        modules: [{ name: basename(entryModule), esModule: embed(entryModule) }],
        bindings: [{ name: MF_OBJECT, durableObjectNamespace: { className: kind.className, serviceName: kind.prefix } }],
      },
    },
    {
      name: kind.prefix,
      worker: {
        compatibilityDate: "2023-07-24",
        compatibilityFlags: ["nodejs_compat", "experimental"],
        modules: [{ name: basename(objectModule), esModule: embed(objectModule) }],
        durableObjectNamespaces: [{ className: kind.className, uniqueKey: `miniflare-${kind.className}`, enableSql: true }],
        durableObjectStorage: { localDisk: storage },
        bindings: [{ name: MF_BLOBS, service: storage }],
      },
    },
    { name: storage, disk: { path, writable: true } },
  ];
}

const entry = (kind: StorageKind, id: string): CapnpValue => ({ name: `${kind.prefix}:entry`, props: { json: JSON.stringify({ [MF_NAMESPACE]: id }) } });

/** Writes dir/edge.capnp (and the modules it embeds); returns its path. */
export async function writeEdgeRuntimeConfig(o: EdgeRuntimeConfig): Promise<string> {
  const wrangler = unstable_readConfig({ config: EDGE_WRANGLER }, { hideWarnings: true }) as unknown as WranglerView;
  const stateDir = o.stateDir ?? join(o.dir, "state");
  await mkdir(join(stateDir, "edge-do"), { recursive: true });

  const bundleFiles = (await readdir(o.bundleDir)).filter((f) => !f.endsWith(".map") && f !== "README.md");
  const main = bundleFiles.find((f) => f === "index.js") ?? bundleFiles.find((f) => f.endsWith(".js"));
  if (!main) throw new Error(`no worker module in ${o.bundleDir}`);
  // The main module first (workerd takes the first module as the entry point); each is embedded
  // from edge/, beside the config.
  const modules: CapnpValue[] = [];
  for (const f of [main, ...bundleFiles.filter((f) => f !== main)]) {
    await copyInto(join(o.dir, "edge"), join(o.bundleDir, f), f);
    modules.push(moduleOf(f, `edge/${f}`));
  }

  const sqliteClasses = new Set(wrangler.migrations.flatMap((m) => m.new_sqlite_classes ?? []));
  const classes = new Set([...(wrangler.durable_objects.bindings ?? []).map((b) => b.class_name), ...sqliteClasses]);
  const kvs = wrangler.kv_namespaces.map((k) => ({ name: k.binding, kvNamespace: entry(KV, k.id ?? k.binding) }));
  const r2s = wrangler.r2_buckets.map((b) => ({ name: b.binding, r2Bucket: entry(R2, b.bucket_name ?? b.binding) }));
  const d1s = wrangler.d1_databases.map((d) => ({
    name: d.binding,
    wrapped: { moduleName: "cloudflare-internal:d1-api", innerBindings: [{ name: "fetcher", service: entry(D1, d.database_id ?? d.binding) }] },
  }));
  const vars = { ...Object.fromEntries(Object.entries(wrangler.vars).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])), ...o.vars };

  const extensionModules = [
    { name: "miniflare:shared", esModule: embed(await copyInto(o.dir, join(MINIFLARE_WORKERS, "shared/index.worker.js"), "mf/shared/index.worker.js")) },
    { name: "miniflare:zod", esModule: embed(await copyInto(o.dir, join(MINIFLARE_WORKERS, "shared/zod.worker.js"), "mf/shared/zod.worker.js")) },
  ];
  const controlModule = await copyInto(o.dir, fileURLToPath(new URL("./workerd-control.worker.js", import.meta.url)), "control.worker.js");

  const config: CapnpValue = {
    services: [
      {
        name: "edge",
        worker: {
          modules,
          compatibilityDate: wrangler.compatibility_date ?? "2026-07-01",
          compatibilityFlags: wrangler.compatibility_flags,
          bindings: [
            ...Object.entries(vars).map(([name, text]) => ({ name, text })),
            ...(wrangler.durable_objects.bindings ?? []).map((b) => ({ name: b.name, durableObjectNamespace: { className: b.class_name } })),
            ...kvs,
            ...r2s,
            ...d1s,
          ],
          durableObjectNamespaces: [...classes].map((className) => ({ className, uniqueKey: `wand-bench-${className}`, enableSql: sqliteClasses.has(className) })),
          durableObjectStorage: { localDisk: "edge-do" },
        },
      },
      {
        name: "control",
        worker: {
          modules: [{ name: controlModule, esModule: embed(controlModule) }],
          compatibilityDate: wrangler.compatibility_date ?? "2026-07-01",
          bindings: [...kvs, ...r2s, ...d1s, { name: "EDGE", service: { name: "edge", entrypoint: "EdgeApi" } }],
        },
      },
      ...(await storageServices(KV, o.dir, stateDir)),
      ...(await storageServices(R2, o.dir, stateDir)),
      ...(await storageServices(D1, o.dir, stateDir)),
      { name: "edge-do", disk: { path: join(stateDir, "edge-do"), writable: true } },
      { name: "internet", network: { allow: ["public", "private", "local"], tlsOptions: { trustBrowserCas: true } } },
    ],
    sockets: [
      { name: "edge", address: `127.0.0.1:${o.edgePort}`, http: {}, service: "edge" },
      { name: "control", address: `127.0.0.1:${o.controlPort}`, http: {}, service: "control" },
    ],
    extensions: [{ modules: extensionModules }],
    ...v8FlagsOf(),
  };
  const file = join(o.dir, "edge.capnp");
  await writeFile(file, workerdConfigText(config));
  return file;
}

/** BENCH_V8_FLAGS="--trace-gc …": V8 flags for every workerd the bench starts (a look at collections, not for figures). */
function v8FlagsOf(): { v8Flags?: string[] } {
  const flags = process.env.BENCH_V8_FLAGS?.split(" ").filter(Boolean);
  return flags?.length ? { v8Flags: flags } : {};
}

/** A bare worker returning `page` with `headers` from memory: the runtime's ceiling for those bytes. */
export async function writeBareRuntimeConfig(o: { dir: string; port: number; page: string; headers: [string, string][]; compatibilityDate: string }): Promise<string> {
  await mkdir(o.dir, { recursive: true });
  await writeFile(join(o.dir, "page.html"), o.page);
  // Headers built on first use and reused, as the edge does with its header templates.
  await writeFile(
    join(o.dir, "bare.js"),
    `import page from "page.html";\nconst pairs = ${JSON.stringify(o.headers)};\nlet headers = null;\nexport default { fetch() { headers ??= new Headers(pairs); return new Response(page, { headers }); } };\n`,
  );
  const config: CapnpValue = {
    services: [
      {
        name: "bare",
        worker: {
          modules: [
            { name: "bare.js", esModule: embed("bare.js") },
            { name: "page.html", text: embed("page.html") },
          ],
          compatibilityDate: o.compatibilityDate,
        },
      },
    ],
    sockets: [{ name: "http", address: `127.0.0.1:${o.port}`, http: {}, service: "bare" }],
    ...v8FlagsOf(),
  };
  const file = join(o.dir, "bare.capnp");
  await writeFile(file, workerdConfigText(config));
  return file;
}

