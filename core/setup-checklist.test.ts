import { describe, expect, it } from "vitest";
import type { CatalogSyncState } from "./edge-api.ts";
import { setupChecklist, type LlmSetupState, type SetupInput, type SetupStep, type ThemeReading } from "./setup-checklist.ts";
import type { BlockDetection } from "./theme-setup.ts";

const SHOP = "demo-apparel.myshopify.com";
const KEY = "4f3e2d1c";

const block = (o: Partial<BlockDetection>): BlockDetection => ({ state: "absent", placements: [], filesChecked: 12, complete: true, unreadable: [], ...o });
const catalog = (o: Partial<CatalogSyncState>): CatalogSyncState => ({
  state: "idle",
  trigger: null,
  mode: null,
  productsSynced: 0,
  productsTotal: null,
  startedAt: null,
  finishedAt: null,
  error: null,
  liveProducts: 0,
  lastGoodAt: null,
  pendingEvents: 0,
  ...o,
});
const llm = (o: Partial<LlmSetupState>): LlmSetupState => ({ keyConfigured: true, model: "moonshot-v1-32k", breaker: "closed", retryAt: null, llmPages: 0, lastFallback: null, ...o });

/** A freshly installed shop: nothing done yet. */
function fresh(o: Partial<SetupInput> = {}): SetupInput {
  return {
    shopDomain: SHOP,
    apiKey: KEY,
    theme: { ok: true, themeName: "Dawn", embed: { state: "never-activated" }, block: block({}) },
    proxy: { ok: true, value: { requests: 0 } },
    llm: { ok: true, value: llm({}) },
    catalog: { ok: true, value: catalog({ state: "running", productsSynced: 120, productsTotal: 480 }) },
    ...o,
  };
}

/** Everything done. */
function finished(o: Partial<SetupInput> = {}): SetupInput {
  return fresh({
    theme: { ok: true, themeName: "Dawn", embed: { state: "on" }, block: block({ state: "added", placements: [{ file: "templates/index.json", section: "apps", hidden: false }] }) },
    proxy: { ok: true, value: { requests: 3 } },
    llm: { ok: true, value: llm({ llmPages: 2 }) },
    catalog: { ok: true, value: catalog({ state: "ok", liveProducts: 480, productsSynced: 480, productsTotal: 480, lastGoodAt: "2026-12-01T07:00:00.000Z" }) },
    ...o,
  });
}

const step = (input: SetupInput, id: SetupStep["id"]) => setupChecklist(input).steps.find((s) => s.id === id)!;

describe("setup checklist", () => {
  it("has the issue's five steps in order, none done for a fresh shop, each with one sentence", () => {
    const list = setupChecklist(fresh());
    expect(list.steps.map((s) => s.id)).toEqual(["embed", "block", "proxy", "llm", "catalog"]);
    expect(list).toMatchObject({ doneCount: 0, total: 5, complete: false });
    for (const s of list.steps) {
      expect(s.done).toBe(false);
      // One sentence: ends with a full stop, no second sentence inside.
      expect(s.explanation).toMatch(/^[^]*[^.]\.$/);
      expect(s.explanation.slice(0, -1)).not.toMatch(/\.\s+[A-Z]/);
    }
  });

  it("is complete when all five are done", () => {
    expect(setupChecklist(finished())).toMatchObject({ doneCount: 5, total: 5, complete: true });
    expect(setupChecklist(finished()).steps.every((s) => s.action === undefined)).toBe(true);
  });

  it("offers the theme editor deep links for the embed and the block", () => {
    expect(step(fresh(), "embed").action).toEqual({
      label: "Turn on in theme editor",
      url: `https://${SHOP}/admin/themes/current/editor?context=apps&activateAppId=${KEY}/wand-signals`,
    });
    expect(step(fresh(), "block").action).toEqual({
      label: "Add block in theme editor",
      url: `https://${SHOP}/admin/themes/current/editor?template=index&addAppBlockId=${KEY}/persona-storefront&target=newAppsSection`,
    });
  });

  it("tells an embed switched off from one never turned on", () => {
    const off = step(fresh({ theme: { ok: true, themeName: "Dawn", embed: { state: "off" }, block: block({}) } }), "embed");
    expect(off).toMatchObject({ done: false, explanation: expect.stringContaining("switched off in your live theme “Dawn”") });
    expect(step(fresh(), "embed").explanation).toContain("is not on in your live theme “Dawn” yet");
    expect(step(finished(), "embed")).toMatchObject({ done: true, explanation: expect.stringContaining("is on in your live theme “Dawn”") });
  });

  it("names where the block is, and says when it is there but hidden", () => {
    expect(step(finished(), "block").explanation).toContain("(templates/index.json)");
    const hidden = step(fresh({ theme: { ok: true, themeName: "Dawn", embed: { state: "on" }, block: block({ state: "hidden", placements: [{ file: "sections/footer-group.json", section: "s", hidden: true }] }) } }), "block");
    expect(hidden).toMatchObject({ done: false, explanation: expect.stringContaining("(sections/footer-group.json) but hidden") });
    const partly = step(fresh({ theme: { ok: true, themeName: "Dawn", embed: { state: "on" }, block: block({ complete: false, filesChecked: 500 }) } }), "block");
    expect(partly.explanation).toContain("(of the first 500 templates checked)");
  });

  it("says a vintage theme's block cannot be detected and what to do instead", () => {
    const vintage: ThemeReading = { ok: true, themeName: "Debut", embed: { state: "on" }, block: block({ state: "no-json-templates", filesChecked: 0 }) };
    const open = step(fresh({ theme: vintage }), "block");
    expect(open).toMatchObject({ done: false, action: { label: "Edit navigation", url: `https://${SHOP}/admin/menus` } });
    expect(open.explanation).toContain("“Debut” uses Liquid templates, which cannot hold app blocks, so the block cannot be added or detected: link your menu to /apps/wand");
    // Shoppers served through the proxy show the page is linked some other way.
    const linked = step(fresh({ theme: vintage, proxy: { ok: true, value: { requests: 1 } } }), "block");
    expect(linked).toMatchObject({ done: true, explanation: expect.stringContaining("cannot be detected, but shoppers do reach the persona page") });
  });

  it("never ticks the theme steps when the theme could not be read, and says why", () => {
    const denied = fresh({ theme: { ok: false, reason: "access-denied", error: "Access denied for themes field" } });
    expect(step(denied, "embed")).toMatchObject({ done: false, explanation: expect.stringContaining("read_themes") });
    expect(step(denied, "block").action?.url).toContain("addAppBlockId=");
    expect(step(fresh({ theme: { ok: false, reason: "unavailable", error: "HTTP 502" } }), "embed").explanation).toBe("Not checked: WandStore could not read your live theme (HTTP 502).");
    expect(step(fresh({ theme: { ok: false, reason: "no-main-theme", error: "" } }), "block").explanation).toContain("no published theme");
  });

  it("ticks the first shopper from the proxy's count and links to the storefront page until then", () => {
    expect(step(fresh(), "proxy")).toMatchObject({ done: false, action: { url: `https://${SHOP}/apps/wand` } });
    expect(step(fresh({ storefrontUrl: "http://127.0.0.1:8787/proxy" }), "proxy").action?.url).toBe("http://127.0.0.1:8787/proxy");
    expect(step(finished(), "proxy")).toMatchObject({ done: true, explanation: "3 persona pages have been served through your store's /apps/wand proxy." });
    expect(step(fresh({ proxy: { ok: false, error: "edge timeout" } }), "proxy")).toMatchObject({ done: false, explanation: expect.stringContaining("edge timeout") });
  });

  it("gives the LLM's status: no key, breaker open, no page yet (and why), first pages", () => {
    expect(step(fresh({ llm: { ok: true, value: llm({ keyConfigured: false }) } }), "llm").explanation).toContain("No LLM key is configured");
    const open = step(fresh({ llm: { ok: true, value: llm({ breaker: "open", retryAt: "2026-12-01T08:15:00.000Z", lastFallback: "llm_timeout", llmPages: 2 }) } }), "llm");
    expect(open).toMatchObject({ done: false, explanation: expect.stringContaining("(the LLM took too long to answer), so WandStore stopped calling it until 2026-12-01 08:15 UTC") });
    const none = step(fresh({ llm: { ok: true, value: llm({ lastFallback: "llm_rate_limited" }) } }), "llm");
    expect(none).toMatchObject({ done: false, explanation: expect.stringContaining("because the LLM provider rate-limited WandStore"), action: { label: "Generate a preview", url: "/app/preview" } });
    expect(step(finished(), "llm")).toMatchObject({ done: true, explanation: expect.stringContaining("(moonshot-v1-32k) has written 2 persona pages") });
    expect(step(finished({ llm: { ok: true, value: llm({ llmPages: 1, breaker: "half-open" }) } }), "llm")).toMatchObject({ done: true, explanation: expect.stringContaining("being tried again") });
  });

  it("shows the catalog's count and progress; a running first sync is not done", () => {
    const running = step(fresh(), "catalog");
    expect(running).toMatchObject({ done: false, progress: { done: 120, total: 480, percent: 25 }, explanation: expect.stringContaining("(120 of 480 products)") });
    expect(step(finished(), "catalog")).toMatchObject({ done: true, explanation: "480 products synced from Shopify, last at 2026-12-01 07:00 UTC." });
    const failedFirst = step(fresh({ catalog: { ok: true, value: catalog({ state: "error", error: "Shopify refused the access token (HTTP 401)" }) } }), "catalog");
    expect(failedFirst).toMatchObject({ done: false, explanation: expect.stringContaining("failed (Shopify refused the access token (HTTP 401))") });
    // A failed resync keeps the last good catalog live: done, but the failure is said.
    const failedLater = step(fresh({ catalog: { ok: true, value: catalog({ state: "error", error: "timeout", liveProducts: 480, lastGoodAt: "2026-11-30T10:00:00.000Z" }) } }), "catalog");
    expect(failedLater).toMatchObject({ done: true, explanation: expect.stringContaining("but the latest sync failed (timeout)") });
    // Only a finished full sync counts: the demo shops' seeded catalog is live, but not synced.
    expect(step(fresh({ catalog: { ok: true, value: catalog({ liveProducts: 12 }) } }), "catalog")).toMatchObject({ done: false, explanation: expect.stringContaining("12 products were imported without a sync") });
    const resyncOfImported = step(fresh({ catalog: { ok: true, value: catalog({ state: "running", liveProducts: 12, productsSynced: 5 }) } }), "catalog");
    expect(resyncOfImported).toMatchObject({ done: false, progress: { done: 5, total: null, percent: null }, explanation: expect.stringContaining("(5 products so far)") });
    const resync = step(finished({ catalog: { ok: true, value: catalog({ state: "running", liveProducts: 480, lastGoodAt: "2026-11-30T10:00:00.000Z", productsSynced: 10, productsTotal: 500 }) } }), "catalog");
    expect(resync).toMatchObject({ done: true, progress: { percent: 2 }, explanation: "480 products are live and a new sync is running (10 of 500 products)." });
    expect(step(fresh({ catalog: { ok: true, value: catalog({ state: "ok", lastGoodAt: "2026-11-30T10:00:00.000Z" }) } }), "catalog")).toMatchObject({ done: false, explanation: expect.stringContaining("no active products") });
    expect(step(fresh({ catalog: { ok: true, value: catalog({}) } }), "catalog")).toMatchObject({ done: false, explanation: expect.stringContaining("No products") });
    expect(step(fresh({ catalog: { ok: false, error: "edge down" } }), "catalog")).toMatchObject({ done: false, explanation: "Not checked: the storefront edge did not answer (edge down)." });
  });
});
