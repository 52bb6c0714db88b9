import { API_KEY } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSettingsRow } from "../../core/settings.ts";
import { prismaFor } from "../db.server";
import { createTestD1, type TestD1 } from "../test/d1";
import { createHarness, embeddedDocument, embeddedFetch, form, type Harness, installShop, thrownResponse } from "../test/harness";
import { getJwt } from "@shopify/shopify-api/test-helpers";
import { action, loader } from "./app.personas";

let d1: TestD1;
let h: Harness;

const validForm = {
  enabledPersonas: ["minimalist", "dealhunter"],
  defaultPersona: "dealhunter",
  brandVoice: "Warm and brief.",
  "colours.primary": "#112233",
  "colours.accent": "#abc",
  "colours.background": "#ffffff",
  "colours.text": "#000000",
  scope: "persona",
  holdoutPercent: "10",
};

const settingsOf = async (store: string) => parseSettingsRow(await prismaFor(h.env.DB).shopSettings.findUniqueOrThrow({ where: { store } }));

beforeAll(async () => {
  d1 = await createTestD1();
  h = createHarness(d1);
  await installShop(h, "shop-a");
  await installShop(h, "shop-b");
});
afterAll(async () => {
  await d1?.dispose();
});

describe("Personas page", () => {
  it("loads the authenticated shop's settings for a document load inside the admin", async () => {
    const data = await loader({ request: await embeddedDocument("shop-a", "/app/personas"), context: h.context, params: {} });
    expect(data.settings.store).toBe("shop-a");
    expect(data.settings.enabledPersonas).toEqual(["minimalist", "explorer", "dealhunter", "loyalist"]);
  });

  it("saves valid settings, bumps the settings version and refreshes the edge snapshot", async () => {
    const before = await settingsOf("shop-a");
    const request = await embeddedFetch("shop-a", "/app/personas", { method: "POST", body: form(validForm) });
    const result = await action({ request, context: h.context, params: {} });
    expect(result).toEqual({ ok: true, settingsVersion: before.settingsVersion + 1, refreshError: null });
    const after = await settingsOf("shop-a");
    expect(after).toMatchObject({
      enabledPersonas: ["minimalist", "dealhunter"],
      defaultPersona: "dealhunter",
      brandVoice: "Warm and brief.",
      colours: { primary: "#112233", accent: "#abc", background: "#ffffff", text: "#000000" },
      scope: "persona",
      holdoutPercent: 10,
      settingsVersion: before.settingsVersion + 1,
    });
    expect(h.edge.callsOf("refreshSnapshot")).toContainEqual(["shop-a"]);
    // What the edge now serves is what was saved.
    expect(h.edge.snapshots.get("shop-a")).toEqual(after);
  });

  it("answers field errors and changes nothing when the input is invalid", async () => {
    const before = await settingsOf("shop-a");
    const bad = { ...validForm, enabledPersonas: [], defaultPersona: "explorer", "colours.accent": "orange", holdoutPercent: "150" };
    const request = await embeddedFetch("shop-a", "/app/personas", { method: "POST", body: form(bad) });
    const result = await action({ request, context: h.context, params: {} });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(["colours.accent", "defaultPersona", "enabledPersonas", "holdoutPercent"]);
    expect(await settingsOf("shop-a")).toEqual(before);
  });

  it("keeps the saved settings but says so when the edge does not take the new snapshot", async () => {
    h.edge.failing = "edge is down";
    try {
      const request = await embeddedFetch("shop-a", "/app/personas", { method: "POST", body: form({ ...validForm, brandVoice: "Still saved." }) });
      const result = await action({ request, context: h.context, params: {} });
      expect(result).toMatchObject({ ok: true, refreshError: "edge is down" });
      expect((await settingsOf("shop-a")).brandVoice).toBe("Still saved.");
    } finally {
      h.edge.failing = null;
    }
  });
});

describe("one shop's session and another shop's settings", () => {
  it("cannot read them: the shop comes from the session token, not from the URL", async () => {
    const request = await embeddedFetch("shop-a", "/app/personas?shop=shop-b.myshopify.com&store=shop-b");
    const data = await loader({ request, context: h.context, params: {} });
    expect(data.settings.store).toBe("shop-a");
    expect(data.settings.shopDomain).toBe("shop-a.myshopify.com");
  });

  it("cannot change them, whatever the form or the URL names", async () => {
    const b = await settingsOf("shop-b");
    const request = await embeddedFetch("shop-a", "/app/personas?shop=shop-b.myshopify.com", {
      method: "POST",
      body: form({ ...validForm, store: "shop-b", shop: "shop-b.myshopify.com", brandVoice: "Written by shop A" }),
    });
    const result = await action({ request, context: h.context, params: {} });
    expect(result.ok).toBe(true);
    expect(await settingsOf("shop-b")).toEqual(b);
    expect((await settingsOf("shop-a")).brandVoice).toBe("Written by shop A");
  });

  it("cannot forge a session token for another shop (signed with another secret → 401)", async () => {
    const { token } = await getJwt("shop-b", API_KEY, "not-the-app-secret");
    const request = new Request("https://my-test-app.myshopify.io/app/personas", {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
      body: form({ ...validForm, brandVoice: "forged" }),
    });
    const response = await thrownResponse(() => action({ request, context: h.context, params: {} }));
    expect(response.status).toBe(401);
    expect((await settingsOf("shop-b")).brandVoice).not.toBe("forged");
  });
});

describe("languages with generated pages", () => {
  const TWO_MARKETS = {
    primary: { country: "US", language: "en", currency: "USD" },
    markets: [
      { handle: "us", countries: ["US"], currency: "USD", languages: ["en"] },
      { handle: "france", countries: ["FR"], currency: "EUR", languages: ["fr"] },
    ],
    languages: ["en", "fr", "de"],
  };
  const save = async (store: string, languages?: string[]) => {
    const fields: Record<string, string | string[]> = { ...validForm };
    if (languages) fields.generatedLanguages = languages;
    const request = await embeddedFetch(store, "/app/personas", { method: "POST", body: form(fields) });
    return action({ request, context: h.context, params: {} });
  };

  beforeAll(async () => {
    await installShop(h, "shop-lang");
    h.edge.markets.set("shop-lang", TWO_MARKETS);
  });

  it("offers the shop's published languages, all ticked by default, the primary first", async () => {
    const data = await loader({ request: await embeddedDocument("shop-lang", "/app/personas"), context: h.context, params: {} });
    expect(data.languages).toEqual({
      primary: "en",
      generated: ["en", "fr", "de"],
      choices: [
        { value: "en", label: "English (en)", primary: true },
        { value: "fr", label: "French (fr)", primary: false },
        { value: "de", label: "German (de)", primary: false },
      ],
    });
    expect(data.languagesError).toBeNull();
  });

  it("saves a choice, the edge serves it, and the picker shows it", async () => {
    const result = await save("shop-lang", ["en", "fr"]);
    expect(result).toMatchObject({ ok: true, refreshError: null });
    expect((await settingsOf("shop-lang")).generatedLanguages).toEqual(["en", "fr"]);
    expect(h.edge.snapshots.get("shop-lang")?.generatedLanguages).toEqual(["en", "fr"]);
    const data = await loader({ request: await embeddedDocument("shop-lang", "/app/personas"), context: h.context, params: {} });
    expect(data.languages?.generated).toEqual(["en", "fr"]);
  });

  it("stores every language ticked as the default (all published)", async () => {
    expect(await save("shop-lang", ["de", "fr", "en"])).toMatchObject({ ok: true });
    expect((await settingsOf("shop-lang")).generatedLanguages).toEqual([]);
  });

  it("refuses an unpublished language or leaving out the primary, and changes nothing", async () => {
    await save("shop-lang", ["en", "de"]);
    const before = await settingsOf("shop-lang");
    expect(await save("shop-lang", ["en", "it"])).toEqual({ ok: false, errors: { generatedLanguages: "not a published language of the shop: it" } });
    expect(await save("shop-lang", ["fr"])).toEqual({ ok: false, errors: { generatedLanguages: "the primary language (en) always gets pages" } });
    expect(await settingsOf("shop-lang")).toEqual(before);
  });

  it("a form without the picker (languages not readable) keeps the saved choice", async () => {
    await save("shop-lang", ["en", "de"]);
    expect(await save("shop-lang")).toMatchObject({ ok: true });
    expect((await settingsOf("shop-lang")).generatedLanguages).toEqual(["en", "de"]);
  });

  it("says so instead of the picker when the edge cannot give the shop's languages", async () => {
    h.edge.failing = "edge is down";
    try {
      const data = await loader({ request: await embeddedDocument("shop-lang", "/app/personas"), context: h.context, params: {} });
      expect(data.languages).toBeNull();
      expect(data.languagesError).toBe("edge is down");
    } finally {
      h.edge.failing = null;
    }
  });
});
