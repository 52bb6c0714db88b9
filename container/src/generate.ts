import { localizeGroups, messagesFor } from "../../core/locales/index.ts";
import { PROMPT_VERSION } from "../../core/prompt-version.ts";
import { renderTemplatePage } from "../../core/template.ts";
import type { FallbackReason, GenerationResult } from "../../core/types.ts";
import type { GeneratorEnv } from "./env.ts";
import { LlmError, fallbackReasonOf, type LlmClient } from "./llm-client.ts";
import { pageFromAnswer } from "./page-from-answer.ts";
import { PipelineError } from "./pipeline-error.ts";
import { buildPrompt } from "./prompts.ts";
import type { GenerateRequest } from "./request-schema.ts";

/**
 * The generation pipeline (DESIGN.md, "The generator"): prompt (from the persona's selection) → LLM →
 * extract → sanitize → neutralise Liquid → canonical product slots → validate → page shell. It never
 * throws: any failure gives the persona's template page with `source: "template"`, the machine-readable
 * `fallback` reason and the human one in `warnings`. Either page keeps product slots, which the edge
 * expands into cards from the live facts.
 */

export interface GeneratorDeps {
  llm: LlmClient | null;
  env: Pick<GeneratorEnv, "LLM_CONTEXT_TOKENS" | "LLM_MAX_TOKENS">;
  /** Cancels the LLM call when nobody waits for the page any more. */
  signal?: AbortSignal;
}

export interface GenerationOutcome {
  result: GenerationResult;
  productsPlaced: number;
}

/** `model` of a result when no model was called (template mode, or a failure before the call). */
export const NO_MODEL = "none";

export async function generatePage(request: GenerateRequest, deps: GeneratorDeps): Promise<GenerationOutcome> {
  const started = performance.now();
  const { job, settings, baseUrl } = request;
  const { persona, language } = job;
  // The fixed groups' titles and badges in the page language, for the prompt, the slots and the template alike.
  const selection = { ...request.selection, groups: localizeGroups(request.selection.groups, messagesFor(language).messages) };
  const warnings: string[] = [];
  let model = NO_MODEL;
  let usage = { promptTokens: 0, completionTokens: 0 };
  if (job.promptVersion !== PROMPT_VERSION) {
    // Deploy skew between edge and generator: the page is still useful, but its cache variant is not ours.
    warnings.push(`job prompt version "${job.promptVersion}" differs from the generator's "${PROMPT_VERSION}"`);
  }
  if (job.merchVersion !== selection.merchVersion) {
    // The selection changed after the job was keyed: the page is about the newer one.
    warnings.push(`job merchandising version "${job.merchVersion}" differs from the selection's "${selection.merchVersion}"`);
  }

  const finish = (html: string, source: GenerationResult["source"], fallbackReason: FallbackReason | null, productsPlaced: number): GenerationOutcome => ({
    result: { html, source, fallback: fallbackReason, model, usage, durationMs: Math.round(performance.now() - started), warnings },
    productsPlaced,
  });
  const fallback = (why: FallbackReason, reason: string): GenerationOutcome => {
    warnings.push(reason);
    return finish(renderTemplatePage({ selection, settings, persona, baseUrl, language }), "template", why, 0);
  };

  if (!deps.llm) return fallback("template_mode", "template mode: no LLM_API_KEY configured");

  try {
    const prompt = buildPrompt({ settings, persona, selection, language }, { contextTokens: deps.env.LLM_CONTEXT_TOKENS, maxTokens: deps.env.LLM_MAX_TOKENS });
    model = deps.llm.model;
    const answer = await deps.llm.complete({ system: prompt.system, user: prompt.user, maxTokens: prompt.maxTokens, ...(deps.signal ? { signal: deps.signal } : {}) });
    usage = answer.usage;
    if (answer.finishReason === "length") warnings.push(`answer cut off at max_tokens (${prompt.maxTokens})`);

    const page = pageFromAnswer(answer.text, { selection, settings, persona, baseUrl, language });
    warnings.push(...page.warnings);
    return finish(page.html, "llm", null, page.placed.length);
  } catch (error) {
    if (error instanceof PipelineError) return fallback("answer_unusable", error.message);
    if (error instanceof LlmError) return fallback(fallbackReasonOf(error), error.message);
    // A bug of ours, not the model's: still a page for the shopper, with the reason for the logs.
    return fallback(fallbackReasonOf(error), `generation failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}
