import { describe, expect, it } from "vitest";
import { armOf, EXPOSURE_HEADER, parseExposure, shopperHash } from "../../core/experiment.ts";
import { page, seedStore, uniqueStore } from "../test/helpers.ts";
import { parseQuery, plainDirectUrl } from "./direct-route.ts";

describe("hostile or odd input on the direct route", () => {
  it("answers every bad request with a 4xx and a reason, never a 500", async () => {
    const store = uniqueStore("hostile");
    await seedStore(store);
    const cases: [string, RequestInit | undefined, number, RegExp][] = [
      ["/s/Bad_Store", undefined, 400, /store name/],
      ["/s/%ZZ", undefined, 400, /percent-encoding/],
      [`/s/${"a".repeat(120)}`, undefined, 400, /store name/],
      [`/s/${store}?shopper=${"x".repeat(65)}`, undefined, 400, /shopper/],
      [`/s/${store}?shopper=%3Cscript%3E`, undefined, 400, /shopper/],
      [`/s/${store}?shopper=a&shopper=b`, undefined, 400, /more than once/],
      [`/s/${store}?shopper=a&persona=%E0%A4%A`, undefined, 400, /percent-encoding/],
      [`/s/${store}?shopper=a&persona=wizard`, undefined, 400, /persona/],
      [`/s/${store}?shopper=a&visits=-1`, undefined, 400, /visits/],
      [`/s/${store}?shopper=a&visits=lots`, undefined, 400, /visits/],
      [`/s/${store}?shopper=a&seen=${Array.from({ length: 13 }, (_, i) => `c${i}`).join(",")}`, undefined, 400, /seen/],
      [`/s/${store}?shopper=a&utm_source=${"u".repeat(201)}`, undefined, 400, /utm_source/],
      [`/s/${store}?shopper=a&pad=${"p".repeat(3000)}`, undefined, 414, /query string/],
      [`/s/${"a/".repeat(200)}`, undefined, 414, /path/],
      [`/s/${store}/extra`, undefined, 404, /\/s\/<store>/],
      ["/elsewhere", undefined, 404, /no such route/],
      [`/s/${store}?shopper=a`, { method: "POST", body: "x" }, 405, /GET or HEAD/],
      [`/s/${store}?shopper=a`, { method: "DELETE" }, 405, /GET or HEAD/],
      ["/healthz", { method: "PUT", body: "x" }, 405, /GET or HEAD/],
    ];
    for (const [path, init, status, reason] of cases) {
      const res = await page(path, init);
      const body = (await res.json()) as { error: string; reason: string };
      expect({ path: path.slice(0, 60), status: res.status }).toEqual({ path: path.slice(0, 60), status });
      expect(body.reason).toMatch(reason);
      if (status === 405) expect(res.headers.get("Allow")).toBe("GET, HEAD");
    }
  });

  it("ignores foreign tracking parameters and a garbled cookie", async () => {
    const store = uniqueStore("lenient");
    await seedStore(store);
    const res = await page(`/s/${store}?shopper=a&gclid=xyz&fbclid=abc`, { headers: { Cookie: "=;;;wand_shopper=<bad>; wand_visits=NaN" } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<!DOCTYPE html>");
    expect(res.headers.getSetCookie().some((c) => c.startsWith("wand_shopper=a;"))).toBe(true);
  });

  it("serves a new shopper in a URL shape it has read as if it read the URL in full", async () => {
    const store = uniqueStore("shape");
    await seedStore(store, { settings: { holdoutPercent: 50 } });
    const url = (shopper: string) => `/s/${store}?persona=loyalist&visits=3&shopper=${shopper}&utm_source=mail`;
    const served = async (shopper: string, init?: RequestInit) => {
      const res = await page(url(shopper), init);
      return { res, html: await res.text(), exposure: parseExposure(res.headers.get(EXPOSURE_HEADER)) };
    };
    const a = await served("shape-a");
    expect(a.res.status).toBe(200);
    for (const id of ["shape-b", "shape-c"]) {
      const next = await served(id);
      expect(next.res.status).toBe(200);
      expect(next.res.headers.get("Wand-Persona")).toBe("loyalist");
      expect(next.res.headers.getSetCookie().filter((c) => c.startsWith("wand_shopper="))).toEqual([`wand_shopper=${id}; Path=/s/; HttpOnly; SameSite=Lax; Max-Age=31536000`]);
      expect(next.exposure).toEqual({ arm: armOf(store, id, 50), persona: "loyalist", shopper: shopperHash(store, id) });
      expect(next.html).toContain("visit number 3");
    }
    // Ids the parser refuses stay refused in a known shape; a cookie's shopper still wins.
    for (const bad of ["%3Cx%3E", "-x", "x".repeat(65), ""]) {
      const res = await page(url(bad));
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
      expect(((await res.json()) as { reason: string }).reason).toMatch(/shopper/);
    }
    // A known shape whose query a long id takes past the limit: refused as the parser refuses it.
    // "?pad=" + 2,032 + "&shopper=" + a 2-character id: 2,048 characters of query, the most allowed.
    const padded = (shopper: string) => `/s/${store}?pad=${"p".repeat(2032)}&shopper=${shopper}`;
    expect((await page(padded("s1"))).status).toBe(200);
    expect((await page(padded("s1234"))).status).toBe(414);
    const cookied = await served("shape-d", { headers: { Cookie: "wand_shopper=shape-z" } });
    expect(cookied.exposure!.shopper).toBe(shopperHash(store, "shape-z"));
  });

  it("answers HEAD with the headers and no body, and /healthz", async () => {
    const store = uniqueStore("head");
    await seedStore(store);
    const head = await page(`/s/${store}?shopper=a`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("Wand-Cache")).toBeTruthy();
    expect(await head.text()).toBe("");
    const health = await page("/healthz");
    expect(await health.text()).toBe("ok");
  });

  it("uses the merchant's enabled personas: an override of a disabled one falls back", async () => {
    const store = uniqueStore("enabled");
    await seedStore(store, { settings: { enabledPersonas: ["minimalist", "loyalist"], defaultPersona: "minimalist" } });
    const res = await page(`/s/${store}?shopper=a&persona=dealhunter`);
    await res.text();
    expect(res.headers.get("Wand-Persona")).toBe("minimalist");
    const campaign = await page(`/s/${store}?shopper=b&utm_medium=email&utm_campaign=vip-members`);
    await campaign.text();
    expect(campaign.headers.get("Wand-Persona")).toBe("loyalist");
  });

  it("reads a plain /s/ URL exactly as the URL parser would, and leaves every other URL to it", () => {
    const plain = [
      "http://edge.test/s/shop-1",
      "http://edge.test/s/shop-1/",
      "http://edge.test/s/shop-1?",
      "https://edge.test:8443/s/shop-1?shopper=m12&persona=explorer",
      "http://127.0.0.1:18210/s/bench-hit?persona=explorer&shopper=m9&seen=a%2Cb&utm_source=x+y",
    ];
    for (const raw of plain) {
      const parsed = new URL(raw);
      expect(plainDirectUrl(raw)).toEqual({ pathname: parsed.pathname, search: parsed.search, href: raw });
    }
    const unusual = [
      "http://edge.test/s/Shop",
      "http://edge.test/s/a/b",
      "http://edge.test/s/%61bc",
      "http://edge.test/s/./x",
      "http://edge.test/s/shop?q=<x>",
      "http://edge.test/s/shop?q=a b",
      'http://edge.test/s/shop?q="',
      "http://edge.test/s/shop?q='",
      "http://edge.test/s/shop#frag",
      "http://edge.test/healthz",
      "http://edge.test/proxy?shop=x",
    ];
    for (const raw of unusual) expect(plainDirectUrl(raw)).toBeNull();
  });

  it("parses encoded and plain parameters alike, with zod's reasons for bad values", () => {
    expect(parseQuery("?shopper=a.b:c&persona=explorer&utm_source=news%20letter&seen=Shoes%2C+Hats&visits=3")).toEqual({
      shopper: "a.b:c",
      persona: "explorer",
      utm_source: "news letter",
      seen: ["Shoes", "Hats"],
      visits: 3,
    });
    expect(parseQuery("?persona=%65xplorer&shopper=%61")).toEqual({ persona: "explorer", shopper: "a" });
    expect(() => parseQuery("?persona=wizard")).toThrow(/persona: persona must be one of minimalist, explorer, dealhunter, loyalist/);
    expect(() => parseQuery("?shopper=-x")).toThrow(/shopper: shopper must be 1-64 letters/);
    expect(() => parseQuery("?persona=explorer&persona=explorer")).toThrow(/persona given more than once/);
  });
});
