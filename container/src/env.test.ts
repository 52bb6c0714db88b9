import { describe, expect, it } from "vitest";
import { contextTokensForModel, parseEnv } from "./env.ts";

describe("parseEnv", () => {
  it("has defaults that run offline in template mode", () => {
    expect(parseEnv({})).toEqual({
      PORT: 8080,
      HOST: "127.0.0.1",
      LLM_BASE_URL: "https://api.moonshot.cn/v1",
      LLM_MODEL: "moonshot-v1-32k",
      LLM_API_KEY: undefined,
      LLM_TIMEOUT_MS: 75_000,
      LLM_DEADLINE_MS: 85_000,
      LLM_MAX_RETRIES: 1,
      LLM_MAX_TOKENS: 8192,
      LLM_CONTEXT_TOKENS: 32_768,
    });
  });

  it("treats an empty key as no key", () => {
    expect(parseEnv({ LLM_API_KEY: "" }).LLM_API_KEY).toBeUndefined();
  });

  it("reads and coerces every variable", () => {
    const env = parseEnv({ PORT: "18150", HOST: "0.0.0.0", LLM_BASE_URL: "http://127.0.0.1:9/v1", LLM_MODEL: "moonshot-v1-8k", LLM_API_KEY: "k", LLM_TIMEOUT_MS: "500", LLM_MAX_RETRIES: "0", LLM_MAX_TOKENS: "2000" });
    expect(env).toMatchObject({ PORT: 18150, HOST: "0.0.0.0", LLM_MODEL: "moonshot-v1-8k", LLM_API_KEY: "k", LLM_TIMEOUT_MS: 500, LLM_MAX_RETRIES: 0, LLM_MAX_TOKENS: 2000, LLM_CONTEXT_TOKENS: 8192 });
  });

  it("fails with every field error at once", () => {
    expect(() => parseEnv({ PORT: "http", LLM_BASE_URL: "ftp://x", LLM_MAX_RETRIES: "-1" })).toThrow(/PORT[\s\S]*LLM_BASE_URL[\s\S]*LLM_MAX_RETRIES/);
  });

  it("refuses a deadline shorter than one attempt", () => {
    expect(() => parseEnv({ LLM_TIMEOUT_MS: "5000", LLM_DEADLINE_MS: "1000" })).toThrow(/LLM_DEADLINE_MS \(1000\) must be at least LLM_TIMEOUT_MS \(5000\)/);
  });

  it("refuses a max_tokens that leaves no room for the prompt", () => {
    expect(() => parseEnv({ LLM_MODEL: "moonshot-v1-8k", LLM_MAX_TOKENS: "9000" })).toThrow(/LLM_MAX_TOKENS \(9000\) must be below the model's context \(8192 tokens\)/);
  });
});

describe("contextTokensForModel", () => {
  it.each([
    ["moonshot-v1-8k", 8192],
    ["moonshot-v1-128k", 131_072],
    ["gpt-4o-mini", 32_768],
  ])("%s → %i", (model, tokens) => {
    expect(contextTokensForModel(model)).toBe(tokens);
  });
});
