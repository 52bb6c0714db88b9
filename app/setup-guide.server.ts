import type { CatalogSyncState, LlmStatus, PersonaCacheState } from "../core/edge-api.ts";
import { setupChecklist, type LlmSetupState, type Reading, type SetupChecklist, type ThemeReading } from "../core/setup-checklist.ts";
import type { AdminContext } from "./admin-context.server";
import { adminOrigin } from "./admin-origin.server";
import { db } from "./db.server";
import { tryEdge } from "./edge-call.server";
import { edgeApi } from "./env.server";
import { LOCAL_ADMIN_API_TOKEN } from "./local-mode.server";
import { API_VERSION } from "./shopify.server";
import { readShopThemeSetup } from "./theme-files.server";

/**
 * The setup guide's state for the admin's home: the live theme (Admin API, read_themes), the edge's
 * proxy count, the LLM breaker and pages, and the catalog sync, folded by core/setup-checklist.ts.
 * The dashboard's own edge readings (cache state, sync state) are passed in, so nothing is asked twice.
 */
export interface SetupGuideData {
  checklist: SetupChecklist;
  dismissed: boolean;
  /** The pool's LLM breaker as read for the guide, shown on the dashboard too. */
  llm: Reading<LlmStatus>;
}

/**
 * The app's client id, which the theme editor links name the extension by. A local admin usually has
 * none (app/wrangler.jsonc leaves it empty): it links with shopify.app.toml's placeholder client id.
 */
const PLACEHOLDER_CLIENT_ID = "00000000000000000000000000000000";
function apiKeyOf(admin: AdminContext): string {
  const key = admin.env.SHOPIFY_API_KEY?.trim() ?? "";
  return key === "" && admin.mode === "local" ? PLACEHOLDER_CLIENT_ID : key;
}

/** The live theme of the shop; in local mode only from a loopback fake Admin API, never from Shopify. */
async function readTheme(admin: AdminContext): Promise<ThemeReading> {
  if (admin.mode === "local") {
    if (!adminOrigin(admin.env)) {
      return { ok: false, reason: "unavailable", error: "a demo shop has no Admin API to read its theme from; npm start runs a fake one" };
    }
    return readShopThemeSetup(admin.env, { shopDomain: admin.shopDomain, accessToken: LOCAL_ADMIN_API_TOKEN }, API_VERSION);
  }
  const token = admin.session.accessToken;
  if (!token) return { ok: false, reason: "unavailable", error: "the shop's access token is missing; open the app again from Shopify" };
  return readShopThemeSetup(admin.env, { shopDomain: admin.shopDomain, accessToken: token }, API_VERSION);
}

/**
 * What the edge knows of the LLM. The key is known to be missing only once the generator has
 * answered template_mode; until then it counts as configured (the first page tells).
 */
export function llmReading(llm: Reading<LlmStatus>, cache: Reading<PersonaCacheState[]>): Reading<LlmSetupState> {
  if (!llm.ok) return llm;
  if (!cache.ok) return cache;
  const status = llm.value;
  return {
    ok: true,
    value: {
      keyConfigured: !status.templateMode,
      model: null,
      breaker: status.state,
      retryAt: status.retryAt,
      llmPages: cache.value.filter((c) => c.source === "llm").length,
      lastFallback: status.templateMode ? "template_mode" : status.lastReason,
    },
  };
}

export async function loadSetupGuide(admin: AdminContext, o: { cache: Reading<PersonaCacheState[]>; sync: Reading<CatalogSyncState> }): Promise<SetupGuideData> {
  const edge = edgeApi(admin.env);
  const row = await db(admin.env).shopSettings.findUnique({ where: { store: admin.store }, select: { setupGuideDismissedAt: true } });
  const [theme, setup, llm] = await Promise.all([readTheme(admin), tryEdge(() => edge.setupState(admin.store)), tryEdge(() => edge.llmStatus())]);
  const checklist = setupChecklist({
    shopDomain: admin.shopDomain,
    apiKey: apiKeyOf(admin),
    theme,
    proxy: setup.ok ? { ok: true, value: { requests: setup.value.proxyRequests } } : setup,
    llm: llmReading(llm, o.cache),
    catalog: o.sync,
  });
  // Dismissed only sticks while every step is still done: a step that breaks later brings it back.
  return { checklist, dismissed: row?.setupGuideDismissedAt != null && checklist.complete, llm };
}

/** "Dismiss" on the finished guide; refused while a step is open. */
export async function dismissSetupGuide(admin: AdminContext): Promise<{ ok: boolean; message: string }> {
  const edge = edgeApi(admin.env);
  const [cache, sync] = await Promise.all([tryEdge(() => edge.cacheState(admin.store)), tryEdge(() => edge.catalogSyncState(admin.store))]);
  const { checklist } = await loadSetupGuide(admin, { cache, sync });
  if (!checklist.complete) return { ok: false, message: `The setup guide stays until every step is done (${checklist.doneCount} of ${checklist.total}).` };
  await db(admin.env).shopSettings.update({ where: { store: admin.store }, data: { setupGuideDismissedAt: new Date() } });
  return { ok: true, message: "Setup guide dismissed." };
}
