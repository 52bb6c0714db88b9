import type { CatalogSyncState } from "./edge-api.ts";
import { blockAdditionLink, embedActivationLink, type BlockDetection, type EmbedDetection } from "./theme-setup.ts";
import type { FallbackReason } from "./types.ts";

/**
 * The setup guide on the admin's home: five steps from install to a live persona page, each ticked
 * from real state (the live theme's files, the edge's counters, the LLM's status, the catalog sync),
 * never from what the merchant clicked. Each step says in one sentence what it is about or what is
 * wrong, and offers the one action that moves it on. A source that could not be read leaves its step
 * open and says so: an unknown is never shown as done.
 */

/** A fact the admin read from somewhere that may not answer (the Admin API, the edge). */
export type Reading<T> = { ok: true; value: T } | { ok: false; error: string };

/** The live theme as app/theme-files.server.ts read it. */
export type ThemeReading =
  | { ok: true; themeName: string; embed: EmbedDetection; block: BlockDetection }
  | {
      ok: false;
      /** no-main-theme: no published theme; access-denied: read_themes not granted; unavailable: any other failure. */
      reason: "no-main-theme" | "access-denied" | "unavailable";
      error: string;
    };

/** What the edge knows of the LLM (the generator's key, the pool's circuit breaker, pages made). */
export interface LlmSetupState {
  /** LLM_API_KEY is set on the generator (a deploy-time secret). */
  keyConfigured: boolean;
  model: string | null;
  /** open: the LLM failed repeatedly and is not called until `retryAt`; half-open: being tried again. */
  breaker: "closed" | "open" | "half-open";
  retryAt: string | null;
  /** Persona pages the LLM has written that are cached now. */
  llmPages: number;
  /** Why the latest generation fell back to the template page, if it did. */
  lastFallback: FallbackReason | null;
}

export interface SetupInput {
  /** The shop's myshopify domain (the theme editor's deep links need it). */
  shopDomain: string;
  /** The app's API key (client id): deep links name the extension by it. */
  apiKey: string;
  theme: ThemeReading;
  /** Pages the edge has served through the app proxy (shopify.app.toml [app_proxy]). */
  proxy: Reading<{ requests: number }>;
  llm: Reading<LlmSetupState>;
  catalog: Reading<CatalogSyncState>;
  /** The persona page on the storefront; default https://<shop>/apps/wand (the app proxy). */
  storefrontUrl?: string;
  /** The admin's preview page (a path inside the app); default /app/preview. */
  previewPath?: string;
}

export type SetupStepId = "embed" | "block" | "proxy" | "llm" | "catalog";

export interface SetupStep {
  id: SetupStepId;
  title: string;
  done: boolean;
  /** One sentence: what the step is for, or what is wrong and what to do. */
  explanation: string;
  /** Absolute URLs leave the app (theme editor, storefront); paths stay in it. */
  action?: { label: string; url: string };
  /** Catalog sync progress, while one runs. */
  progress?: { done: number; total: number | null; percent: number | null };
}

export interface SetupChecklist {
  steps: SetupStep[];
  doneCount: number;
  total: number;
  complete: boolean;
}

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
const minute = (iso: string) => `${new Date(iso).toISOString().replace("T", " ").slice(0, 16)} UTC`;
const quoted = (name: string) => `“${name}”`;

/** Why the admin could not read the theme, as the end of a sentence. */
function themeProblem(theme: Extract<ThemeReading, { ok: false }>): string {
  if (theme.reason === "no-main-theme") return "your shop has no published theme yet";
  if (theme.reason === "access-denied") return "WandStore has not been granted access to read themes (read_themes): approve the updated access when Shopify asks";
  return `WandStore could not read your live theme (${theme.error})`;
}

function embedStep(input: SetupInput): SetupStep {
  const title = "Turn on the Shopper signals app embed";
  const action = { label: "Turn on in theme editor", url: embedActivationLink(input.shopDomain, input.apiKey) };
  const { theme } = input;
  if (!theme.ok) return { id: "embed", title, done: false, explanation: `Not checked: ${themeProblem(theme)}.`, action };
  const where = `your live theme ${quoted(theme.themeName)}`;
  switch (theme.embed.state) {
    case "on":
      return { id: "embed", title, done: true, explanation: `Shopper signals is on in ${where}, so persona detection sees where shoppers come from.` };
    case "off":
      return { id: "embed", title, done: false, explanation: `Shopper signals is switched off in ${where}: turn it on so persona detection sees the UTM tags, referrer and visits that the app proxy cannot.`, action };
    case "never-activated":
      return { id: "embed", title, done: false, explanation: `Shopper signals is not on in ${where} yet: it remembers each shopper's UTM tags, referrer and visits, which Shopify strips from app proxy requests.`, action };
    case "unreadable":
      return { id: "embed", title, done: false, explanation: `Not checked: ${theme.embed.error ?? "the theme's settings could not be read"}.`, action };
  }
}

function blockStep(input: SetupInput): SetupStep {
  const title = "Add the Personalized storefront block";
  const action = { label: "Add block in theme editor", url: blockAdditionLink(input.shopDomain, input.apiKey) };
  const { theme } = input;
  if (!theme.ok) return { id: "block", title, done: false, explanation: `Not checked: ${themeProblem(theme)}.`, action };
  const where = quoted(theme.themeName);
  const block = theme.block;
  const files = [...new Set(block.placements.filter((p) => block.state !== "added" || !p.hidden).map((p) => p.file))].join(", ");
  switch (block.state) {
    case "added":
      return { id: "block", title, done: true, explanation: `The Personalized storefront block is on ${where} (${files}), showing each shopper their persona's page.` };
    case "hidden":
      return { id: "block", title, done: false, explanation: `The Personalized storefront block is in ${where} (${files}) but hidden: show it in the theme editor so shoppers see it.`, action };
    case "absent": {
      const partly = block.complete ? "" : ` (of the first ${count(block.filesChecked, "template")} checked)`;
      return { id: "block", title, done: false, explanation: `No page of ${where} has the Personalized storefront block yet${partly}: add it to your home page to show shoppers their persona's products.`, action };
    }
    case "no-json-templates": {
      // A vintage theme cannot hold app blocks, so nothing can be detected; the persona page is still
      // reachable at the app proxy URL, and shoppers arriving there are the proof that it is linked.
      const url = `https://${input.shopDomain}/admin/menus`;
      const served = input.proxy.ok ? input.proxy.value.requests : 0;
      if (served > 0) {
        return { id: "block", title, done: true, explanation: `${where} uses Liquid templates, which cannot hold app blocks, so the block cannot be detected, but shoppers do reach the persona page at /apps/wand.` };
      }
      return { id: "block", title, done: false, explanation: `${where} uses Liquid templates, which cannot hold app blocks, so the block cannot be added or detected: link your menu to /apps/wand instead, or switch to an Online Store 2.0 theme.`, action: { label: "Edit navigation", url } };
    }
  }
}

function proxyStep(input: SetupInput): SetupStep {
  const title = "Serve your first shopper";
  const url = input.storefrontUrl ?? `https://${input.shopDomain}/apps/wand`;
  const action = { label: "Open your persona page", url };
  if (!input.proxy.ok) return { id: "proxy", title, done: false, explanation: `Not checked: the storefront edge did not answer (${input.proxy.error}).`, action };
  const n = input.proxy.value.requests;
  if (n > 0) return { id: "proxy", title, done: true, explanation: `${count(n, "persona page has", "persona pages have")} been served through your store's /apps/wand proxy.` };
  return { id: "proxy", title, done: false, explanation: "No shopper has been served through your store's /apps/wand proxy yet: open it once on your storefront to see it work.", action };
}

const FALLBACK_WORDS: Record<FallbackReason, string> = {
  llm_unreachable: "the LLM could not be reached",
  llm_timeout: "the LLM took too long to answer",
  llm_rate_limited: "the LLM provider rate-limited WandStore",
  llm_error: "the LLM answered with an error",
  answer_unusable: "the LLM's answer could not be used safely",
  template_mode: "the generator runs without an LLM key",
};

function llmStep(input: SetupInput): SetupStep {
  const title = "Generate your first LLM page";
  const preview = { label: "Generate a preview", url: input.previewPath ?? "/app/preview" };
  if (!input.llm.ok) return { id: "llm", title, done: false, explanation: `Not checked: the storefront edge did not answer (${input.llm.error}).` };
  const llm = input.llm.value;
  if (!llm.keyConfigured) {
    return { id: "llm", title, done: false, explanation: "No LLM key is configured, so shoppers get template pages: set LLM_API_KEY on the generator (wrangler secret put LLM_API_KEY) and deploy again." };
  }
  if (llm.breaker === "open") {
    const until = llm.retryAt ? ` until ${minute(llm.retryAt)}` : " for a cool-down";
    const why = llm.lastFallback ? ` (${FALLBACK_WORDS[llm.lastFallback]})` : "";
    return { id: "llm", title, done: false, explanation: `The LLM failed repeatedly${why}, so WandStore stopped calling it${until} and shoppers get template pages meanwhile.` };
  }
  if (llm.llmPages === 0) {
    const why = llm.lastFallback ? `the last attempt fell back to the template because ${FALLBACK_WORDS[llm.lastFallback]}` : "pages are written after a shopper's first visit, or when you generate a preview";
    return { id: "llm", title, done: false, explanation: `No LLM page yet: ${why}.`, action: preview };
  }
  const model = llm.model ? ` (${llm.model})` : "";
  const trying = llm.breaker === "half-open" ? ", and it is being tried again after recent failures" : "";
  return { id: "llm", title, done: true, explanation: `The LLM${model} has written ${count(llm.llmPages, "persona page")} that shoppers are served now${trying}.` };
}

function catalogStep(input: SetupInput): SetupStep {
  const title = "Sync your catalog";
  if (!input.catalog.ok) return { id: "catalog", title, done: false, explanation: `Not checked: the storefront edge did not answer (${input.catalog.error}).` };
  const s = input.catalog.value;
  const total = s.productsTotal !== null && s.productsTotal > 0 ? s.productsTotal : null;
  const progress = s.state === "running" ? { done: s.productsSynced, total: s.productsTotal, percent: total === null ? null : Math.min(100, Math.floor((s.productsSynced / total) * 100)) } : undefined;
  const soFar = total === null ? `${count(s.productsSynced, "product")} so far` : `${s.productsSynced.toLocaleString("en-US")} of ${count(total, "product")}`;
  const live = count(s.liveProducts, "product");
  const reason = s.error ?? "no reason given";
  // As on the Catalog card, only a finished full sync counts: products imported without one (the demo
  // seed, a catalog migrated from before product rows) are live, but not synced.
  const synced = s.lastGoodAt !== null && s.liveProducts > 0;
  const step = (done: boolean, explanation: string): SetupStep => ({ id: "catalog", title, done, explanation, ...(progress ? { progress } : {}) });
  if (s.state === "running") {
    return synced ? step(true, `${live} are live and a new sync is running (${soFar}).`) : step(false, `Your first catalog sync is running (${soFar}); persona pages show the synced products once it finishes.`);
  }
  if (s.state === "error") {
    return synced ? step(true, `${live} are live from the last good sync, but the latest sync failed (${reason}).`) : step(false, `The catalog sync failed (${reason}); start it again from the Catalog card below.`);
  }
  if (synced) return step(true, `${live} synced from Shopify, last at ${minute(s.lastGoodAt!)}.`);
  if (s.lastGoodAt !== null) return step(false, "The sync finished but your shop has no active products yet: products you add in Shopify arrive here by themselves.");
  if (s.liveProducts > 0) return step(false, `${live} were imported without a sync from Shopify: start a sync from the Catalog card below so they stay up to date.`);
  return step(false, "No products have arrived from Shopify yet: start a sync from the Catalog card below.");
}

export function setupChecklist(input: SetupInput): SetupChecklist {
  const steps = [embedStep(input), blockStep(input), proxyStep(input), llmStep(input), catalogStep(input)];
  const doneCount = steps.filter((s) => s.done).length;
  return { steps, doneCount, total: steps.length, complete: doneCount === steps.length };
}
