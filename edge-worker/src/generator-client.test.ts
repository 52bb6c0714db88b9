import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { GeneratorError, generatorFor } from "./generator-client.ts";
import { generator, sampleProducts, uniqueStore } from "../test/helpers.ts";
import { defaultSettings } from "../../core/settings.ts";
import { candidatesFromProducts, selectForPersona } from "../../core/selection.ts";

describe("generator transport", () => {
  it("uses HTTP when GENERATOR_URL is set and the container binding otherwise, without touching it", () => {
    expect(generatorFor(env, "pool-0").transport).toBe("http");
    // Containers are disabled here: merely choosing the container transport must not call the binding.
    expect(generatorFor({ ...env, GENERATOR_URL: "" }, "pool-0").transport).toBe("container");
  });

  it("reports an unreachable generator as a retryable GeneratorError", async () => {
    const client = generatorFor({ ...env, GENERATOR_URL: "http://127.0.0.1:9" }, "pool-0");
    const settings = defaultSettings({ store: "t-unreachable", shopName: "S", shopDomain: "s.myshopify.com" });
    const request = {
      job: { key: "ui/t-unreachable/explorer/0123456789abcdef", store: "t-unreachable", persona: "explorer" as const, variant: "0123456789abcdef", merchVersion: "m", settingsVersion: 1, promptVersion: "p", enqueuedAt: 0, attempt: 1 },
      selection: selectForPersona({ store: "t-unreachable", persona: "explorer", candidates: candidatesFromProducts(sampleProducts("t-unreachable", 2)), now: 0 }),
      settings,
    };
    await expect(client.generate(request)).rejects.toBeInstanceOf(GeneratorError);
  });

  it("returns a template answer with its fallback reason, and refuses a template without one", async () => {
    const store = uniqueStore("client-fallback");
    const settings = defaultSettings({ store, shopName: "S", shopDomain: "s.myshopify.com" });
    const selection = selectForPersona({ store, persona: "minimalist", candidates: candidatesFromProducts(sampleProducts(store, 4)), now: 0 });
    const job = { key: `ui/${store}/minimalist/0123456789abcdef`, store, persona: "minimalist" as const, variant: "0123456789abcdef", merchVersion: selection.merchVersion, settingsVersion: 1, promptVersion: "p", enqueuedAt: 0, attempt: 1 };
    const client = generatorFor(env, "pool-0");
    await generator(store).behave("fallback");
    expect(await client.generate({ job, selection, settings })).toMatchObject({ source: "template", fallback: "llm_unreachable" });
    await generator(store).behave("unlabelled");
    await expect(client.generate({ job, selection, settings })).rejects.toThrow(/fallback must be set exactly when source is template/);
    await generator(store).behave("ok");
    expect(await client.generate({ job, selection, settings })).toMatchObject({ source: "llm", fallback: null });
    // The pool's breaker state travels as X-Wand-Breaker (the generator logs it); absent when not given.
    await client.generate({ job, selection, settings }, { breaker: "half-open" });
    expect((await generator(store).stats()).breakerHeaders).toEqual([null, null, null, "half-open"]);
  });
});
