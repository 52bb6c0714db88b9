import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";

// The parts of wrangler's normalised config used here (its own type is not resolvable from this project).
const StorageBindings = z.object({
  name: z.string(),
  compatibility_date: z.string(),
  kv_namespaces: z.array(z.object({ binding: z.string(), id: z.string() })),
  r2_buckets: z.array(z.object({ binding: z.string(), bucket_name: z.string() })),
  d1_databases: z.array(z.object({ binding: z.string(), database_name: z.string(), database_id: z.string() })),
});

/**
 * A wrangler config holding only the edge's storage bindings (KV, R2, D1, with the same ids), for
 * getPlatformProxy. Opening the full edge config would start workerd with Durable Object and
 * Container namespaces whose classes are not there outside the worker, and workerd prints a warning
 * for each on every CLI run. Local persistence is keyed by namespace id, bucket name and database
 * id, so the data is the same either way.
 */
export async function storageOnlyConfig(edgeConfigPath: string): Promise<{ path: string; remove: () => void }> {
  const { unstable_readConfig } = await import("wrangler");
  const config = StorageBindings.parse(unstable_readConfig({ config: edgeConfigPath }, { hideWarnings: true }));
  const dir = mkdtempSync(join(tmpdir(), "wand-cache-cli-"));
  const path = join(dir, "wrangler.json");
  writeFileSync(
    path,
    JSON.stringify(config),
  );
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
