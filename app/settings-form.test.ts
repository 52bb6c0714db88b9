import { describe, expect, it } from "vitest";
import { formToObject, parsePersonaSettings } from "./settings-form";
import { form } from "./test/harness";

const valid = {
  enabledPersonas: ["explorer", "loyalist"],
  defaultPersona: "loyalist",
  brandVoice: "  Calm, precise.  ",
  "colours.primary": "#1f2937",
  "colours.accent": "#B45309",
  "colours.background": "#fff",
  "colours.text": "#111827",
  scope: "shopper",
  holdoutPercent: " 25 ",
};

const parse = (fields: Record<string, string | string[]>) => parsePersonaSettings(formToObject(form(fields)));

describe("Personas form validation", () => {
  it("accepts a valid form and trims text", () => {
    expect(parse(valid)).toEqual({
      ok: true,
      value: {
        enabledPersonas: ["explorer", "loyalist"],
        defaultPersona: "loyalist",
        brandVoice: "Calm, precise.",
        colours: { primary: "#1f2937", accent: "#B45309", background: "#fff", text: "#111827" },
        scope: "shopper",
        holdoutPercent: 25,
      },
    });
  });

  it("keeps at least one persona on", () => {
    const result = parse({ ...valid, enabledPersonas: [] });
    expect(result).toMatchObject({ ok: false, errors: { enabledPersonas: "enable at least one persona" } });
  });

  it("refuses unknown and repeated personas", () => {
    expect(parse({ ...valid, enabledPersonas: ["explorer", "wizard"] })).toMatchObject({ ok: false, errors: { enabledPersonas: expect.any(String) } });
    expect(parse({ ...valid, enabledPersonas: ["explorer", "explorer", "loyalist"] })).toMatchObject({ ok: false, errors: { enabledPersonas: "each persona once" } });
  });

  it("wants the default persona among the enabled ones", () => {
    expect(parse({ ...valid, defaultPersona: "dealhunter" })).toMatchObject({
      ok: false,
      errors: { defaultPersona: "the default persona must be one of the enabled personas" },
    });
  });

  it("checks each colour and says which one is wrong", () => {
    const result = parse({ ...valid, "colours.primary": "red", "colours.text": "#12345" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(["colours.primary", "colours.text"]);
    expect(result.errors["colours.primary"]).toMatch(/hex colour/);
  });

  it("wants a whole holdout percent from 0 to 100", () => {
    for (const bad of ["-1", "101", "12.5", "ten", ""]) {
      expect(parse({ ...valid, holdoutPercent: bad })).toMatchObject({ ok: false, errors: { holdoutPercent: expect.any(String) } });
    }
    expect(parse({ ...valid, holdoutPercent: "0" }).ok).toBe(true);
    expect(parse({ ...valid, holdoutPercent: "100" }).ok).toBe(true);
  });

  it("knows only the two cache scopes and bounds the brand voice", () => {
    expect(parse({ ...valid, scope: "global" })).toMatchObject({ ok: false, errors: { scope: expect.any(String) } });
    expect(parse({ ...valid, brandVoice: "x".repeat(2001) })).toMatchObject({ ok: false, errors: { brandVoice: "at most 2000 characters" } });
  });
});

describe("language picker", () => {
  const shop = { primary: "en", published: ["en", "fr", "de"] };
  const parseWith = (languages: string[] | undefined, published: typeof shop | null = shop) => {
    const fields: Record<string, string | string[]> = { ...valid };
    if (languages !== undefined) fields.generatedLanguages = languages;
    return parsePersonaSettings(formToObject(form(fields)), published);
  };

  it("stores a choice of published languages in the shop's order", () => {
    expect(parseWith(["fr", "en"])).toMatchObject({ ok: true, value: { generatedLanguages: ["en", "fr"] } });
  });

  it("stores every published language as [] (the default), so languages published later get pages too", () => {
    expect(parseWith(["de", "fr", "en"])).toMatchObject({ ok: true, value: { generatedLanguages: [] } });
  });

  it("keeps the primary language in", () => {
    expect(parseWith(["fr", "de"])).toMatchObject({ ok: false, errors: { generatedLanguages: "the primary language (en) always gets pages" } });
  });

  it("refuses languages the shop does not publish, and malformed tags", () => {
    expect(parseWith(["en", "it"])).toMatchObject({ ok: false, errors: { generatedLanguages: "not a published language of the shop: it" } });
    expect(parseWith(["en", "<script>"])).toMatchObject({ ok: false, errors: { generatedLanguages: expect.stringMatching(/language tag/) } });
    expect(parseWith(["en", "fr", "fr"])).toMatchObject({ ok: false, errors: { generatedLanguages: "each language once" } });
  });

  it("leaves the saved choice alone when the form has no languages, and refuses to change it unchecked", () => {
    const without = parseWith(undefined);
    expect(without.ok).toBe(true);
    if (without.ok) expect("generatedLanguages" in without.value).toBe(false);
    expect(parseWith(["en", "fr"], null)).toMatchObject({ ok: false, errors: { generatedLanguages: expect.stringMatching(/could not be read/) } });
  });
});
