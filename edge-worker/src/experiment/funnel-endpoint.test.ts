import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { exposureDay, shopperHash } from "../../../core/experiment.ts";
import { page, seedStore, uniqueStore } from "../../test/helpers.ts";
import { MAX_BODY_BYTES, SHOPPER_EVENTS_PER_MINUTE, WindowLimiter, handlePixel } from "./funnel-endpoint.ts";

const today = () => exposureDay(Date.now());

function post(body: unknown, init: RequestInit = {}): Request {
  return new Request("http://edge.test/pixel", {
    method: "POST",
    // What the pixel sends: text/plain keeps fetch keepalive a simple request (no preflight).
    headers: { "Content-Type": "text/plain;charset=UTF-8", Origin: "https://extensions.shopifycdn.com" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });
}

/** Calls the handler as the router would and waits for its background write. */
async function send(request: Request, now?: number): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await handlePixel(request, env, ctx, now).catch(async (error: unknown) => {
    const { errorResponse } = await import("../http-error.ts");
    return errorResponse(error, request.method);
  });
  await waitOnExecutionContext(ctx);
  return res;
}

describe("POST /pixel", () => {
  it("answers 204 with CORS, and stores the events of a shopper the edge served", async () => {
    const store = uniqueStore("pixel");
    await seedStore(store, { settings: { holdoutPercent: 50 } });
    await env.EXPOSURES.getByName(store).record(today(), shopperHash(store, "s1"), "holdout", "explorer");

    const res = await send(post({ store, shopper: shopperHash(store, "s1"), events: ["product_viewed", "product_added_to_cart"] }));
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(await env.EXPOSURES.getByName(store).funnel(today(), today())).toEqual([
      { day: today(), arm: "holdout", persona: "explorer", event: "product_added_to_cart", shoppers: 1 },
      { day: today(), arm: "holdout", persona: "explorer", event: "product_viewed", shoppers: 1 },
    ]);
  });

  it("is routed by the worker and answers a CORS preflight", async () => {
    const pre = await page("/pixel", { method: "OPTIONS" });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("Access-Control-Allow-Methods")).toBe("POST");
    const wrong = await page("/pixel", { method: "GET" });
    expect(wrong.status).toBe(405);
    await wrong.text();
    const bad = await page("/pixel", { method: "POST", body: "{}" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "bad_request" });
  });

  it("refuses bad bodies with the reason", async () => {
    const store = uniqueStore("pixel-bad");
    const shopper = shopperHash(store, "s");
    const reason = async (body: unknown) => {
      const res = await send(post(body));
      return { status: res.status, ...((await res.json()) as { reason: string }) };
    };
    expect(await reason("not json")).toMatchObject({ status: 400, reason: "the body must be JSON" });
    expect(await reason({ store, shopper: "customer-1", events: ["product_viewed"] })).toMatchObject({ status: 400, reason: expect.stringMatching(/^shopper:/) });
    expect(await reason({ store: "Bad Store!", shopper, events: ["product_viewed"] })).toMatchObject({ status: 400, reason: expect.stringMatching(/^store:/) });
    expect(await reason({ store, shopper, events: ["page_viewed"] })).toMatchObject({ status: 400, reason: expect.stringMatching(/^events\.0:/) });
    expect(await reason({ store, shopper, events: [] })).toMatchObject({ status: 400 });
    expect(await reason({ store, shopper, events: Array(11).fill("product_viewed") })).toMatchObject({ status: 400, reason: expect.stringMatching(/at most 10 events/) });
    expect(await reason({ store, shopper, events: ["product_viewed"], email: "a@b.c" })).toMatchObject({ status: 400 });
  });

  it("bounds the body: 413 past the limit, whatever Content-Length says", async () => {
    const store = uniqueStore("pixel-big");
    const big = JSON.stringify({ store, shopper: shopperHash(store, "s"), events: ["product_viewed"], pad: "x".repeat(MAX_BODY_BYTES) });
    expect((await send(post(big))).status).toBe(413);
    // A streamed body has no Content-Length: the reader stops at the limit.
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const res = await send(new Request("http://edge.test/pixel", { method: "POST", body: stream, duplex: "half" } as RequestInit));
    expect(res.status).toBe(413);
  });

  it("drops events of shoppers never served and of stores not installed, still answering 204", async () => {
    const store = uniqueStore("pixel-unknown");
    await seedStore(store);
    expect((await send(post({ store, shopper: shopperHash(store, "stranger"), events: ["checkout_completed"] }))).status).toBe(204);
    expect(await env.EXPOSURES.getByName(store).funnel(today(), today())).toEqual([]);

    const ghost = uniqueStore("pixel-ghost");
    await env.EXPOSURES.getByName(ghost).record(today(), shopperHash(ghost, "s"), "wand", "explorer");
    expect((await send(post({ store: ghost, shopper: shopperHash(ghost, "s"), events: ["checkout_completed"] }))).status).toBe(204);
    expect(await env.EXPOSURES.getByName(ghost).funnel(today(), today())).toEqual([]);
  });

  it("rate-limits one shopper per isolate with 429 and Retry-After", async () => {
    const store = uniqueStore("pixel-rate");
    await seedStore(store);
    const shopper = shopperHash(store, "busy");
    const now = Date.UTC(2026, 11, 1, 12, 0, 0);
    const batch = { store, shopper, events: Array(10).fill("product_viewed") };
    for (let i = 0; i < SHOPPER_EVENTS_PER_MINUTE / 10; i++) expect((await send(post(batch), now + i)).status).toBe(204);
    const refused = await send(post(batch), now + 100);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBe(60);
    // Another shopper of the store is not affected; the same shopper is served again a minute later.
    expect((await send(post({ ...batch, shopper: shopperHash(store, "calm") }), now + 100)).status).toBe(204);
    expect((await send(post(batch), now + 60_000)).status).toBe(204);
  });
});

describe("WindowLimiter", () => {
  it("counts per key and window and forgets the oldest key past its bound", () => {
    const l = new WindowLimiter(3, 1000, 2);
    expect(l.take("a", 2, 0)).toBe(true);
    expect(l.take("a", 2, 10)).toBe(false);
    expect(l.take("a", 1, 10)).toBe(true);
    expect(l.take("a", 1, 1000)).toBe(true);
    l.take("b", 3, 1000);
    l.take("c", 3, 1000); // evicts a (the oldest)
    expect(l.take("a", 3, 1001)).toBe(true);
    expect(l.take("c", 1, 1001)).toBe(false);
  });
});
