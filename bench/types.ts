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
}

/** A benchmark module: bench/run.ts imports it and calls run(). */
export interface BenchModule {
  run(): Promise<BenchResult>;
}
