/**
 * LLM cost grows with personas, not shoppers: 1,000 distinct shoppers over the 4 personas arrive
 * (16 at a time) before any page exists; the generator counts its calls. Target: ≤ 4 generations.
 * How it is measured: bench/edge-harness.ts.
 */
import { measureEdge } from "./edge-harness.ts";
import type { BenchResult } from "./types.ts";

export const GENERATIONS_TARGET = 4;

export async function run(): Promise<BenchResult> {
  const { generations, generationShoppers } = await measureEdge();
  return {
    name: "edge-generations",
    metrics: { shoppers: generationShoppers, generations },
    units: { shoppers: "shoppers", generations: "generator calls" },
    notes: "edge bundle on workerd serve, real PoolMember queue (dedupe) and a counting stand-in generator; requests sent with persona overrides round-robin.",
    target: { metric: "generations", max: GENERATIONS_TARGET, description: "≤ 4 generations for 1,000 shoppers over 4 personas" },
    pass: generations <= GENERATIONS_TARGET,
  };
}
