import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answer, hang, notJson, reset, startMockLlm, status, type MockLlm } from "../test/mock-llm.ts";
import { parseEnv } from "./env.ts";
import { createLlmClient, fallbackReasonOf, LlmError, type LlmClient } from "./llm-client.ts";
import { PipelineError } from "./pipeline-error.ts";

/**
 * How LLM calls fail, as the pool sees it: the real openai SDK (its retries, timeouts and errors)
 * against an OpenAI-compatible server on 127.0.0.1, or against a port nobody listens on.
 */

let llm: MockLlm;

beforeAll(async () => {
  llm = await startMockLlm();
});
afterAll(async () => {
  await llm.close();
});

const request = { system: "You write pages.", user: "A page, please.", maxTokens: 100 };

function client(baseUrl: string, env: Record<string, string> = {}): LlmClient {
  const made = createLlmClient(parseEnv({ LLM_API_KEY: "test-key", LLM_BASE_URL: baseUrl, LLM_TIMEOUT_MS: "5000", LLM_MAX_RETRIES: "2", ...env }));
  if (!made) throw new Error("a key was given: the client must exist");
  return made;
}

/** The LlmError a call ends in (the test fails if it succeeds or fails otherwise). */
async function failureOf(call: Promise<unknown>): Promise<LlmError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LlmError);
  return error as LlmError;
}

/** A 127.0.0.1 port that was just free and has nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("a working endpoint", () => {
  it("returns the answer, its usage and finish reason", async () => {
    llm.script(answer("<p>hi</p>", { usage: { prompt_tokens: 12, completion_tokens: 3 } }));
    await expect(client(llm.baseUrl).complete(request)).resolves.toEqual({
      text: "<p>hi</p>",
      usage: { promptTokens: 12, completionTokens: 3 },
      finishReason: "stop",
    });
  });

  it("rides out one 429 with the SDK's retry", async () => {
    llm.script(status(429), answer("<p>later</p>"));
    await expect(client(llm.baseUrl).complete(request)).resolves.toMatchObject({ text: "<p>later</p>" });
    expect(llm.requests).toHaveLength(2);
  });
});

describe("failures carry a kind and a fallback reason", () => {
  it("a closed port: unreachable after every attempt", async () => {
    const port = await closedPort();
    const error = await failureOf(client(`http://127.0.0.1:${port}/v1`, { LLM_MAX_RETRIES: "1" }).complete(request));
    expect(error.kind).toBe("unreachable");
    expect(error.status).toBeNull();
    expect(error.message).toMatch(/^llm unreachable after 2 attempts: .*\(ECONNREFUSED\)$/);
    expect(fallbackReasonOf(error)).toBe("llm_unreachable");
  });

  it("a connection reset on every attempt: unreachable", async () => {
    llm.script(reset);
    const error = await failureOf(client(llm.baseUrl, { LLM_MAX_RETRIES: "1" }).complete(request));
    expect(llm.requests).toHaveLength(2);
    expect(error.kind).toBe("unreachable");
    expect(fallbackReasonOf(error)).toBe("llm_unreachable");
  });

  it("an endpoint that hangs beyond the per-attempt timeout: timeout", async () => {
    llm.script(hang);
    const error = await failureOf(client(llm.baseUrl, { LLM_TIMEOUT_MS: "200", LLM_MAX_RETRIES: "1" }).complete(request));
    expect(llm.requests).toHaveLength(2);
    expect(error.kind).toBe("timeout");
    expect(error.message).toBe("llm timed out after 2 attempts");
    expect(fallbackReasonOf(error)).toBe("llm_timeout");
  });

  it("retries that outlast the whole-call deadline: timeout", async () => {
    llm.script(hang);
    const error = await failureOf(client(llm.baseUrl, { LLM_TIMEOUT_MS: "300", LLM_DEADLINE_MS: "450", LLM_MAX_RETRIES: "5" }).complete(request));
    expect(error.kind).toBe("timeout");
    expect(error.message).toBe("llm gave no complete answer within 450 ms");
    expect(fallbackReasonOf(error)).toBe("llm_timeout");
  });

  it("a 429 that persists through the SDK's retries: rate limited", async () => {
    llm.script(status(429));
    const error = await failureOf(client(llm.baseUrl).complete(request));
    expect(llm.requests).toHaveLength(3);
    expect(error.kind).toBe("rate_limited");
    expect(error.status).toBe(429);
    expect(error.message).toBe("llm answered HTTP 429 after 3 attempts");
    expect(fallbackReasonOf(error)).toBe("llm_rate_limited");
  });

  it("a 500 after the retries: error", async () => {
    llm.script(status(500));
    const error = await failureOf(client(llm.baseUrl).complete(request));
    expect(llm.requests).toHaveLength(3);
    expect(error.kind).toBe("error");
    expect(error.status).toBe(500);
    expect(error.message).toBe("llm answered HTTP 500 after 3 attempts");
    expect(fallbackReasonOf(error)).toBe("llm_error");
  });

  it("a 401 (wrong key), not retried: error", async () => {
    llm.script(status(401));
    const error = await failureOf(client(llm.baseUrl).complete(request));
    expect(llm.requests).toHaveLength(1);
    expect(error.kind).toBe("error");
    expect(error.status).toBe(401);
    expect(error.message).toBe("llm answered HTTP 401");
    expect(fallbackReasonOf(error)).toBe("llm_error");
  });

  it("a 200 whose body is not JSON: error", async () => {
    llm.script(notJson);
    const error = await failureOf(client(llm.baseUrl).complete(request));
    expect(error.kind).toBe("error");
    expect(error.message).toMatch(/^llm call failed: /);
    expect(fallbackReasonOf(error)).toBe("llm_error");
  });

  it("a caller that went away: cancelled, which the pool may run again", async () => {
    llm.script(hang);
    const caller = new AbortController();
    const call = client(llm.baseUrl, { LLM_TIMEOUT_MS: "600000", LLM_DEADLINE_MS: "600000" }).complete({ ...request, signal: caller.signal });
    await expect.poll(() => llm.requests.length).toBe(1);
    caller.abort();
    const error = await failureOf(call);
    expect(error.kind).toBe("cancelled");
    expect(error.message).toBe("generation cancelled: the caller went away");
    expect(fallbackReasonOf(error)).toBe("llm_error");
  });
});

describe("fallbackReasonOf", () => {
  it("an answer the pipeline refused is unusable", () => {
    expect(fallbackReasonOf(new PipelineError("answer contains no HTML"))).toBe("answer_unusable");
  });

  it("anything else is an LLM error (worth another try)", () => {
    expect(fallbackReasonOf(new TypeError("x is undefined"))).toBe("llm_error");
    expect(fallbackReasonOf("a string")).toBe("llm_error");
    expect(fallbackReasonOf(undefined)).toBe("llm_error");
  });

  it("maps every LLM error kind", () => {
    expect(fallbackReasonOf(new LlmError("unreachable", "x"))).toBe("llm_unreachable");
    expect(fallbackReasonOf(new LlmError("timeout", "x"))).toBe("llm_timeout");
    expect(fallbackReasonOf(new LlmError("rate_limited", "x", { status: 429 }))).toBe("llm_rate_limited");
    expect(fallbackReasonOf(new LlmError("error", "x", { status: 503 }))).toBe("llm_error");
  });
});
