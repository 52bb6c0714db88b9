import { readFileSync } from "node:fs";

/**
 * Reads one variable from a wrangler `.dev.vars` file (dotenv syntax: KEY=value, optional quotes,
 * # comments). `wrangler dev` loads that file as the Worker's secrets, so the local edge's OPS_TOKEN is
 * whatever `edge-worker/.dev.vars` says. Returns null when the file or the variable is absent.
 */
export function readDevVar(file: string, name: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return null;
  }
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const value = match[2]!.trim();
    const quoted = /^(["'])(.*)\1$/.exec(value);
    return quoted ? quoted[2]! : value.replace(/\s+#.*$/, "");
  }
  return null;
}
