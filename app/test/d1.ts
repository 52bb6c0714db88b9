import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { getPlatformProxy } from "wrangler";

/**
 * A real, migrated D1 database for Node tests: wrangler's getPlatformProxy runs the admin's own
 * bindings (app/wrangler.jsonc) in local workerd, in memory, and prisma/migrations/*.sql are applied
 * to it the way `wrangler d1 migrations apply` does, in file order.
 */
const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations/", import.meta.url));
const CONFIG = fileURLToPath(new URL("../wrangler.jsonc", import.meta.url));

export function splitSql(sql: string): string[] {
  return sql
    .replace(/--.*$/gm, "")
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Applies the migrations in file order; `o.before` stops ahead of that file (to test a migration on old data). */
export async function applyMigrations(db: D1Database, o: { after?: string; before?: string } = {}): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR))
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .filter((f) => (o.after === undefined || f > o.after) && (o.before === undefined || f < o.before));
  for (const file of files) {
    const statements = splitSql(await readFile(`${MIGRATIONS_DIR}${file}`, "utf8"));
    await db.batch(statements.map((s) => db.prepare(s)));
  }
  return files;
}

export interface TestD1 {
  db: D1Database;
  migrations: string[];
  dispose: () => Promise<void>;
}

export async function createTestD1(o: { before?: string } = {}): Promise<TestD1> {
  const proxy = await getPlatformProxy<{ DB: D1Database }>({ configPath: CONFIG, persist: false });
  const migrations = await applyMigrations(proxy.env.DB, o);
  return { db: proxy.env.DB, migrations, dispose: () => proxy.dispose() };
}
