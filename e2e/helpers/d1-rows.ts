import { join } from "node:path";
import { storageOnlyConfig } from "../../scripts/cache/storage-config.ts";
import { EDGE_CONFIG } from "./journey-stack.ts";

/** The little of D1 these statements need (the Workers types are not in the Node project). */
interface SqlDb {
  prepare(sql: string): { bind(...values: unknown[]): { run(): Promise<unknown> } };
}

/**
 * Runs SQL statements against the D1 of a persist directory (as the seed does, through wrangler's
 * platform proxy), before the Workers start: rows a browser test needs beyond the demo seed.
 */
export async function runD1Statements(persistDir: string, statements: { sql: string; params: (string | number | null)[] }[]): Promise<void> {
  process.env.WRANGLER_LOG ??= "error";
  const { getPlatformProxy } = await import("wrangler");
  const config = await storageOnlyConfig(EDGE_CONFIG);
  try {
    const proxy = await getPlatformProxy<{ DB: SqlDb }>({ configPath: config.path, persist: { path: join(persistDir, "v3") }, remoteBindings: false });
    try {
      for (const s of statements) await proxy.env.DB.prepare(s.sql).bind(...s.params).run();
    } finally {
      await proxy.dispose();
    }
  } finally {
    config.remove();
  }
}
