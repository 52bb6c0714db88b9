/** What every benchmark module returns; bench/run.ts collects these into a table and results.json. */
export interface BenchResult {
  /** Short id, e.g. "template-render". */
  name: string;
  /** The figures measured, by metric name (e.g. { meanMsPerPage: 0.12 }). */
  metrics: Record<string, number>;
  /** Unit of each metric, by the same names (e.g. { meanMsPerPage: "ms" }). */
  units: Record<string, string>;
  /** What was measured and how (catalog size, iterations, machine caveats). */
  notes?: string;
  /** The goal this benchmark checks, if any. */
  target?: { metric: string; max?: number; min?: number; description: string };
  /** Whether the target was met (absent when there is no target). */
  pass?: boolean;
  /**
   * Why (part of) the bench could not measure: the row keeps what was measured, the report lists
   * the reason, and the run exits with code 1. Never a made-up figure instead.
   */
  error?: string;
}

/**
 * A benchmark module: bench/run.ts imports it and calls run(). A bench with several parts returns
 * one result per part, named `<bench>/<part>` (e.g. "catalog-scale/sync").
 */
export interface BenchModule {
  run(): Promise<BenchResult | BenchResult[]>;
}
