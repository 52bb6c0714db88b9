import { describe, expect, it } from "vitest";
import { cacheKey } from "../../core/cache-key.ts";
import { generateBody, job } from "../test/fixtures.ts";
import { describeIssues, generateRequestSchema } from "./request-schema.ts";

const VARIANT = "0123456789abcdef";

describe("generateRequestSchema: the job's language", () => {
  it("defaults a job without a language (queued before languages) to English", () => {
    const parsed = generateRequestSchema.parse(generateBody("explorer"));
    expect(parsed.job.language).toBe("en");
  });

  it("takes a BCP 47 tag and writes it canonically", () => {
    for (const [given, canonical] of [["fr", "fr"], ["FR", "fr"], ["pt-br", "pt-BR"], ["zh-Hant-TW", "zh-Hant-TW"]] as const) {
      const parsed = generateRequestSchema.parse({ ...generateBody("explorer"), job: job("explorer", { language: given }) });
      expect(parsed.job.language).toBe(canonical);
    }
  });

  it.each(["", "french", "fr_FR; DROP", "x".repeat(40), "en-US-x-private"])("refuses %j with the field", (language) => {
    const result = generateRequestSchema.safeParse({ ...generateBody("explorer"), job: job("explorer", { language }) });
    expect(result.success).toBe(false);
    if (!result.success) expect(describeIssues(result.error).join("\n")).toMatch(/^job\.language: /m);
  });

  it("refuses a job whose key is for another language", () => {
    const key = cacheKey({ store: "demo-apparel", persona: "explorer", scope: "persona", variant: VARIANT, language: "de" });
    const result = generateRequestSchema.safeParse({ ...generateBody("explorer"), job: job("explorer", { key, variant: VARIANT, language: "fr" }) });
    expect(result.success).toBe(false);
    if (!result.success) expect(describeIssues(result.error)).toContain('job.language: the job is for language "fr", its key for "de"');
    const same = generateRequestSchema.safeParse({ ...generateBody("explorer"), job: job("explorer", { key, variant: VARIANT, language: "de" }) });
    expect(same.success).toBe(true);
  });
});
