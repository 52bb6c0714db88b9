import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * The edge's wrangler config as the workerd test project sees it: the same file, written to a
 * directory of its own with every path made absolute. Wrangler loads `.dev.vars` from beside the
 * config it is given, so pointing the tests at `edge-worker/wrangler.jsonc` would hand them the
 * secrets `npm start` (or a developer) left in `edge-worker/.dev.vars`. From here the tests get
 * exactly the vars of wrangler.jsonc plus the bindings vitest.config.ts gives them.
 */
export function hermeticEdgeConfig(configPath: string, outDir: string): string {
  const base = dirname(configPath);
  const config = JSON.parse(stripJsonComments(readFileSync(configPath, "utf8"))) as Record<string, unknown>;
  delete config.$schema;
  const abs = (p: unknown): unknown => (typeof p === "string" ? resolve(base, p) : p);
  config.main = abs(config.main);
  for (const db of (config.d1_databases as Record<string, unknown>[] | undefined) ?? []) db.migrations_dir = abs(db.migrations_dir);
  for (const c of (config.containers as Record<string, unknown>[] | undefined) ?? []) {
    c.image = abs(c.image);
    if (c.image_build_context !== undefined) c.image_build_context = abs(c.image_build_context);
  }
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, "wrangler.json");
  writeFileSync(out, JSON.stringify(config, null, 2));
  return out;
}

/** JSONC → JSON: drops // and /* comments and trailing commas outside strings. */
export function stripJsonComments(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (ch === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end === -1 ? text.length : end + 2;
    } else {
      out += ch;
      i++;
    }
  }
  return out.replace(/,(\s*[}\]])/g, "$1");
}
