import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { BenchModule, BenchResult } from "./types.ts";

/**
 * `npm run bench [name ...]`: runs every registered benchmark (or the named ones) one after the
 * other, prints a markdown table and writes bench/results.json and bench/results.md. Naming benches
 * updates their rows and keeps the others' from the last run. A bench that fails (or cannot run: a
 * missing tool it could not install) is written as a failed row with its reason — it never vanishes
 * from the table nor keeps an earlier run's figures — the run goes on, and exits with code 1.
 *
 * To add a benchmark: write bench/<name>.ts exporting `run(): Promise<BenchResult>` and append an
 * entry to BENCHES. Modules are imported lazily, so one bench's set-up never slows another.
 */
export const BENCHES: { name: string; load: () => Promise<BenchModule> }[] = [
  { name: "template-render", load: () => import("./template-render.ts") },
  { name: "bundle-size", load: () => import("./bundle-size.ts") },
  { name: "pool-drain", load: () => import("./pool-drain.ts") },
  { name: "first-visit", load: () => import("./first-visit.ts") },
  { name: "generator-sanitize", load: () => import("./generator-sanitize.ts") },
  { name: "edge-hits", load: () => import("./edge-hits.ts") },
  { name: "edge-miss", load: () => import("./edge-miss.ts") },
  { name: "edge-generations", load: () => import("./edge-generations.ts") },
  { name: "catalog-scale", load: () => import("./catalog-scale.ts") },
  { name: "outage-recovery", load: () => import("./outage-recovery.ts") },
  { name: "markets", load: () => import("./markets.ts") },
];

/** The registered bench a result belongs to: its own name, or `<bench>/<part>`. */
const benchOf = (result: string): string => result.split("/")[0]!;

const RESULTS_FILE = fileURLToPath(new URL("./results.json", import.meta.url));

function fmt(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(3);
}

function table(results: BenchResult[]): string {
  const lines = ["| bench | metric | value | target | pass |", "| --- | --- | ---: | --- | --- |"];
  for (const r of results) {
    if (r.error) lines.push(`| ${r.name} | FAILED: ${r.error.slice(0, 200).replace(/\s+/g, " ")} | – | | NO |`);
    for (const [metric, value] of Object.entries(r.metrics)) {
      const isTarget = r.target?.metric === metric;
      const target = isTarget && r.target ? `${r.target.max !== undefined ? `< ${r.target.max}` : `> ${r.target.min}`} ${r.units[metric] ?? ""}`.trim() : "";
      const pass = isTarget && r.pass !== undefined ? (r.pass ? "yes" : "NO") : "";
      lines.push(`| ${r.name} | ${metric} | ${fmt(value)} ${r.units[metric] ?? ""} | ${target} | ${pass} |`);
    }
  }
  return lines.join("\n");
}

/** Results of an earlier run, so that `npm run bench <name>` updates its own rows and keeps the rest. */
function earlierResults(): BenchResult[] {
  if (!existsSync(RESULTS_FILE)) return [];
  try {
    const parsed = JSON.parse(readFileSync(RESULTS_FILE, "utf8")) as { results?: BenchResult[] };
    return Array.isArray(parsed.results) ? parsed.results : [];
  } catch {
    return [];
  }
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const selected = wanted.length ? BENCHES.filter((b) => wanted.includes(b.name)) : BENCHES;
  const unknown = wanted.filter((w) => !BENCHES.some((b) => b.name === w));
  if (unknown.length) throw new Error(`unknown bench: ${unknown.join(", ")} (known: ${BENCHES.map((b) => b.name).join(", ")})`);

  const results: BenchResult[] = [];
  const failed: string[] = [];
  for (const b of selected) {
    // One bench that cannot run (a missing nginx, a port in use) is reported; the others still run.
    try {
      const mod = await b.load();
      const out = await mod.run();
      for (const r of Array.isArray(out) ? out : [out]) {
        results.push(r);
        if (r.error) {
          failed.push(r.name);
          console.error(`bench ${r.name} failed: ${r.error}`);
        }
      }
    } catch (error) {
      failed.push(b.name);
      const reason = error instanceof Error ? error.message : String(error);
      console.error(`bench ${b.name} failed:`, reason);
      results.push({ name: b.name, metrics: {}, units: {}, pass: false, error: reason.slice(0, 2000) });
    }
  }
  console.log(`\n${table(results)}\n`);
  const ran = new Set(selected.map((b) => b.name));
  const kept = wanted.length ? earlierResults().filter((r) => !ran.has(benchOf(r.name))) : [];
  const ordered = BENCHES.flatMap((b) => [...results, ...kept].filter((r) => benchOf(r.name) === b.name));
  writeFileSync(RESULTS_FILE, `${JSON.stringify({ generatedAt: new Date().toISOString(), node: process.versions.node, platform: `${process.platform}-${process.arch}`, results: ordered }, null, 2)}\n`);
  console.log(`results written to ${RESULTS_FILE}${kept.length ? ` (kept the earlier rows of ${kept.map((r) => r.name).join(", ")})` : ""}`);

  // The README's table: bench/results.md, rendered from the results.json just written (bench/report.ts).
  const { writeReport, RESULTS_MD } = await import("./report.ts");
  writeReport();
  console.log(`report written to ${RESULTS_MD}`);
  if (failed.length) console.error(`failed: ${failed.join(", ")}`);
  return failed.length ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main();
}
