import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestD1, type TestD1 } from "../test/d1";
import { createHarness, embeddedDocument, embeddedFetch, form, type Harness, installShop, thrownResponse } from "../test/harness";
import { loader as cacheStateLoader } from "./app.cache-state";
import { action, loader } from "./app.preview";

let d1: TestD1;
let h: Harness;

beforeAll(async () => {
  d1 = await createTestD1();
  h = createHarness(d1);
  await installShop(h, "preview-shop");
});
afterAll(async () => {
  await d1?.dispose();
});

describe("Preview", () => {
  it("renders the default persona's page and explains the detection for the sample shopper", async () => {
    const data = await loader({ request: await embeddedDocument("preview-shop", "/app/preview?utm_source=newsletter&visits=4&categories=Hats,%20Shirts&orders=3&spent=250&tags=vip"), context: h.context, params: {} });
    expect(data.persona).toBe("explorer");
    expect(data.preview?.html).toContain('data-wand-persona="explorer"');
    expect(data.preview?.decision).toMatchObject({ persona: "loyalist", reasons: ["utm_source=newsletter"] });
    expect(h.edge.callsOf("preview").at(-1)).toEqual([
      "preview-shop",
      "explorer",
      {
        utm: { source: "newsletter", medium: null, campaign: null },
        referrer: null,
        visitCount: 4,
        categoriesSeen: ["Hats", "Shirts"],
        customer: { ordersCount: 3, totalSpent: 250, tags: ["vip"] },
      },
    ]);
  });

  it("shows the persona asked for", async () => {
    const data = await loader({ request: await embeddedDocument("preview-shop", "/app/preview?persona=dealhunter"), context: h.context, params: {} });
    expect(data.persona).toBe("dealhunter");
    expect(data.preview?.html).toContain('data-wand-persona="dealhunter"');
  });

  it("points at the wrong sample-shopper fields instead of asking the edge", async () => {
    const calls = h.edge.callsOf("preview").length;
    const data = await loader({ request: await embeddedDocument("preview-shop", "/app/preview?visits=many&spent=-5"), context: h.context, params: {} });
    expect(Object.keys(data.signalErrors).sort()).toEqual(["spent", "visits"]);
    expect(data.preview).toBeNull();
    expect(h.edge.callsOf("preview").length).toBe(calls);
  });

  it("answers 400 to an unknown persona, without echoing it (error pages must not carry request markup)", async () => {
    const hostile = encodeURIComponent('<img src=x onerror="alert(1)">');
    const response = await thrownResponse(async () => loader({ request: await embeddedDocument("preview-shop", `/app/preview?persona=${hostile}`), context: h.context, params: {} }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { wandError: string };
    expect(body.wandError).toBe("Unknown persona: choose one of minimalist, explorer, dealhunter, loyalist.");
  });

  it("regenerates through the edge and the cache state shows the progress", async () => {
    const request = await embeddedFetch("preview-shop", "/app/preview", { method: "POST", body: form({ intent: "regenerate", persona: "minimalist" }) });
    const result = await action({ request, context: h.context, params: {} });
    expect(result).toEqual({ ok: true, result: { key: "ui/preview-shop/minimalist/v1", status: "queued" } });
    expect(h.edge.callsOf("regenerate")).toEqual([["preview-shop", "minimalist"]]);
    const poll = async () => (await cacheStateLoader({ request: await embeddedFetch("preview-shop", "/app/cache-state"), context: h.context, params: {} })).states?.find((s) => s.persona === "minimalist");
    expect(await poll()).toMatchObject({ queued: true });
    expect(await poll()).toMatchObject({ queued: false, state: "fresh", source: "llm" });
  });

  it("refuses to regenerate an unknown persona", async () => {
    const request = await embeddedFetch("preview-shop", "/app/preview", { method: "POST", body: form({ intent: "regenerate", persona: "../../other-shop" }) });
    expect((await thrownResponse(() => action({ request, context: h.context, params: {} }))).status).toBe(400);
  });
});
