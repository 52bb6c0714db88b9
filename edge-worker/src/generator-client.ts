import { getContainer } from "@cloudflare/containers";
import { z } from "zod";
import type { LlmBreakerState } from "../../core/edge-api.ts";
import { FALLBACK_REASONS, type GenerationJob, type GenerationResult, type PersonaSelection, type ShopSettings } from "../../core/types.ts";
import { edgeConfig } from "./config.ts";

/**
 * One interface to the generator, two transports (DESIGN.md, "Generator call"):
 * - GENERATOR_URL set → HTTP to `${GENERATOR_URL}/generate` (the `container/` server as a Node
 *   process locally and in tests);
 * - otherwise → the GeneratorContainer Durable Object, one instance per pool member.
 * The choice is made from config alone, before the container binding is touched: with containers
 * disabled (no Docker) merely calling the binding throws.
 *
 * The request carries the persona's bounded selection (core/selection.ts), never the catalog: its
 * size is the same for a shop of 20 products and one of 100,000.
 */
export interface GenerateRequest {
  job: GenerationJob;
  selection: PersonaSelection;
  settings: ShopSettings;
}

export interface GenerateOptions {
  /** The pool's LLM breaker state for this call, sent as `X-Wand-Breaker` for the generator's log. */
  breaker?: LlmBreakerState;
}

/** The request header that tells the generator the breaker state (container/src/log.ts logs it). */
export const BREAKER_HEADER = "X-Wand-Breaker";

export interface GeneratorClient {
  readonly transport: "http" | "container";
  generate(request: GenerateRequest, options?: GenerateOptions): Promise<GenerationResult>;
}

/** A generator failure worth retrying; the message is what the failed log shows. */
export class GeneratorError extends Error {
  override name = "GeneratorError";
}

/** A page bigger than this is refused: the generator's own bound is smaller, so this means a fault. */
const MAX_HTML_BYTES = 1_000_000;

const GenerationResultSchema = z
  .object({
    html: z.string().min(1).max(MAX_HTML_BYTES),
    source: z.enum(["llm", "template"]),
    fallback: z.enum(FALLBACK_REASONS).nullable(),
    model: z.string(),
    usage: z.object({ promptTokens: z.number().int().min(0), completionTokens: z.number().int().min(0) }),
    durationMs: z.number().min(0),
    warnings: z.array(z.string()),
  })
  // A template is never an LLM page: the reason is there exactly when the template is.
  .refine((r) => (r.source === "template") === (r.fallback !== null), { message: "fallback must be set exactly when source is template", path: ["fallback"] });

export function generatorFor(env: Env, poolMemberName: string): GeneratorClient {
  const config = edgeConfig(env);
  if (config.generatorUrl) {
    const url = `${config.generatorUrl}/generate`;
    return { transport: "http", generate: (request, options) => callGenerator((init) => fetch(url, init), request, config.generatorTimeoutMs, options) };
  }
  return {
    transport: "container",
    generate: (request, options) => {
      const container = getContainer(env.GENERATOR, poolMemberName);
      return callGenerator((init) => container.fetch(new Request("http://generator/generate", init)), request, config.generatorTimeoutMs, options);
    },
  };
}

async function callGenerator(
  send: (init: RequestInit) => Promise<Response>,
  request: GenerateRequest,
  timeoutMs: number,
  options: GenerateOptions = {},
): Promise<GenerationResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  // The signal aborts a plain fetch; the race also bounds the container path, where the signal may
  // not cross the Durable Object boundary.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GeneratorError(`generator timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const response = await Promise.race([
      send({
        method: "POST",
        headers: { "Content-Type": "application/json", ...(options.breaker ? { [BREAKER_HEADER]: options.breaker } : {}) },
        body: JSON.stringify(request),
        signal,
      }),
      timeout,
    ]);
    const text = await Promise.race([response.text(), timeout]);
    if (!response.ok) throw new GeneratorError(`generator answered ${response.status}: ${text.slice(0, 200)}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new GeneratorError("generator answered with invalid JSON");
    }
    const parsed = GenerationResultSchema.safeParse(body);
    if (!parsed.success) throw new GeneratorError(`generator answer is malformed: ${z.prettifyError(parsed.error).slice(0, 300)}`);
    return parsed.data;
  } catch (error) {
    if (error instanceof GeneratorError) throw error;
    if (signal.aborted) throw new GeneratorError(`generator timed out after ${timeoutMs} ms`);
    throw new GeneratorError(`generator unreachable: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
  }
}
