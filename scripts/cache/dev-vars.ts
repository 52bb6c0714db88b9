import { readFileSync } from "node:fs";

/**
 * A wrangler `.dev.vars` file (dotenv syntax: KEY=value, optional quotes, # comments). `wrangler dev`
 * loads the one beside a Worker's config as its secrets, so the local edge's OPS_TOKEN and app
 * secret are whatever `edge-worker/.dev.vars` says. An absent file has no variables.
 */
export function readDevVars(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return {};
  }
  const vars: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match || match[1]! in vars) continue;
    const value = match[2]!.trim();
    const quoted = /^(["'])(.*)\1$/.exec(value);
    vars[match[1]!] = quoted ? quoted[2]! : value.replace(/\s+#.*$/, "");
  }
  return vars;
}

/** One variable of a `.dev.vars` file, or null when the file or the variable is absent. */
export function readDevVar(file: string, name: string): string | null {
  return readDevVars(file)[name] ?? null;
}
