import { promptHandles, startFakeLlm } from "./journey-fake-llm.ts";

/**
 * The fake LLM (journey-fake-llm.ts) as the markets browser test uses it: it reads the page language
 * the generator's prompt names ("Page language: fr (French)") and answers a small page fragment
 * written in that language, placing the products the prompt's selection carries. Every prompt's
 * language is readable, so the test can tell which language a generation was asked for.
 */
export interface MarketsLlm {
  /** Base URL for LLM_BASE_URL, ending in /v1. */
  baseUrl: string;
  /** The page language of each completion request, in arrival order ("?" when the prompt named none). */
  languages(): string[];
  close(): Promise<void>;
}

/** Headings the fake writes, per page language (anything else: English). */
export const FAKE_LLM_TEXT: Record<string, { title: string; lede: string }> = {
  en: { title: "Picked for you", lede: "A selection written for you by the shop's assistant." },
  fr: { title: "Choisis pour vous", lede: "Une sélection écrite pour vous par l’assistant de la boutique." },
};

const LANGUAGE = /Page language:\s*([A-Za-z0-9-]+)/;
const languageOf = (userPrompt: string): string => LANGUAGE.exec(userPrompt)?.[1] ?? "?";

function fragment(language: string, handles: string[]): string {
  const text = FAKE_LLM_TEXT[language] ?? FAKE_LLM_TEXT.en!;
  const items = [...new Set(handles)]
    .slice(0, 6)
    .map((h) => `<li><wand-product handle="${h}"></wand-product></li>`)
    .join("\n");
  return `<section class="fake-llm-intro"><h1>${text.title}</h1><p class="lede">${text.lede}</p></section>\n<section><ul class="grid">\n${items}\n</ul></section>`;
}

export async function startMarketsLlm(o: { port: number; latencyMs: number }): Promise<MarketsLlm> {
  const llm = await startFakeLlm({ port: o.port, latencyMs: o.latencyMs, answer: (user) => fragment(languageOf(user), promptHandles(user)) });
  return { baseUrl: llm.baseUrl, languages: () => llm.prompts().map(languageOf), close: () => llm.close() };
}
