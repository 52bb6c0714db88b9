import { cpus } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { BenchResult } from "./types.ts";

/**
 * The benchmark report the README shows: bench/results.md, written from bench/results.json after
 * every `npm run bench` (and by `tsx bench/report.ts` on its own). First the targets, measured
 * against their goals, then every figure, then how each was measured.
 */

const here = fileURLToPath(new URL(".", import.meta.url));
export const RESULTS_JSON = resolve(here, "results.json");
export const RESULTS_MD = resolve(here, "results.md");

const ResultSchema = z.object({
  name: z.string(),
  metrics: z.record(z.string(), z.number()),
  units: z.record(z.string(), z.string()),
  notes: z.string().optional(),
  target: z.object({ metric: z.string(), max: z.number().optional(), min: z.number().optional(), description: z.string() }).optional(),
  pass: z.boolean().optional(),
  error: z.string().optional(),
});
const ResultsFileSchema = z.object({ generatedAt: z.string(), node: z.string(), platform: z.string(), results: z.array(ResultSchema) });
export type ResultsFile = z.infer<typeof ResultsFileSchema>;

export function formatValue(value: number, unit = ""): string {
  const abs = Math.abs(value);
  // Counts (jobs, pages, samples) are whole numbers: no decimals for them.
  const text = Number.isInteger(value)
    ? value.toLocaleString("en-US")
    : abs >= 1000 ? Math.round(value).toLocaleString("en-US") : abs >= 100 ? value.toFixed(0) : abs >= 10 ? value.toFixed(1) : abs >= 1 ? value.toFixed(2) : value.toPrecision(3);
  return unit ? `${text} ${unit}` : text;
}

function targetText(r: BenchResult): string {
  if (!r.target) return "";
  const unit = r.units[r.target.metric] ?? "";
  const bounds = [r.target.min !== undefined ? `≥ ${formatValue(r.target.min, unit)}` : "", r.target.max !== undefined ? `≤ ${formatValue(r.target.max, unit)}` : ""];
  return bounds.filter(Boolean).join(" and ");
}

// Readable names for the request-serving configurations of the edge benchmarks (bench/edge-*.ts).
const SERVING_LABELS: Record<string, string> = {
  edgeMemoryHit: "edge: hit from isolate memory",
  edgeRepeatHit: "edge: memory hit, a shopper's repeat view",
  edgeKvHit: "edge: hit from KV",
  miss: "edge: miss (template page, generation enqueued)",
  edgeMiss: "edge: miss (template page, generation enqueued)",
  bareWorker: "bare worker, the edge's hit response from memory (runtime ceiling)",
  bareWorkerdServe: "bare worker on workerd serve",
  nginx: "nginx, same bytes (machine ceiling)",
};

/**
 * Requests/s with p50/p99 side by side, from every metric triple <base>Rps, <base>P50, <base>P99 —
 * the edge's hits and misses next to the bare worker and nginx baselines.
 */
function servingTable(results: BenchResult[]): string[] {
  const rows: string[] = [];
  for (const r of results) {
    for (const [metric, rps] of Object.entries(r.metrics)) {
      if (!metric.endsWith("Rps")) continue;
      const base = metric.slice(0, -3);
      const p50 = r.metrics[`${base}P50`];
      const p99 = r.metrics[`${base}P99`];
      const cpu = r.metrics[`${base}CpuUs`];
      const harness = /\(([^)]+)\)/.exec(r.units[metric] ?? "")?.[1] ?? "";
      const opt = (v: number | undefined) => (v === undefined ? "–" : formatValue(v));
      rows.push(`| ${SERVING_LABELS[base] ?? base} | ${formatValue(rps)} | ${opt(p50)} | ${opt(p99)} | ${opt(cpu)} | ${cell(harness)} |`);
    }
  }
  return rows.length
    ? ["## Serving: requests/s, latency and CPU per request", "", "| configuration | req/s | p50 ms | p99 ms | µs CPU/req | harness |", "| --- | ---: | ---: | ---: | ---: | --- |", ...rows, ""]
    : [];
}

// Columns of the catalog-scale table: metric prefix (before `_<N>`) and heading.
const SCALE_COLUMNS: [string, string][] = [
  ["syncSeconds", "sync s"],
  ["syncUsPerProduct", "sync µs/product"],
  ["syncPeakHeapMB", "sync peak heap MB"],
  ["syncRetainedHeapGrowthMB", "sync live heap growth MB"],
  ["syncRssGrowthMB", "sync RSS growth MB"],
  ["hitRps", "hit req/s"],
  ["hitRpsVs20", "× 20's req/s"],
  ["hitCpuUs", "µs CPU/hit"],
  ["hitSaturatedP99", "hit p99 ms, saturated"],
  ["hitPacedRps", "paced req/s"],
  ["hitP50", "paced p50 ms"],
  ["hitP99", "paced p99 ms"],
  ["hitP99Vs20", "× 20's paced p99"],
  ["templateRenderMs", "template render ms"],
  ["missKB", "miss KB"],
  ["generatorRequestKB", "generator request KB"],
  ["aiPageCached", "AI page cached"],
  ["burstLlmCalls", "burst LLM calls"],
  ["burstVisibleSeconds", "burst → pages s"],
];

/** One row per catalog size from the catalog-scale/* results (metrics named `<column>_<N>`). */
function scaleTable(results: BenchResult[]): string[] {
  const parts = results.filter((r) => r.name.startsWith("catalog-scale/"));
  const values = new Map<string, Map<string, number>>();
  for (const r of parts) {
    for (const [metric, value] of Object.entries(r.metrics)) {
      const m = /^(\w+?)_(\w+)$/.exec(metric);
      if (!m || !SCALE_COLUMNS.some(([c]) => c === m[1])) continue;
      if (!values.has(m[2]!)) values.set(m[2]!, new Map());
      values.get(m[2]!)!.set(m[1]!, value);
    }
  }
  if (values.size === 0) return [];
  const size = (label: string) => Number(label.replace(/k$/, "")) * (label.endsWith("k") ? 1000 : 1);
  const rows = [...values.entries()]
    .sort((a, b) => size(a[0]) - size(b[0]))
    .map(([label, v]) => `| ${size(label).toLocaleString("en-US")} | ${SCALE_COLUMNS.map(([c]) => (v.has(c) ? formatValue(v.get(c)!) : "–")).join(" | ")} |`);
  return [
    "## Catalog scale",
    "",
    `| products | ${SCALE_COLUMNS.map(([, h]) => h).join(" | ")} |`,
    `| ---: | ${SCALE_COLUMNS.map(() => "---:").join(" | ")} |`,
    ...rows,
    "",
  ];
}

/** Escapes what would break a markdown table cell. */
const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

export function renderReport(file: ResultsFile): string {
  const results = file.results as BenchResult[];
  const cpu = cpus();
  const lines: string[] = [
    "# Benchmark results",
    "",
    `Measured ${file.generatedAt.slice(0, 16).replace("T", " ")} UTC on ${file.platform}, ${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, Node ${file.node}. ` +
      "Regenerate with `npm run bench` (writes bench/results.json and this file).",
    "",
  ];
  // A bench that failed has no figures: it is listed first, with its reason, so it cannot go unseen.
  const failed = results.filter((r) => r.error);
  if (failed.length) {
    lines.push("## Failed", "", "| benchmark | reason |", "| --- | --- |");
    for (const r of failed) lines.push(`| ${r.name} | ${cell(r.error!.slice(0, 600))} |`);
    lines.push("");
  }
  const withTargets = results.filter((r) => r.target);
  if (withTargets.length) {
    lines.push("## Targets", "", "| benchmark | goal | measured | target | met |", "| --- | --- | ---: | --- | :---: |");
    for (const r of withTargets) {
      const t = r.target!;
      const value = r.metrics[t.metric];
      lines.push(
        `| ${r.name} | ${cell(t.description)} | ${value === undefined ? "–" : formatValue(value, r.units[t.metric])} | ${targetText(r)} | ${r.pass === undefined ? "–" : r.pass ? "yes" : "**no**"} |`,
      );
    }
    lines.push("");
  }
  lines.push(...servingTable(results));
  lines.push(...scaleTable(results));
  lines.push("## All figures", "", "| benchmark | metric | value |", "| --- | --- | ---: |");
  for (const r of results) {
    for (const [metric, value] of Object.entries(r.metrics)) lines.push(`| ${r.name} | ${metric} | ${formatValue(value, r.units[metric])} |`);
  }
  const noted = results.filter((r) => r.notes);
  if (noted.length) {
    lines.push("", "## How each was measured", "");
    for (const r of noted) lines.push(`- **${r.name}**: ${r.notes!.replace(/\r?\n/g, " ")}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Reads results.json and writes results.md; returns the markdown. */
export function writeReport(jsonPath = RESULTS_JSON, mdPath = RESULTS_MD): string {
  const parsed = ResultsFileSchema.parse(JSON.parse(readFileSync(jsonPath, "utf8")) as unknown);
  const markdown = renderReport(parsed);
  writeFileSync(mdPath, markdown);
  return markdown;
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  writeReport();
  console.log(`report written to ${RESULTS_MD}`);
}
