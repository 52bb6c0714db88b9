import OpenAI from "openai";
import type { FallbackReason } from "../../core/types.ts";
import type { GeneratorEnv } from "./env.ts";
import { PipelineError } from "./pipeline-error.ts";

/** What the pipeline needs from a chat model; the openai SDK implements it against any compatible endpoint. */
export interface LlmClient {
  readonly model: string;
  complete(request: LlmRequest): Promise<LlmAnswer>;
}

export interface LlmRequest {
  system: string;
  user: string;
  maxTokens: number;
  /** Aborts the call (and its retries), e.g. when the caller of /generate has gone away. */
  signal?: AbortSignal;
}

export interface LlmAnswer {
  text: string;
  usage: { promptTokens: number; completionTokens: number };
  /** "stop", "length" (cut at max_tokens), ...; null when the endpoint did not say. */
  finishReason: string | null;
}

/**
 * What kind of failure an LLM call ended in, for the pool's retry decision and the circuit breaker:
 * - unreachable: no connection (refused, reset, DNS) on every attempt;
 * - timeout: an attempt outlasted LLM_TIMEOUT_MS on the last try, or the call LLM_DEADLINE_MS;
 * - rate_limited: HTTP 429 still, after the SDK's retries;
 * - error: any other HTTP error (5xx after retries, 4xx such as a wrong key at once) or an answer the
 *   SDK could not read;
 * - cancelled: the caller of /generate went away, so nobody waits for the page.
 */
export type LlmErrorKind = "unreachable" | "timeout" | "rate_limited" | "error" | "cancelled";

/** An LLM call that failed after the SDK's own retries; `reason` is safe to put in warnings and logs. */
export class LlmError extends Error {
  override name = "LlmError";
  readonly kind: LlmErrorKind;
  readonly reason: string;
  /** The endpoint's HTTP status, when it answered with one. */
  readonly status: number | null;

  constructor(kind: LlmErrorKind, reason: string, options?: { cause?: unknown; status?: number | null }) {
    super(reason, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.reason = reason;
    this.status = options?.status ?? null;
  }
}

const FALLBACK_OF_KIND: Record<LlmErrorKind, FallbackReason> = {
  unreachable: "llm_unreachable",
  timeout: "llm_timeout",
  rate_limited: "llm_rate_limited",
  error: "llm_error",
  // Nobody reads a cancelled page; the LLM was not at fault, so the job is worth running again.
  cancelled: "llm_error",
};

/**
 * The machine-readable reason for a template page produced because generation failed: the LLM's
 * failure kind, "answer_unusable" when the pipeline refused the model's answer, and "llm_error" for
 * anything else (a bug of ours is not the answer's fault and is worth a retry).
 */
export function fallbackReasonOf(error: unknown): FallbackReason {
  if (error instanceof LlmError) return FALLBACK_OF_KIND[error.kind];
  if (error instanceof PipelineError) return "answer_unusable";
  return "llm_error";
}

export function createLlmClient(
  env: Pick<GeneratorEnv, "LLM_BASE_URL" | "LLM_MODEL" | "LLM_API_KEY" | "LLM_TIMEOUT_MS" | "LLM_DEADLINE_MS" | "LLM_MAX_RETRIES">,
): LlmClient | null {
  if (!env.LLM_API_KEY) return null;
  const sdk = new OpenAI({
    apiKey: env.LLM_API_KEY,
    baseURL: env.LLM_BASE_URL,
    // Per attempt. The SDK retries 408/409/429/5xx and timeouts with exponential backoff (honouring
    // Retry-After), within the overall deadline below.
    timeout: env.LLM_TIMEOUT_MS,
    maxRetries: env.LLM_MAX_RETRIES,
  });
  const retries = env.LLM_MAX_RETRIES;
  // The SDK's timeout is per attempt; the deadline bounds the whole call, retries and backoff included.
  const deadlineMs = env.LLM_DEADLINE_MS;

  return {
    model: env.LLM_MODEL,
    async complete(request) {
      const deadline = AbortSignal.timeout(deadlineMs);
      const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
      let completion: OpenAI.Chat.Completions.ChatCompletion;
      try {
        completion = await sdk.chat.completions.create({
          model: env.LLM_MODEL,
          messages: [
            { role: "system", content: request.system },
            { role: "user", content: request.user },
          ],
          // `max_tokens`, not `max_completion_tokens`: the OpenAI-compatible endpoints we target
          // (Moonshot and most self-hosted servers) read only the older name.
          max_tokens: request.maxTokens,
          temperature: 0.6,
          stream: false,
        }, { signal });
      } catch (error) {
        if (request.signal?.aborted) throw new LlmError("cancelled", "generation cancelled: the caller went away", { cause: error });
        if (deadline.aborted) throw new LlmError("timeout", `llm gave no complete answer within ${deadlineMs} ms`, { cause: error });
        throw classifyFailure(error, retries);
      }
      const choice = completion.choices[0];
      return {
        text: choice?.message.content ?? "",
        usage: {
          promptTokens: completion.usage?.prompt_tokens ?? 0,
          completionTokens: completion.usage?.completion_tokens ?? 0,
        },
        finishReason: choice?.finish_reason ?? null,
      };
    },
  };
}

function classifyFailure(error: unknown, retries: number): LlmError {
  const after = `after ${retries + 1} attempt${retries === 0 ? "" : "s"}`;
  // The timeout error is a kind of connection error in the SDK: test it first.
  if (error instanceof OpenAI.APIConnectionTimeoutError) return new LlmError("timeout", `llm timed out ${after}`, { cause: error });
  if (error instanceof OpenAI.APIConnectionError) {
    const code = networkCode(error);
    return new LlmError("unreachable", `llm unreachable ${after}: ${error.message}${code ? ` (${code})` : ""}`, { cause: error });
  }
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    // Client errors (400/401/403/404/422) are not retried by the SDK: one attempt was made.
    const retried = error.status === 408 || error.status === 409 || error.status === 429 || error.status >= 500;
    const reason = `llm answered HTTP ${error.status}${retried ? ` ${after}` : ""}`;
    return new LlmError(error.status === 429 ? "rate_limited" : "error", reason, { cause: error, status: error.status });
  }
  // E.g. a 200 whose body is not JSON.
  return new LlmError("error", `llm call failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/** The system error code (ECONNREFUSED, ECONNRESET, ENOTFOUND...) under the SDK's generic "Connection error.". */
function networkCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = "code" in current ? current.code : undefined;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
    current = current.cause;
  }
  return null;
}
