import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { GeneratorError, generatorFor } from "./generator-client.ts";
import { sampleProducts } from "../test/helpers.ts";
import { defaultSettings } from "../../core/settings.ts";

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
      job: { key: "ui/t-unreachable/explorer/0123456789abcdef", store: "t-unreachable", persona: "explorer" as const, variant: "0123456789abcdef", catalogVersion: "c", settingsVersion: 1, promptVersion: "p", enqueuedAt: 0, attempt: 1 },
      catalog: { store: "t-unreachable", version: "c", products: sampleProducts("t-unreachable", 2) },
      settings,
    };
    await expect(client.generate(request)).rejects.toBeInstanceOf(GeneratorError);
  });
});
