import { z } from "zod";
import { cacheKeyPrefix, isStoreId, parseCacheKey } from "../../core/cache-key.ts";
import type { EnqueueResult } from "../../core/edge-api.ts";
import { mergeCacheListings, OPS_PREFIX, type KvListing, type R2Listing, type StoreSummary } from "../../core/ops-contract.ts";
import { PERSONAS, type Persona, type ShopSettings } from "../../core/types.ts";
import { EdgeApi } from "./edge-api.ts";
import { HttpError, badRequest, errorResponse, methodNotAllowed, notFound } from "./http-error.ts";
import { keyLanguage, pageLanguagesOf } from "./markets/page-locale.ts";
import { loadShopMarkets } from "./markets/markets-store.ts";
import { selectionInLanguage } from "./markets/selection-language.ts";
import { currentVariant } from "./shopper-page.ts";
import { loadSelection, loadSettings } from "./store-data.ts";

/**
 * The ops endpoint (`/ops/*`, contract in core/ops-contract.ts): the cache CLI's way into a deployed
 * edge, and into the local `npm start` edge for what lives in Durable Objects (queue, stats). Every
 * request needs `Authorization: Bearer <OPS_TOKEN>`; without the secret configured the endpoint
 * refuses everything. The work itself is the EdgeApi's (the admin's RPC surface), called in-process.
 */

type OpsEnv = Env & { OPS_TOKEN?: string };

const ROUTE = /^\/ops\/stores(?:\/([^/]+)\/(pages|state|stats|purge|warm))?\/?$/;
const LLM_ROUTE = /^\/ops\/llm\/?$/;
const POST_ROUTES = new Set(["purge", "warm"]);
const MAX_BODY_BYTES = 1024;
const PurgeBody = z.object({ persona: z.enum(PERSONAS).optional() }).strict();

export function isOpsPath(pathname: string): boolean {
  return pathname === OPS_PREFIX || pathname.startsWith(`${OPS_PREFIX}/`);
}

export async function handleOps(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  try {
    // Authenticate before routing: without the token nothing about the endpoint is revealed.
    await authorize(request, (env as OpsEnv).OPS_TOKEN);
    if (LLM_ROUTE.test(new URL(request.url).pathname)) {
      // The pool's LLM breaker: one for all stores.
      if (request.method !== "GET") throw methodNotAllowed(["GET"]);
      return json({ llm: await new EdgeApi(ctx, env).llmStatus() });
    }
    const match = ROUTE.exec(new URL(request.url).pathname);
    if (!match) throw notFound("no such ops route");
    const [, rawStore, action] = match;
    const expected = action && POST_ROUTES.has(action) ? "POST" : "GET";
    if (request.method !== expected) throw methodNotAllowed([expected]);
    const api = new EdgeApi(ctx, env);

    if (rawStore === undefined) return json({ stores: await listStores(env) });
    let store: string;
    try {
      store = decodeURIComponent(rawStore);
    } catch {
      throw badRequest("store is not valid percent-encoding");
    }
    if (!isStoreId(store)) throw badRequest(`invalid store id: ${JSON.stringify(store)}`);
    const settings = await loadSettings(env, store, ctx);
    if (!settings) throw notFound(`unknown store ${store} (not installed, or never seeded)`);

    switch (action) {
      case "pages":
        return json({ pages: await listPages(env, ctx, settings) });
      case "state":
        return json({ personas: await api.cacheState(store) });
      case "stats":
        return json({ personas: await api.stats(store) });
      case "purge": {
        const body = PurgeBody.safeParse(await readJson(request));
        if (!body.success) throw badRequest(`purge takes {"persona"?: ${PERSONAS.map((p) => `"${p}"`).join("|")}}`);
        return json({ deleted: await api.purge(store, body.data.persona) });
      }
      case "warm":
        return json({ results: await warm(api, settings) });
      default:
        throw notFound("no such ops route");
    }
  } catch (error) {
    return errorResponse(error, request.method);
  }
}

async function authorize(request: Request, secret: string | undefined): Promise<void> {
  const header = request.headers.get("Authorization") ?? "";
  const presented = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!secret || !presented || !(await sameSecret(presented, secret))) {
    throw new HttpError(401, "unauthorized", secret ? "a valid ops bearer token is required" : "the ops endpoint is disabled (no OPS_TOKEN secret)", {
      "WWW-Authenticate": 'Bearer realm="wandstore-ops"',
    });
  }
}

/** Constant-time comparison; hashing first makes the lengths equal, so length leaks nothing either. */
async function sameSecret(presented: string, secret: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(presented)),
    crypto.subtle.digest("SHA-256", encoder.encode(secret)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new HttpError(413, "payload_too_large", `body over ${MAX_BODY_BYTES} bytes`);
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest("body is not JSON");
  }
}

function json(body: unknown): Response {
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
}

const StoreRow = z.object({ store: z.string(), shopName: z.string(), installed: z.union([z.number(), z.boolean()]), enabledPersonas: z.string() });
const PersonaList = z.array(z.enum(PERSONAS));

async function listStores(env: Env): Promise<StoreSummary[]> {
  const { results } = await env.DB.prepare("SELECT store, shopName, installed, enabledPersonas FROM ShopSettings ORDER BY store").all();
  return results.flatMap((raw): StoreSummary[] => {
    const row = StoreRow.safeParse(raw);
    if (!row.success) return [];
    let personas: unknown = [];
    try {
      personas = JSON.parse(row.data.enabledPersonas) as unknown;
    } catch {
      // A malformed row lists no personas rather than failing the whole listing.
    }
    return [{ store: row.data.store, shopName: row.data.shopName, installed: Boolean(row.data.installed), enabledPersonas: PersonaList.safeParse(personas).data ?? [] }];
  });
}

async function listPages(env: Env, ctx: ExecutionContext, settings: ShopSettings) {
  const prefix = cacheKeyPrefix(settings.store);
  // Each persona's current variant per page language (its selection's merchandising, translated, with the settings).
  const variants = new Map<string, string>();
  const languages = pageLanguagesOf(await loadShopMarkets(env, settings.store, ctx), settings);
  await Promise.all(
    PERSONAS.map(async (p) => {
      const base = await loadSelection(env, settings.store, p, ctx);
      for (const language of languages) {
        const selection = await selectionInLanguage(env, base, language, { fresh: false, waiter: ctx });
        variants.set(`${p}/${keyLanguage(language) ?? ""}`, currentVariant(settings, selection));
      }
    }),
  );
  const kv: KvListing[] = [];
  let kvCursor: string | undefined;
  do {
    const page = await env.CACHE.list({ prefix, ...(kvCursor ? { cursor: kvCursor } : {}) });
    kv.push(...page.keys);
    kvCursor = page.list_complete ? undefined : page.cursor;
  } while (kvCursor);
  const r2: R2Listing[] = [];
  let r2Cursor: string | undefined;
  do {
    const page = await env.PAGES.list({ prefix, include: ["customMetadata"], ...(r2Cursor ? { cursor: r2Cursor } : {}) });
    r2.push(...page.objects);
    r2Cursor = page.truncated ? page.cursor : undefined;
  } while (r2Cursor);
  return mergeCacheListings({ currentVariant: null, kv, r2 }).map((entry) => ({
    ...entry,
    current: entry.variant === variants.get(`${entry.persona}/${parseCacheKey(entry.key)?.language ?? ""}`),
  }));
}

/** Enqueues each enabled persona whose current page is not cached yet; a fresh one is left alone (no LLM spend). */
async function warm(api: EdgeApi, settings: ShopSettings): Promise<EnqueueResult[]> {
  const state = await api.cacheState(settings.store);
  return Promise.all(
    state
      .filter((s) => s.enabled)
      .map((s): Promise<EnqueueResult> => (s.state === "fresh" ? Promise.resolve({ key: s.key, status: "fresh" }) : api.regenerate(settings.store, s.persona))),
  );
}
