import { z } from "zod";

/**
 * The generator's environment, validated once at start-up. After `parseEnv` the values are trusted;
 * nothing else in container/ reads `process.env`.
 */

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

// An empty variable (e.g. `LLM_API_KEY=` in a compose file) means "not set", not "the empty key".
const optionalString = z.preprocess((v) => (v === "" ? undefined : v), z.string().min(1).optional());

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  // Loopback by default so a developer's `npm start` never exposes the generator; the image sets 0.0.0.0.
  HOST: z.string().min(1).default("127.0.0.1"),
  LLM_BASE_URL: z.url({ protocol: /^https?$/ }).default("https://api.moonshot.cn/v1"),
  LLM_MODEL: z.string().min(1).default("moonshot-v1-32k"),
  LLM_API_KEY: optionalString,
  /** Per attempt: a non-streamed page of a few thousand tokens takes tens of seconds. */
  LLM_TIMEOUT_MS: positiveInt(75_000),
  /**
   * The whole LLM call, retries and backoff included. Below the edge's GENERATOR_TIMEOUT_MS (90 s),
   * so a slow model yields a template page the edge still receives rather than a timeout.
   */
  LLM_DEADLINE_MS: positiveInt(85_000),
  // One retry (429, 5xx, timeouts) within the deadline; the pool retries whole jobs with its own backoff.
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(1),
  /** Upper bound for the answer; lowered per request when the prompt leaves less room in the context. */
  LLM_MAX_TOKENS: positiveInt(8192),
  /** The model's context window; derived from the model name ("-8k", "-32k", "-128k") when unset. */
  LLM_CONTEXT_TOKENS: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().positive().optional()),
});

export type GeneratorEnv = Omit<z.infer<typeof envSchema>, "LLM_CONTEXT_TOKENS"> & { LLM_CONTEXT_TOKENS: number };

export class EnvError extends Error {
  override name = "EnvError";
}

/** Context window from a model name such as "moonshot-v1-32k" or "kimi-128k"; 32k when it says nothing. */
export function contextTokensForModel(model: string): number {
  const match = /(\d+)k\b/i.exec(model);
  return match?.[1] ? Number(match[1]) * 1024 : 32 * 1024;
}

export function parseEnv(source: Record<string, string | undefined>): GeneratorEnv {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new EnvError(`Invalid generator environment:\n${z.prettifyError(parsed.error)}`);
  }
  const env = parsed.data;
  const context = env.LLM_CONTEXT_TOKENS ?? contextTokensForModel(env.LLM_MODEL);
  if (env.LLM_MAX_TOKENS >= context) {
    throw new EnvError(
      `Invalid generator environment: LLM_MAX_TOKENS (${env.LLM_MAX_TOKENS}) must be below the model's context (${context} tokens), or the prompt has no room`,
    );
  }
  if (env.LLM_DEADLINE_MS < env.LLM_TIMEOUT_MS) {
    throw new EnvError(`Invalid generator environment: LLM_DEADLINE_MS (${env.LLM_DEADLINE_MS}) must be at least LLM_TIMEOUT_MS (${env.LLM_TIMEOUT_MS})`);
  }
  return { ...env, LLM_CONTEXT_TOKENS: context };
}
