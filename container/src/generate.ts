import { neutraliseLiquid, escapeHtml } from "../../core/html.ts";
import { renderPageShell } from "../../core/page-shell.ts";
import { PROMPT_VERSION } from "../../core/prompt-version.ts";
import { renderTemplatePage } from "../../core/template.ts";
import type { GenerationResult } from "../../core/types.ts";
import type { GeneratorEnv } from "./env.ts";
import { extractHtml, plainText } from "./extract-html.ts";
import { LlmError, type LlmClient } from "./llm-client.ts";
import { PipelineError } from "./pipeline-error.ts";
import { expandPlaceholders } from "./placeholders.ts";
import { buildPrompt } from "./prompts.ts";
import type { GenerateRequest } from "./request-schema.ts";
import { sanitizeFragment } from "./sanitize.ts";
import { validatePage } from "./validate-page.ts";

/**
 * The generation pipeline (DESIGN.md, "The generator"): prompt → LLM → extract → sanitize →
 * neutralise Liquid → expand placeholders → validate → page shell. It never throws: any failure
 * gives the persona's template page with `source: "template"` and the reason in `warnings`.
 */

export interface GeneratorDeps {
  llm: LlmClient | null;
  env: Pick<GeneratorEnv, "LLM_CONTEXT_TOKENS" | "LLM_MAX_TOKENS">;
}

export interface GenerationOutcome {
  result: GenerationResult;
  productsPlaced: number;
}

/** `model` of a result when no model was called (template mode, or a failure before the call). */
export const NO_MODEL = "none";

export async function generatePage(request: GenerateRequest, deps: GeneratorDeps): Promise<GenerationOutcome> {
  const started = performance.now();
  const { job, catalog, settings, baseUrl } = request;
  const persona = job.persona;
  const warnings: string[] = [];
  let model = NO_MODEL;
  let usage = { promptTokens: 0, completionTokens: 0 };
  if (job.promptVersion !== PROMPT_VERSION) {
    // Deploy skew between edge and generator: the page is still useful, but its cache variant is not ours.
    warnings.push(`job prompt version "${job.promptVersion}" differs from the generator's "${PROMPT_VERSION}"`);
  }

  const finish = (html: string, source: GenerationResult["source"], productsPlaced: number): GenerationOutcome => ({
    result: { html, source, model, usage, durationMs: Math.round(performance.now() - started), warnings },
    productsPlaced,
  });
  const fallback = (reason: string): GenerationOutcome => {
    warnings.push(reason);
    return finish(renderTemplatePage({ catalog, settings, persona, baseUrl }), "template", 0);
  };

  if (!deps.llm) return fallback("template mode: no LLM_API_KEY configured");

  try {
    const prompt = buildPrompt({ settings, persona, catalog }, { contextTokens: deps.env.LLM_CONTEXT_TOKENS, maxTokens: deps.env.LLM_MAX_TOKENS });
    model = deps.llm.model;
    const answer = await deps.llm.complete({ system: prompt.system, user: prompt.user, maxTokens: prompt.maxTokens });
    usage = answer.usage;
    if (answer.finishReason === "length") warnings.push(`answer cut off at max_tokens (${prompt.maxTokens})`);

    const extracted = extractHtml(answer.text);
    const sanitized = sanitizeFragment(extracted.html, { baseUrl, shopDomain: settings.shopDomain });
    warnings.push(...sanitized.warnings);
    const expanded = expandPlaceholders(neutraliseLiquid(sanitized.html), { catalog, persona, baseUrl });
    if (expanded.unknown.length) warnings.push(`dropped unknown product handles: ${expanded.unknown.join(", ")}`);
    if (expanded.repeated.length) warnings.push(`dropped repeated products: ${expanded.repeated.join(", ")}`);
    validatePage(expanded.html, expanded.placed);

    const h1 = /<h1\b[^>]*>([\s\S]*?)<\/h1>/i.exec(expanded.html)?.[1];
    const headline = extracted.title ?? (h1 ? plainText(h1).slice(0, 120) : "");
    const title = headline ? `${headline} | ${settings.shopName}` : settings.shopName;
    // Every page needs one top-level heading (accessibility); a model that forgot it gets a hidden one.
    const body = h1 === undefined ? `<h1 class="visually-hidden">${escapeHtml(headline || settings.shopName)}</h1>\n${expanded.html}` : expanded.html;
    return finish(renderPageShell({ settings, persona, title, body, source: "llm" }), "llm", expanded.placed.length);
  } catch (error) {
    if (error instanceof PipelineError || error instanceof LlmError) return fallback(error.message);
    // A bug of ours, not the model's: still a page for the shopper, with the reason for the logs.
    return fallback(`generation failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}
