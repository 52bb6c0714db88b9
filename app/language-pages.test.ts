import { describe, expect, it } from "vitest";
import { languagePageLabel, summariseLanguages } from "./language-pages";

describe("pages per language", () => {
  it("counts AI pages and templates per language over the enabled personas only", () => {
    const summary = summariseLanguages([
      { persona: "minimalist", enabled: true, languages: [{ language: "en", state: "fresh", generatedAt: "2026-12-01T08:00:00Z" }, { language: "fr", state: "missing", generatedAt: null }] },
      { persona: "explorer", enabled: true, languages: [{ language: "en", state: "stale", generatedAt: "2026-11-30T08:00:00Z" }, { language: "fr", state: "fresh", generatedAt: "2026-12-01T09:00:00Z" }] },
      { persona: "dealhunter", enabled: false, languages: [{ language: "en", state: "fresh", generatedAt: "2026-12-01T08:00:00Z" }, { language: "fr", state: "fresh", generatedAt: "2026-12-01T08:00:00Z" }] },
      { persona: "loyalist", enabled: true },
    ]);
    expect(summary).toEqual([
      { language: "en", fresh: 1, stale: 1, template: 0, text: "en: 2 of 2 AI pages (1 older, regenerating)" },
      { language: "fr", fresh: 1, stale: 0, template: 1, text: "fr: 1 of 2 AI pages; 1 template" },
    ]);
  });

  it("never labels a template as a generated page", () => {
    expect(languagePageLabel({ language: "fr", state: "missing", generatedAt: null })).toEqual({ tone: "critical", label: "fr: template" });
    expect(languagePageLabel({ language: "fr", state: "stale", generatedAt: "2026-12-01T08:00:00Z" })).toEqual({ tone: "warning", label: "fr: older AI page" });
    expect(languagePageLabel({ language: "de", state: "fresh", generatedAt: "2026-12-01T08:00:00Z" })).toEqual({ tone: "success", label: "de: AI page" });
  });

  it("claims nothing when the edge reports no languages", () => {
    expect(summariseLanguages([{ persona: "explorer", enabled: true }])).toEqual([]);
  });
});
