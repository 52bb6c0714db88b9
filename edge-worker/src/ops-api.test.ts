import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { cacheKey, cacheVariant } from "../../core/cache-key.ts";
import { PROMPT_VERSION } from "../../core/prompt-version.ts";
import { emptySelection } from "../../core/selection.ts";
import type { Persona } from "../../core/types.ts";
import { handleOps } from "./ops-api.ts";
import { writePage } from "./page-cache.ts";

// Storage is shared between test files: this file works on a store of its own.
const STORE = "ops-api-test";
const TOKEN = "ops-test-token-0123456789";
const opsEnv = { ...env, OPS_TOKEN: TOKEN } as Env;
// The store has no products: each persona's variant is that of its empty selection.
const variantOf = (persona: Persona) =>
  cacheVariant({ merchVersion: emptySelection(STORE, persona, 0).merchVersion, settingsVersion: 1, promptVersion: PROMPT_VERSION });
const keyOf = (persona: Persona) => cacheKey({ store: STORE, persona, scope: "persona", variant: variantOf(persona) });

async function ops(path: string, init: RequestInit & { token?: string | null } = {}, e: Env = opsEnv): Promise<Response> {
  const { token = TOKEN, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token !== null) headers.set("Authorization", `Bearer ${token}`);
  const ctx = createExecutionContext();
  const response = await handleOps(new Request(`https://edge.example/ops${path}`, { ...rest, headers }), e, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

async function seedPage(persona: Persona, pageVariant = variantOf(persona)): Promise<string> {
  const key = cacheKey({ store: STORE, persona, scope: "persona", variant: pageVariant });
  await writePage(env, STORE, persona, `<!doctype html><p>${persona}</p>`, { key, variant: pageVariant, source: "llm", model: "test-model", generatedAt: new Date().toISOString() });
  return key;
}

beforeAll(async () => {
  await env.DB.prepare("INSERT OR REPLACE INTO ShopSettings (store, shopDomain, shopName, enabledPersonas) VALUES (?, ?, ?, ?)")
    .bind(STORE, `${STORE}.myshopify.com`, "Ops Test", JSON.stringify(["minimalist", "explorer", "dealhunter"]))
    .run();
});

describe("ops endpoint authentication", () => {
  it("refuses a request without the bearer token, with a wrong one, and everything when OPS_TOKEN is not set", async () => {
    for (const token of [null, "wrong-token", `${TOKEN}x`]) {
      const response = await ops("/stores", { token });
      expect(response.status).toBe(401);
      expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    }
    const disabled = await ops("/stores", {}, { ...env } as Env);
    expect(disabled.status).toBe(401);
    expect(await disabled.json()).toMatchObject({ reason: expect.stringMatching(/disabled/) });
    // Even an unknown route is not revealed without the token.
    expect((await ops("/nothing-here", { token: null })).status).toBe(401);
  });
});

describe("ops endpoint routes", () => {
  it("lists the stores with their enabled personas", async () => {
    const response = await ops("/stores");
    expect(response.status).toBe(200);
    const { stores } = (await response.json()) as { stores: { store: string; enabledPersonas: string[]; installed: boolean }[] };
    expect(stores.find((s) => s.store === STORE)).toEqual({ store: STORE, shopName: "Ops Test", installed: true, enabledPersonas: ["minimalist", "explorer", "dealhunter"] });
  });

  it("answers bad requests with a 4xx and a reason", async () => {
    expect((await ops("/stores/no-such-store/pages")).status).toBe(404);
    expect((await ops("/stores/BAD%20STORE/pages")).status).toBe(400);
    expect((await ops("/stores/%E0%A4%A/pages")).status).toBe(400);
    expect((await ops(`/stores/${STORE}/unknown`)).status).toBe(404);
    expect((await ops(`/stores/${STORE}/purge`)).status).toBe(405);
    expect((await ops(`/stores/${STORE}/pages`, { method: "POST" })).status).toBe(405);
    const badPersona = await ops(`/stores/${STORE}/purge`, { method: "POST", body: JSON.stringify({ persona: "shopaholic" }) });
    expect(badPersona.status).toBe(400);
    expect((await ops(`/stores/${STORE}/purge`, { method: "POST", body: "{not json" })).status).toBe(400);
    expect((await ops(`/stores/${STORE}/purge`, { method: "POST", body: "x".repeat(5000) })).status).toBe(413);
  });

  it("lists cached pages with layers and the current variant, and purges one persona from KV and R2", async () => {
    await seedPage("explorer");
    await seedPage("minimalist", "00000000000000aa");
    const listed = (await (await ops(`/stores/${STORE}/pages`)).json()) as { pages: { key: string; current: boolean; inKv: boolean; inR2: boolean; source: string }[] };
    expect(listed.pages.find((p) => p.key === keyOf("explorer"))).toMatchObject({ current: true, inKv: true, inR2: true, source: "llm" });
    expect(listed.pages.find((p) => p.key.endsWith("00000000000000aa"))).toMatchObject({ current: false });

    const purged = await ops(`/stores/${STORE}/purge`, { method: "POST", body: JSON.stringify({ persona: "explorer" }) });
    expect(purged.status).toBe(200);
    // Counted once per page key, whether it was in KV, R2 or both (the EdgeApi's rule).
    expect(await purged.json()).toEqual({ deleted: 1 });
    expect(await env.CACHE.get(keyOf("explorer"))).toBeNull();
    expect(await env.PAGES.head(keyOf("explorer"))).toBeNull();
    const after = (await (await ops(`/stores/${STORE}/pages`)).json()) as { pages: { persona: string }[] };
    expect(after.pages.map((p) => p.persona)).toEqual(["minimalist"]);

    const all = await ops(`/stores/${STORE}/purge`, { method: "POST" });
    expect(await all.json()).toEqual({ deleted: 1 });
    expect(await env.PAGES.head(`latest/${STORE}/minimalist`)).toBeNull();
  });

  it("warms every enabled persona that is not cached, and shows them queued", async () => {
    await seedPage("minimalist");
    await seedPage("explorer");
    const warmed = await ops(`/stores/${STORE}/warm`, { method: "POST" });
    expect(warmed.status).toBe(200);
    const { results } = (await warmed.json()) as { results: { key: string; status: string }[] };
    // loyalist is not enabled: not enqueued.
    expect(results).toEqual([
      { key: keyOf("minimalist"), status: "fresh" },
      { key: keyOf("explorer"), status: "fresh" },
      { key: keyOf("dealhunter"), status: "queued" },
    ]);
    const { personas } = (await (await ops(`/stores/${STORE}/state`)).json()) as { personas: { persona: string; state: string; enabled: boolean; queued: boolean }[] };
    expect(personas.find((p) => p.persona === "dealhunter")).toMatchObject({ enabled: true, state: "missing" });
    expect(personas.find((p) => p.persona === "explorer")).toMatchObject({ state: "fresh" });
    expect(personas.find((p) => p.persona === "loyalist")).toMatchObject({ enabled: false });
  });

  it("reports stats per persona", async () => {
    const response = await ops(`/stores/${STORE}/stats`);
    expect(response.status).toBe(200);
    const { personas } = (await response.json()) as { personas: { persona: string; hits: number }[] };
    expect(personas.map((p) => p.persona).sort()).toEqual(["dealhunter", "explorer", "loyalist", "minimalist"]);
  });

  it("reports the pool's LLM breaker, GET only and behind the token", async () => {
    const response = await ops("/llm");
    expect(response.status).toBe(200);
    const { llm } = (await response.json()) as { llm: { state: string; since: string; consecutiveFailures: number; openedCount: number } };
    expect(["closed", "open", "half-open"]).toContain(llm.state);
    expect(Number.isNaN(Date.parse(llm.since))).toBe(false);
    expect(llm.consecutiveFailures).toBeGreaterThanOrEqual(0);
    expect((await ops("/llm", { method: "POST" })).status).toBe(405);
    expect((await ops("/llm", { token: null })).status).toBe(401);
  });
});
