import { describe, expect, it } from "vitest";
import { DEFAULT_COLOURS, InvalidSettingsError, defaultSettings, generatedLanguagesToColumn, parseSettings, parseSettingsRow, settingsToRow } from "./settings.ts";

/** A row as D1 returns it for a shop inserted with only the required columns (0001_init.sql defaults). */
const d1Row = {
  store: "demo-home",
  shopDomain: "demo-home.myshopify.com",
  shopName: "Demo Home & Garden",
  installed: 1,
  enabledPersonas: '["minimalist","explorer","dealhunter","loyalist"]',
  defaultPersona: "explorer",
  brandVoice: "",
  colours: '{"primary":"#1f2937","accent":"#b45309","background":"#ffffff","text":"#111827"}',
  scope: "persona",
  holdoutPercent: 0,
  settingsVersion: 1,
  updatedAt: "2026-11-25 22:00:00",
};

describe("parseSettingsRow", () => {
  it("reads a D1 row with the column defaults as the default settings", () => {
    expect(parseSettingsRow(d1Row)).toEqual(defaultSettings({ store: "demo-home", shopName: "Demo Home & Garden", shopDomain: "demo-home.myshopify.com" }));
  });

  it("accepts JSON columns already parsed and integers as bigint (Prisma)", () => {
    const s = parseSettingsRow({ ...d1Row, enabledPersonas: ["loyalist"], colours: { ...DEFAULT_COLOURS }, settingsVersion: 7n, holdoutPercent: 10n });
    expect(s).toMatchObject({ enabledPersonas: ["loyalist"], settingsVersion: 7, holdoutPercent: 10 });
  });

  it("does not carry non-setting columns", () => {
    expect(parseSettingsRow(d1Row)).not.toHaveProperty("installed");
    expect(parseSettingsRow(d1Row)).not.toHaveProperty("updatedAt");
  });

  it.each([
    ["enabledPersonas", "not json", /enabledPersonas: not valid JSON/],
    ["enabledPersonas", '["minimalist","shopaholic"]', /enabledPersonas\.1/],
    ["enabledPersonas", "[]", /enable at least one persona/],
    ["enabledPersonas", '["explorer","explorer"]', /each persona once/],
    ["defaultPersona", "wizard", /defaultPersona/],
    ["colours", '{"primary":"red","accent":"#b45309","background":"#fff","text":"#000"}', /colours\.primary: a hex colour/],
    ["colours", '{"primary":"#000"}', /colours\.accent/],
    ["scope", "everyone", /scope/],
    ["holdoutPercent", 101, /holdoutPercent/],
    ["holdoutPercent", 2.5, /holdoutPercent/],
    ["settingsVersion", 0, /settingsVersion/],
    ["store", "Bad/Store", /store: a store id/],
    ["shopDomain", "not a domain", /shopDomain/],
    ["generatedLanguages", '["fr","FR"]', /generatedLanguages\.1: a language tag/],
    ["generatedLanguages", '["fr","fr"]', /each language once/],
    ["generatedLanguages", '"fr"', /generatedLanguages/],
  ] as [string, unknown, RegExp][])("refuses %s = %j with the field in the message", (field, value, message) => {
    let error: unknown;
    try {
      parseSettingsRow({ ...d1Row, [field]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidSettingsError);
    expect((error as InvalidSettingsError).message).toMatch(message);
    expect((error as InvalidSettingsError).issues[0]!.path).toMatch(new RegExp(`^${field}`));
  });
});

describe("settingsToRow", () => {
  it("round-trips through parseSettingsRow", () => {
    const s = { ...defaultSettings({ store: "s", shopName: "S", shopDomain: "s.myshopify.com" }), enabledPersonas: ["dealhunter" as const], brandVoice: "Warm {{ and }} witty", settingsVersion: 3 };
    const row = settingsToRow(s);
    expect(typeof row.enabledPersonas).toBe("string");
    expect(typeof row.colours).toBe("string");
    expect(parseSettingsRow(row)).toEqual(s);
  });
});

describe("parseSettings", () => {
  it("validates settings from other sources, e.g. a KV snapshot", () => {
    const s = defaultSettings({ store: "s", shopName: "S", shopDomain: "s.myshopify.com" });
    expect(parseSettings(JSON.parse(JSON.stringify(s)))).toEqual(s);
    expect(() => parseSettings({ ...s, colours: "#fff" })).toThrow(InvalidSettingsError);
  });
});

describe("generatedLanguages", () => {
  const s = defaultSettings({ store: "s", shopName: "S", shopDomain: "s.myshopify.com" });

  it("defaults to [] (every published language) for a new shop, an old row and an old snapshot", () => {
    expect(s.generatedLanguages).toEqual([]);
    // d1Row has no generatedLanguages column (databases before migration 0004).
    expect(parseSettingsRow(d1Row).generatedLanguages).toEqual([]);
    const { generatedLanguages: _dropped, ...oldSnapshot } = s;
    expect(parseSettings(JSON.parse(JSON.stringify(oldSnapshot)))).toEqual(s);
  });

  it("reads the merchant's choice from the JSON column and from a snapshot", () => {
    expect(parseSettingsRow({ ...d1Row, generatedLanguages: '["en","fr","pt-BR"]' }).generatedLanguages).toEqual(["en", "fr", "pt-BR"]);
    expect(parseSettingsRow({ ...d1Row, generatedLanguages: generatedLanguagesToColumn({ generatedLanguages: ["de"] }) }).generatedLanguages).toEqual(["de"]);
    expect(parseSettings({ ...s, generatedLanguages: ["es"] }).generatedLanguages).toEqual(["es"]);
    expect(() => parseSettings({ ...s, generatedLanguages: ["español"] })).toThrow(/generatedLanguages/);
  });

  it("settingsToRow leaves the column to migration 0004: a row for today's D1 schema", () => {
    expect(settingsToRow({ ...s, generatedLanguages: ["fr"] })).not.toHaveProperty("generatedLanguages");
  });
});
