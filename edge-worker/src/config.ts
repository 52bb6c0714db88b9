import { z } from "zod";

/**
 * The worker's tunables, read from `vars` once per env object through a schema (boundary
 * validation): bad values fail loudly with the field errors instead of becoming NaN somewhere deep.
 */
const ConfigSchema = z.object({
  POOL_SIZE: z.coerce.number().int().min(1).max(100),
  // Empty or absent → the GeneratorContainer transport (production).
  GENERATOR_URL: z
    .string()
    .optional()
    .transform((v) => (v ? v.replace(/\/+$/, "") : ""))
    .refine((v) => v === "" || /^https?:\/\/[^\s]+$/.test(v), "must be an http(s) URL or empty"),
  GENERATOR_TIMEOUT_MS: z.coerce.number().int().min(1).default(90_000),
  RETRY_BASE_MS: z.coerce.number().int().min(0).default(2_000),
  SNAPSHOT_TTL_SECONDS: z.coerce.number().min(0).default(5),
  STATS_FLUSH_SECONDS: z.coerce.number().min(0).default(10),
});

export interface EdgeConfig {
  poolSize: number;
  generatorUrl: string;
  generatorTimeoutMs: number;
  retryBaseMs: number;
  snapshotTtlMs: number;
  statsFlushMs: number;
}

const parsed = new WeakMap<object, EdgeConfig>();

export function edgeConfig(env: Env): EdgeConfig {
  const cached = parsed.get(env);
  if (cached) return cached;
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    throw new Error(`edge-worker vars are invalid: ${z.prettifyError(result.error)}`);
  }
  const v = result.data;
  const config: EdgeConfig = {
    poolSize: v.POOL_SIZE,
    generatorUrl: v.GENERATOR_URL,
    generatorTimeoutMs: v.GENERATOR_TIMEOUT_MS,
    retryBaseMs: v.RETRY_BASE_MS,
    snapshotTtlMs: v.SNAPSHOT_TTL_SECONDS * 1000,
    statsFlushMs: v.STATS_FLUSH_SECONDS * 1000,
  };
  parsed.set(env, config);
  return config;
}
