import { describe, expect, it } from "vitest";
import { en } from "./en.ts";
import { LOCALES, UI_LANGUAGES, localizeGroups, message, messagesFor, placeholdersOf } from "./index.ts";
import type { SelectionGroup } from "../types.ts";

const KEYS = Object.keys(en).sort();

describe("locales", () => {
  it("ships at least en, fr, de and es", () => {
    expect(UI_LANGUAGES).toEqual(expect.arrayContaining(["en", "fr", "de", "es"]));
  });

  it.each(UI_LANGUAGES)("%s has every key of the English reference, and no other", (language) => {
    expect(Object.keys(LOCALES[language]).sort()).toEqual(KEYS);
  });

  it.each(UI_LANGUAGES)("%s: every string is non-empty, uses the same placeholders as English and holds no markup or Liquid", (language) => {
    for (const key of KEYS as (keyof typeof en)[]) {
      const text = LOCALES[language][key];
      expect(text.trim(), `${language}.${key}`).not.toBe("");
      expect(placeholdersOf(text), `${language}.${key}`).toEqual(placeholdersOf(en[key]));
      expect(text, `${language}.${key}`).not.toMatch(/[<>]|\{\{|\{%|%\}|\}\}/);
    }
  });

  it.each(UI_LANGUAGES.filter((l) => l !== "en"))("%s is translated, not a copy of English", (language) => {
    const same = KEYS.filter((k) => LOCALES[language][k as keyof typeof en] === en[k as keyof typeof en]);
    // Short words may coincide across languages ("Explorez la collection" ≠, but a brand word could): at most a few.
    expect(same.length, same.join(", ")).toBeLessThanOrEqual(2);
  });
});

describe("messagesFor", () => {
  it.each([
    ["fr", "fr"],
    ["fr-CA", "fr"],
    ["DE", "de"],
    ["es-419", "es"],
    ["en-GB", "en"],
    ["it", "en"],
    ["pt-BR", "en"],
    ["", "en"],
    [undefined, "en"],
    ["constructor", "en"],
  ])("%j → %s", (tag, expected) => {
    const m = messagesFor(tag);
    expect(m.language).toBe(expected);
    expect(m.messages).toBe(LOCALES[expected as keyof typeof LOCALES]);
  });
});

describe("message", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(message(LOCALES.fr, "visitShop", { shop: "Maison & Co" })).toBe("Visiter Maison & Co");
    expect(message(LOCALES.de, "save", { amount: "5,00 €", percent: "10 %" })).toBe("5,00 € sparen (10 %)");
    expect(message(LOCALES.en, "visitShop")).toBe("Visit {shop}");
  });
});

describe("localizeGroups", () => {
  const groups: SelectionGroup[] = [
    { id: "deals", title: "Biggest savings first", handles: ["a"] },
    { id: "low", title: "More great prices", handles: ["b"] },
    { id: "new", title: "New arrivals", handles: ["c"], badge: "New" },
    { id: "cat-shirts", title: "Shirts", handles: ["d"] },
    { id: "constructor", title: "Odd", handles: ["e"], badge: "Limited" },
  ];

  it("translates the fixed groups' titles and badges, keeps category names, merchant badges and handles", () => {
    const fr = localizeGroups(groups, LOCALES.fr);
    expect(fr.map((g) => g.title)).toEqual(["Les plus grosses économies d’abord", "D’autres prix intéressants", "Nouveautés", "Shirts", "Odd"]);
    expect(fr.map((g) => g.badge)).toEqual([undefined, undefined, "Nouveau", undefined, "Limited"]);
    expect(fr.map((g) => g.handles)).toEqual(groups.map((g) => g.handles));
  });

  it("titles the low-price group by whether there are deals, as the selection did", () => {
    expect(localizeGroups([{ id: "low", title: "Lowest prices first", handles: ["b"] }], LOCALES.es)[0]!.title).toBe("Primero los precios más bajos");
  });

  it("keeps a title or badge the selection did not write", () => {
    const own = [{ id: "picks", title: "Picked for you", handles: ["a"], badge: "Staff pick" }];
    expect(localizeGroups(own, LOCALES.fr)).toEqual(own);
  });

  it("is idempotent and reversible: French groups localized to German are German", () => {
    const twice = localizeGroups(localizeGroups(groups, LOCALES.fr), LOCALES.fr);
    expect(twice).toEqual(localizeGroups(groups, LOCALES.fr));
    expect(localizeGroups(twice, LOCALES.de)).toEqual(localizeGroups(groups, LOCALES.de));
    expect(localizeGroups(groups, LOCALES.en)).toEqual(groups);
  });
});
