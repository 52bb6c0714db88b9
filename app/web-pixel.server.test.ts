import { setUpValidSession } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismaFor } from "./db.server";
import type { AppBindings } from "./env.server";
import { onInstalled } from "./install.server";
import { createTestD1, type TestD1 } from "./test/d1";
import { FakeAdminApi } from "./test/fake-admin-api";
import { createHarness } from "./test/harness";
import { RETRY_AFTER_MS, ensureWebPixel } from "./web-pixel.server";

// Activating the web pixel after install, against Shopify's Admin API as a loopback server that
// keeps the app's one pixel record per shop (app/test/fake-admin-api.ts).
let d1: TestD1;
const apis: FakeAdminApi[] = [];

beforeAll(async () => {
  d1 = await createTestD1();
});
afterAll(async () => {
  await Promise.all(apis.map((a) => a.stop()));
  await d1?.dispose();
});

const EDGE = "https://wandstore-edge.example.workers.dev";

async function setup(o: { edgeUrl?: string | null } = {}) {
  const api = await new FakeAdminApi({ shopName: "Pixel Shop" }).start();
  apis.push(api);
  const vars: Partial<AppBindings> & { EDGE_PUBLIC_URL?: string } = { SHOPIFY_ADMIN_API_ORIGIN: api.origin };
  if (o.edgeUrl !== null) vars.EDGE_PUBLIC_URL = o.edgeUrl ?? EDGE;
  const h = createHarness(d1, vars);
  return { api, h, pixelCalls: () => api.requests.map((r) => r.operation).filter((op) => op?.startsWith("WandWebPixel")) };
}

const session = (shop: string) => setUpValidSession({ shop, expires: undefined });
const stateOf = (shop: string) => prismaFor(d1.db).webPixelActivation.findUnique({ where: { shop } });

describe("web pixel activation after install", () => {
  it("creates the pixel with the settings the extension declares: the store id and the edge's /pixel URL", async () => {
    const { api, h, pixelCalls } = await setup();
    await onInstalled(h.env, session("pixel-new.myshopify.com"), "2026-10");
    expect(pixelCalls()).toEqual(["WandWebPixelCreate"]);
    const create = api.requests.find((r) => r.operation === "WandWebPixelCreate")!;
    expect(create.path).toBe("/admin/api/2026-10/graphql.json");
    expect(JSON.parse((create.variables.webPixel as { settings: string }).settings)).toEqual({ store: "pixel-new", endpoint: `${EDGE}/pixel` });
    expect(JSON.parse(api.webPixel!.settings)).toEqual({ store: "pixel-new", endpoint: `${EDGE}/pixel` });
    expect(await stateOf("pixel-new.myshopify.com")).toMatchObject({ state: "active", pixelId: "gid://shopify/WebPixel/1", error: null });
    // Installed and active: opening the app asks Shopify nothing more.
    expect(await ensureWebPixel(h.env, session("pixel-new.myshopify.com"), "pixel-new", "2026-10")).toBeNull();
    expect(pixelCalls()).toEqual(["WandWebPixelCreate"]);
  });

  it("is idempotent: a reinstall finds the pixel (TAKEN) and leaves it; changed settings are updated", async () => {
    const { api, h, pixelCalls } = await setup();
    await onInstalled(h.env, session("pixel-again.myshopify.com"), "2026-10");
    await onInstalled(h.env, session("pixel-again.myshopify.com"), "2026-10");
    expect(pixelCalls()).toEqual(["WandWebPixelCreate", "WandWebPixelCreate", "WandWebPixel"]);
    expect(await stateOf("pixel-again.myshopify.com")).toMatchObject({ state: "active", pixelId: "gid://shopify/WebPixel/1" });

    // The edge moved: the next open sees settings that differ from the recorded ones and updates the pixel.
    const moved = createHarness(d1, { SHOPIFY_ADMIN_API_ORIGIN: api.origin, ...{ EDGE_PUBLIC_URL: "https://edge.example.com" } });
    expect(await ensureWebPixel(moved.env, session("pixel-again.myshopify.com"), "pixel-again", "2026-10")).toEqual({ state: "updated", pixelId: "gid://shopify/WebPixel/1" });
    expect(JSON.parse(api.webPixel!.settings)).toEqual({ store: "pixel-again", endpoint: "https://edge.example.com/pixel" });
    expect(pixelCalls().slice(3)).toEqual(["WandWebPixelCreate", "WandWebPixel", "WandWebPixelUpdate"]);
  });

  it("a failure never blocks the install; it is recorded and retried on the next open (not before RETRY_AFTER_MS)", async () => {
    const { api, h, pixelCalls } = await setup();
    api.webPixelFailures = { count: 1, kind: "user-error" };
    const shop = "pixel-flaky.myshopify.com";
    await expect(onInstalled(h.env, session(shop), "2026-10")).resolves.toBeUndefined();
    expect(await prismaFor(d1.db).shopSettings.count({ where: { store: "pixel-flaky", installed: true } })).toBe(1);
    expect(h.edge.callsOf("startCatalogSync")).toEqual([["pixel-flaky", shop, "install"]]);
    const failed = await stateOf(shop);
    expect(failed).toMatchObject({ state: "failed", pixelId: null, error: expect.stringContaining("UNEXPECTED_ERROR") });
    expect(api.webPixel).toBeNull();

    // An open right after: too soon, nothing asked.
    const attemptedAt = failed!.attemptedAt.getTime();
    expect(await ensureWebPixel(h.env, session(shop), "pixel-flaky", "2026-10", attemptedAt + 1000)).toBeNull();
    expect(pixelCalls()).toEqual(["WandWebPixelCreate"]);
    // An open later: tried again, now created.
    expect(await ensureWebPixel(h.env, session(shop), "pixel-flaky", "2026-10", attemptedAt + RETRY_AFTER_MS + 1)).toEqual({ state: "created", pixelId: "gid://shopify/WebPixel/1" });
    expect(await stateOf(shop)).toMatchObject({ state: "active", error: null });
  });

  it("an Admin API that answers 500 is a recorded failure too, and so is a missing EDGE_PUBLIC_URL (no call made)", async () => {
    const down = await setup();
    down.api.webPixelFailures = { count: 2, kind: "http" };
    await expect(onInstalled(down.h.env, session("pixel-down.myshopify.com"), "2026-10")).resolves.toBeUndefined();
    expect(await stateOf("pixel-down.myshopify.com")).toMatchObject({ state: "failed", error: expect.stringContaining("HTTP 500") });

    const unset = await setup({ edgeUrl: null });
    await onInstalled(unset.h.env, session("pixel-unset.myshopify.com"), "2026-10");
    expect(unset.pixelCalls()).toEqual([]);
    expect(await stateOf("pixel-unset.myshopify.com")).toMatchObject({ state: "failed", error: expect.stringContaining("EDGE_PUBLIC_URL") });
  });
});
