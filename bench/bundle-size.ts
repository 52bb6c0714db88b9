/**
 * Edge bundle size: what `wrangler deploy` would upload for the edge worker, measured from a dry run
 * (`--containers-rollout=none`: no Docker here, and the container image is not part of the Worker
 * bundle), gzipped the way the Workers size limit counts it. Target ≤ 300 KB gzip.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import type { BenchResult } from "./types.ts";

const execFileAsync = promisify(execFile);
const repoRoot = fileURLToPath(new URL("..", import.meta.url));

export const BUNDLE_TARGET_GZIP_BYTES = 300 * 1024;

export interface BundleSize {
  /** Every uploaded module (source maps excluded: they are not part of the size limit). */
  files: { name: string; bytes: number; gzipBytes: number }[];
  rawBytes: number;
  gzipBytes: number;
  /** Wrangler's own "Total Upload … / gzip: …" line, for cross-checking. */
  wranglerSays: string | null;
}

export async function measureBundleSize(configPath = resolve(repoRoot, "edge-worker/wrangler.jsonc")): Promise<BundleSize> {
  const outdir = await mkdtemp(join(tmpdir(), "wand-bundle-"));
  try {
    const wrangler = resolve(repoRoot, "node_modules/.bin/wrangler");
    const { stdout, stderr } = await execFileAsync(wrangler, ["deploy", "--dry-run", "--outdir", outdir, "--containers-rollout=none", "-c", configPath], {
      cwd: repoRoot,
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
      maxBuffer: 16 * 1024 * 1024,
    });
    const files: BundleSize["files"] = [];
    for (const name of (await readdir(outdir)).sort()) {
      if (name.endsWith(".map") || name === "README.md") continue;
      if (!(await stat(join(outdir, name))).isFile()) continue;
      const bytes = await readFile(join(outdir, name));
      files.push({ name, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length });
    }
    if (files.length === 0) throw new Error(`wrangler wrote no bundle into ${outdir}:\n${stderr}`);
    return {
      files,
      rawBytes: files.reduce((n, f) => n + f.bytes, 0),
      gzipBytes: files.reduce((n, f) => n + f.gzipBytes, 0),
      wranglerSays: /Total Upload:[^\n]*/.exec(stdout + stderr)?.[0]?.trim() ?? null,
    };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult> {
  const size = await measureBundleSize();
  const gzipKiB = size.gzipBytes / 1024;
  return {
    name: "bundle-size",
    metrics: { gzipKiB, rawKiB: size.rawBytes / 1024 },
    units: { gzipKiB: "KiB", rawKiB: "KiB" },
    notes: `edge worker bundle from \`wrangler deploy --dry-run --containers-rollout=none\` (${size.files.map((f) => f.name).join(", ")}), gzip -9, source maps excluded; wrangler: ${size.wranglerSays ?? "?"}`,
    target: { metric: "gzipKiB", max: BUNDLE_TARGET_GZIP_BYTES / 1024, description: "edge bundle ≤ 300 KB gzip" },
    pass: size.gzipBytes <= BUNDLE_TARGET_GZIP_BYTES,
  };
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const size = await measureBundleSize();
  for (const f of size.files) console.log(`${f.name.padEnd(24)} ${(f.bytes / 1024).toFixed(1).padStart(8)} KiB  gzip ${(f.gzipBytes / 1024).toFixed(1).padStart(7)} KiB`);
  console.log(`total gzip ${(size.gzipBytes / 1024).toFixed(1)} KiB (target ≤ ${BUNDLE_TARGET_GZIP_BYTES / 1024} KiB); wrangler: ${size.wranglerSays ?? "?"}`);
}
