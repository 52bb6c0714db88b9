import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROMPT_VERSION } from "../../core/prompt-version.ts";
import { CATALOG, generateBody } from "../test/fixtures.ts";
import { startGenerator, type RunningGenerator } from "../test/harness.ts";

/** The HTTP surface of the generator in template mode (no LLM_API_KEY): health, input validation, fallback. */

let generator: RunningGenerator;

beforeAll(async () => {
  generator = await startGenerator({});
});
afterAll(() => generator.close());

describe("GET /healthz", () => {
  it("answers 200 with the mode and the prompt version", async () => {
    const res = await fetch(`${generator.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, mode: "template", model: null, promptVersion: PROMPT_VERSION });
  });
});

describe("template mode", () => {
  it("answers every request with the persona's template page, saying why", async () => {
    const { status, result } = await generator.generate(generateBody("dealhunter"));
    expect(status).toBe(200);
    expect(result.source).toBe("template");
    expect(result.model).toBe("none");
    expect(result.usage).toEqual({ promptTokens: 0, completionTokens: 0 });
    expect(result.warnings).toEqual(["template mode: no LLM_API_KEY configured"]);
    expect(result.html).toContain('data-wand-persona="dealhunter"');
    expect(result.html).toContain('data-wand-source="template"');
  });

  it("warns when the job was keyed with another prompt version", async () => {
    const body = generateBody("explorer");
    const { result } = await generator.generate({ ...body, job: { ...(body.job as object), promptVersion: "p0-old" } });
    expect(result.warnings[0]).toContain('"p0-old"');
  });
});

describe("bad requests are 400 with the reason", () => {
  it("invalid JSON", async () => {
    const { status, json } = await generator.post('{"job": {');
    expect(status).toBe(400);
    expect(json.error).toBe("invalid_json");
    expect(String(json.message)).toMatch(/not valid JSON/);
  });

  it("a body that is not JSON at all", async () => {
    const { status, json } = await generator.post("job=1", "application/x-www-form-urlencoded");
    expect(status).toBe(400);
    expect(json.error).toBe("unsupported_content_type");
  });

  it("a JSON value that is not an object", async () => {
    const { status, json } = await generator.post("[1,2,3]");
    expect(status).toBe(400);
    expect(json.error).toBe("invalid_request");
  });

  it("missing fields", async () => {
    const { status, json } = await generator.post(JSON.stringify({ job: generateBody().job }));
    expect(status).toBe(400);
    expect(json.error).toBe("invalid_request");
    expect(json.details).toEqual(expect.arrayContaining([expect.stringMatching(/^catalog:/), expect.stringMatching(/^settings:/)]));
  });

  it("a wrong field deep inside", async () => {
    const body = generateBody("explorer");
    const catalog = { ...CATALOG, products: [{ ...CATALOG.products[0]!, price: "twenty" }, ...CATALOG.products.slice(1)] };
    const { status, json } = await generator.post(JSON.stringify({ ...body, catalog }));
    expect(status).toBe(400);
    expect(json.details).toEqual([expect.stringMatching(/^catalog\.products\.0\.price: /)]);
  });

  it("an unknown persona", async () => {
    const body = generateBody("explorer");
    const { status, json } = await generator.post(JSON.stringify({ ...body, job: { ...(body.job as object), persona: "hacker" } }));
    expect(status).toBe(400);
    expect(String(json.message)).toContain("job.persona");
  });

  it("job, catalog and settings of different stores", async () => {
    const { status, json } = await generator.post(JSON.stringify({ ...generateBody("explorer"), catalog: { ...CATALOG, store: "other-store" } }));
    expect(status).toBe(400);
    expect(String(json.message)).toContain("same store");
  });

  it("a base URL that is not an origin", async () => {
    const { status, json } = await generator.post(JSON.stringify(generateBody("explorer", { baseUrl: "javascript:alert(1)//" })));
    expect(status).toBe(400);
    expect(String(json.message)).toContain("baseUrl");
  });

  it("an oversize body", async () => {
    const body = generateBody("explorer", { padding: "x".repeat(1_100_000) });
    const { status, json } = await generator.post(JSON.stringify(body));
    expect(status).toBe(400);
    expect(json.error).toBe("body_too_large");
  });

  it("an unknown route is a JSON 404", async () => {
    const res = await fetch(`${generator.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "not_found" });
  });
});
