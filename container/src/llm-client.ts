import OpenAI from "openai";
import type { GeneratorEnv } from "./env.ts";

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

/** An LLM call that failed after the SDK's own retries; `reason` is safe to put in warnings and logs. */
export class LlmError extends Error {
  override name = "LlmError";
  constructor(readonly reason: string, options?: { cause?: unknown }) {
    super(reason, options);
  }
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
        if (request.signal?.aborted) throw new LlmError("generation cancelled: the caller went away", { cause: error });
        if (deadline.aborted) throw new LlmError(`llm gave no complete answer within ${deadlineMs} ms`, { cause: error });
        throw new LlmError(describeFailure(error, retries), { cause: error });
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

function describeFailure(error: unknown, retries: number): string {
  const after = `after ${retries + 1} attempt${retries === 0 ? "" : "s"}`;
  if (error instanceof OpenAI.APIConnectionTimeoutError) return `llm timed out ${after}`;
  if (error instanceof OpenAI.APIConnectionError) return `llm unreachable ${after}: ${error.message}`;
  if (error instanceof OpenAI.APIError) {
    // Client errors (400/401/403/404/422) are not retried by the SDK: one attempt was made.
    const retried = error.status === 408 || error.status === 409 || error.status === 429 || (error.status ?? 0) >= 500;
    return `llm answered HTTP ${error.status ?? "?"}${retried ? ` ${after}` : ""}`;
  }
  return `llm call failed: ${error instanceof Error ? error.message : String(error)}`;
}
