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
