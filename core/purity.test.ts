import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * core/ is imported by the edge worker (workerd), the generator (Node), the admin (Remix on Workers)
 * and the scripts, so it must not depend on any of their platforms. Test files are exempt: they run
 * only in vitest's Node project and may read fixtures from disk.
 *
 * A source scan is needed on top of core's own tsconfig (no platform types): @types/papaparse
 * references Node's types, so a stray `node:` import or `Buffer` would still typecheck there.
 */

const CORE_DIR = fileURLToPath(new URL("./", import.meta.url));

const sources = (readdirSync(CORE_DIR, { recursive: true, encoding: "utf8" }) as string[])
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.includes("node_modules"))
  .map((f) => ({ file: f, text: readFileSync(`${CORE_DIR}${f}`, "utf8") }));

const FORBIDDEN = [/^node:/, /^cloudflare:/, /^express(\/|$)/, /^react(-dom)?(\/|$)/, /^@remix-run\//, /^@shopify\//, /^@cloudflare\//, /^@prisma\//, /^wrangler$/];
// The only packages core may use: pure, platform-free libraries.
const ALLOWED_PACKAGES = new Set(["zod", "papaparse", "jstat"]);

/** Module specifiers of static imports, re-exports and dynamic imports. */
function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*["']([^"']+)["']/g)) out.push(m[1]!);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s*["']([^"']+)["']/g)) out.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1]!);
  for (const m of text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1]!);
  return out;
}

describe("core/ is pure", () => {
  it("has modules to check", () => {
    expect(sources.map((s) => s.file)).toEqual(expect.arrayContaining(["types.ts", "persona.ts", "template.ts", "catalog-import.ts"]));
  });

  it("imports no platform module", () => {
    const offending = sources.flatMap(({ file, text }) =>
      specifiers(text)
        .filter((s) => FORBIDDEN.some((f) => f.test(s)))
        .map((s) => `${file}: ${s}`),
    );
    expect(offending).toEqual([]);
  });

  it("imports only relative modules and the allowed pure packages", () => {
    const offending = sources.flatMap(({ file, text }) =>
      specifiers(text)
        .filter((s) => !s.startsWith("./") && !s.startsWith("../") && !ALLOWED_PACKAGES.has(s))
        .map((s) => `${file}: ${s}`),
    );
    expect(offending).toEqual([]);
  });

  it("uses no platform globals", () => {
    const GLOBALS = /\b(process\.|Buffer\b|__dirname|__filename|require\(|caches\.|HTMLRewriter|crypto\.subtle|fetch\(|window\.|document\.)/;
    const offending = sources.flatMap(({ file, text }) =>
      // Comments may name platform APIs (to say why core avoids them); blank them, keeping line numbers.
      text
        .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "))
        .split("\n")
        .map((line, i) => ({ line: line.replace(/(^|\s)\/\/.*$/, ""), i }))
        .filter(({ line }) => GLOBALS.test(line))
        .map(({ i }) => `${file}:${i + 1}`),
    );
    expect(offending).toEqual([]);
  });

  it("the scan would catch a platform import", () => {
    const bad = 'import { readFileSync } from "node:fs";\nexport { x } from "@shopify/shopify-api";\nconst m = await import("cloudflare:workers");';
    expect(specifiers(bad)).toEqual(["node:fs", "@shopify/shopify-api", "cloudflare:workers"]);
  });
});
