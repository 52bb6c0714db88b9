/**
 * Pages per language for the dashboard, from the edge's cache state (PersonaCacheState.languages):
 * per language how many enabled personas have an LLM page (fresh, or an older one still served) and
 * how many shoppers still get the template. A template is never counted as a generated page.
 */

import type { PersonaLanguageState } from "../core/edge-api.ts";

export type LanguagePage = PersonaLanguageState;

export interface PersonaLanguages {
  persona: string;
  enabled: boolean;
  /** Absent when the edge does not report languages (older edge): nothing is claimed then. */
  languages?: LanguagePage[] | undefined;
}

export interface LanguageSummary {
  language: string;
  fresh: number;
  stale: number;
  /** Enabled personas whose shoppers of this language get the template. */
  template: number;
  /** "fr: 2 of 4 AI pages (1 older, regenerating); 2 template". */
  text: string;
}

/** What a persona's shoppers of one language get, in the merchant's words. */
export function languagePageLabel(page: LanguagePage): { tone: "success" | "warning" | "critical"; label: string } {
  if (page.state === "fresh") return { tone: "success", label: `${page.language}: AI page` };
  if (page.state === "stale") return { tone: "warning", label: `${page.language}: older AI page` };
  return { tone: "critical", label: `${page.language}: template` };
}

/** Per language (in the order the edge lists them), over the enabled personas. */
export function summariseLanguages(personas: readonly PersonaLanguages[]): LanguageSummary[] {
  const byLanguage = new Map<string, { fresh: number; stale: number; template: number }>();
  for (const p of personas) {
    if (!p.enabled) continue;
    for (const page of p.languages ?? []) {
      const counts = byLanguage.get(page.language) ?? { fresh: 0, stale: 0, template: 0 };
      if (page.state === "fresh") counts.fresh++;
      else if (page.state === "stale") counts.stale++;
      else counts.template++;
      byLanguage.set(page.language, counts);
    }
  }
  return [...byLanguage].map(([language, c]) => {
    const total = c.fresh + c.stale + c.template;
    const ai = c.fresh + c.stale;
    const older = c.stale > 0 ? ` (${c.stale} older, regenerating)` : "";
    const template = c.template > 0 ? `; ${c.template} template` : "";
    return { language, ...c, text: `${language}: ${ai} of ${total} AI ${total === 1 ? "page" : "pages"}${older}${template}` };
  });
}
