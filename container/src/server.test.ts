import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROMPT_VERSION } from "../../core/prompt-version.ts";
import { splitProductSlots } from "../../core/product-slots.ts";
import { selectionHandles } from "../../core/selection.ts";
import { PRODUCTS, generateBody, selectionOf } from "../test/fixtures.ts";
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
    expect(result.fallback).toBe("template_mode");
    expect(result.model).toBe("none");
    expect(result.usage).toEqual({ promptTokens: 0, completionTokens: 0 });
    expect(result.warnings).toEqual(["template mode: no LLM_API_KEY configured"]);
    expect(result.html).toContain('data-wand-persona="dealhunter"');
    expect(result.html).toContain('data-wand-source="template"');
    // The template shows the selection as product slots (the edge expands them), no cards of its own.
    expect(splitProductSlots(result.html).slots.map((s) => s.handle)).toEqual(selectionHandles(selectionOf("dealhunter")));
    expect(result.html).not.toContain('<article class="card"');
  });

  it("warns when the job was keyed with another merchandising version than the selection's", async () => {
    const body = generateBody("explorer");
    const { result } = await generator.generate({ ...body, job: { ...(body.job as object), merchVersion: "merch-v0" } });
    expect(result.source).toBe("template");
    expect(result.warnings[0]).toBe('job merchandising version "merch-v0" differs from the selection\'s "merch-v1"');
  });

  it("warns when the job was keyed with another prompt version", async () => {
    const body = generateBody("explorer");
    const { result } = await generator.generate({ ...body, job: { ...(body.job as object), promptVersion: "p0-old" } });
    expect(result.warnings[0]).toContain('"p0-old"');
  });
});

describe("the generation log line", () => {
  it("carries the fallback reason and the pool's breaker state from X-Wand-Breaker", async () => {
    const before = generator.logs.length;
    const res = await fetch(`${generator.url}/generate`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-wand-breaker": "half-open" },
      body: JSON.stringify(generateBody("loyalist")),
    });
    expect(res.status).toBe(200);
    await res.json();
    const line = JSON.parse(generator.logs.slice(before).find((l) => l.includes('"generation"'))!) as Record<string, unknown>;
    expect(line).toMatchObject({ event: "generation", persona: "loyalist", source: "template", fallback: "template_mode", breaker: "half-open" });

    // No header (or one that names no state) logs null rather than whatever was sent.
    const count = generator.logs.length;
    await generator.generate(generateBody("loyalist"));
    await fetch(`${generator.url}/generate`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-wand-breaker": "<script>" },
      body: JSON.stringify(generateBody("loyalist")),
    }).then((r) => r.text());
    const lines = generator.logs.slice(count).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === "generation");
    expect(lines.map((l) => l.breaker)).toEqual([null, null]);
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
    expect(json.details).toEqual(expect.arrayContaining([expect.stringMatching(/^selection:/), expect.stringMatching(/^settings:/)]));
  });

  it("a wrong field deep inside", async () => {
    const body = generateBody("explorer");
    const selection = selectionOf("explorer", [{ ...PRODUCTS[0]!, price: "twenty" }, ...PRODUCTS.slice(1)]);
    const { status, json } = await generator.post(JSON.stringify({ ...body, selection }));
    expect(status).toBe(400);
    expect(json.details).toEqual([expect.stringMatching(/^selection\.products\.0\.price: /)]);
  });

  it("an unknown persona", async () => {
    const body = generateBody("explorer");
    const { status, json } = await generator.post(JSON.stringify({ ...body, job: { ...(body.job as object), persona: "hacker" } }));
    expect(status).toBe(400);
    expect(String(json.message)).toContain("job.persona");
  });

  it("job, selection and settings of different stores", async () => {
    const { status, json } = await generator.post(JSON.stringify({ ...generateBody("explorer"), selection: { ...selectionOf("explorer"), store: "other-store" } }));
    expect(status).toBe(400);
    expect(String(json.message)).toContain("same store");
  });

  it("a selection of another persona than the job's", async () => {
    const { status, json } = await generator.post(JSON.stringify({ ...generateBody("explorer"), selection: selectionOf("dealhunter") }));
    expect(status).toBe(400);
    expect(json.details).toEqual([expect.stringMatching(/^selection\.persona: .*"dealhunter".*"explorer"/)]);
  });

  it("a selection above its bounds (products, groups, handles per group)", async () => {
    const many = Array.from({ length: 61 }, (_, i) => ({ ...PRODUCTS[0]!, id: `p${i}`, handle: `p-${i}` }));
    const groups = Array.from({ length: 13 }, (_, i) => ({ id: `g${i}`, title: `G${i}`, handles: ["classic-tee"] }));
    const crowded = [{ id: "g", title: "G", handles: Array.from({ length: 41 }, (_, i) => `h-${i}`) }];
    for (const [selection, path] of [
      [selectionOf("explorer", many, [{ id: "g", title: "G", handles: ["p-0", "p-1", "p-2"] }]), /^selection\.products: /],
      [selectionOf("explorer", PRODUCTS, groups), /^selection\.groups: /],
      [selectionOf("explorer", PRODUCTS, crowded), /^selection\.groups\.0\.handles: /],
    ] as const) {
      const { status, json } = await generator.post(JSON.stringify({ ...generateBody("explorer"), selection }));
      expect(status).toBe(400);
      expect(json.details).toEqual([expect.stringMatching(path)]);
    }
  });

  it("a job that still names a catalog version instead of a merchandising version", async () => {
    const body = generateBody("explorer");
    const { merchVersion: _m, ...old } = body.job as Record<string, unknown>;
    const { status, json } = await generator.post(JSON.stringify({ ...body, job: { ...old, catalogVersion: "cat-v1" } }));
    expect(status).toBe(400);
    expect(json.details).toEqual([expect.stringMatching(/^job\.merchVersion: /)]);
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
