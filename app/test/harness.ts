import type { AppLoadContext } from "@remix-run/cloudflare";
import { API_KEY, API_SECRET_KEY, RequestType, setUpValidRequest, setUpValidSession } from "@shopify/shopify-api/test-helpers";
import { testConfig } from "@shopify/shopify-app-remix/test-helpers";
import { defaultSettings, settingsToRow } from "../../core/settings.ts";
import { prismaFor } from "../db.server";
import type { AppBindings } from "../env.server";
import { shopifyFor } from "../shopify.server";
import { FakeEdge } from "./fake-edge";
import type { TestD1 } from "./d1";

/**
 * The admin as its loaders and actions see it in production (env from wrangler, ctx.waitUntil),
 * with Shopify's official test configuration: the same API key, secret, app URL and scopes that
 * @shopify/shopify-api/test-helpers signs session tokens and webhooks with.
 */
const config = testConfig();

export const APP_URL = config.appUrl;

export interface Harness {
  env: AppBindings;
  edge: FakeEdge;
  context: AppLoadContext;
  /** Waits for everything handed to ctx.waitUntil so far. */
  settle: () => Promise<void>;
}

export function createHarness(d1: TestD1, vars: Partial<AppBindings> = {}): Harness {
  const edge = new FakeEdge(d1.db);
  const env: AppBindings = {
    DB: d1.db,
    EDGE: edge as unknown as Service,
    SHOPIFY_API_KEY: config.apiKey,
    SHOPIFY_API_SECRET: config.apiSecretKey,
    SHOPIFY_APP_URL: config.appUrl,
    SCOPES: (config.scopes as string[]).join(","),
    ...vars,
  };
  const pending: Promise<unknown>[] = [];
  const context = { cloudflare: { env, ctx: { waitUntil: (p: Promise<unknown>) => void pending.push(p) } } } as AppLoadContext;
  return {
    env,
    edge,
    context,
    settle: async () => {
      while (pending.length > 0) await Promise.allSettled(pending.splice(0));
    },
  };
}

/** A shop with an offline session (as after install) and its settings row. */
export async function installShop(h: Harness, store: string): Promise<string> {
  const shop = `${store}.myshopify.com`;
  const session = setUpValidSession({ shop, expires: undefined, scope: (config.scopes as string[]).join(",") });
  await shopifyFor(h.env).sessionStorage?.storeSession(session);
  await prismaFor(h.env.DB).shopSettings.upsert({
    where: { store },
    create: settingsToRow(defaultSettings({ store, shopName: `Shop ${store}`, shopDomain: shop })),
    update: {},
  });
  return shop;
}

/** A request from the embedded admin (App Bridge adds the session token as a Bearer header). */
export async function embeddedFetch(store: string, path: string, init: RequestInit = {}): Promise<Request> {
  return setUpValidRequest({ type: RequestType.Bearer, store, apiKey: API_KEY, apiSecretKey: API_SECRET_KEY }, new Request(`${APP_URL}${path}`, init));
}

/** A document load inside the Shopify admin (?embedded=1&shop&host&id_token). */
export async function embeddedDocument(store: string, path: string): Promise<Request> {
  return setUpValidRequest({ type: RequestType.Admin, store, apiKey: API_KEY, apiSecretKey: API_SECRET_KEY }, new Request(`${APP_URL}${path}`));
}

export function form(fields: Record<string, string | string[]>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) f.append(k, x);
  return f;
}

/**
 * Runs a loader/action and returns what it threw as a Response: the library's Responses (redirects,
 * auth failures) as they are, the admin's httpError (Remix `data` with a status) as a JSON Response.
 */
export async function thrownResponse(run: () => Promise<unknown>): Promise<Response> {
  try {
    await run();
  } catch (error) {
    if (error instanceof Response) return error;
    if (typeof error === "object" && error !== null && (error as { type?: unknown }).type === "DataWithResponseInit") {
      const { data, init } = error as { data: unknown; init: ResponseInit | null };
      return Response.json(data, init ?? {});
    }
    throw error;
  }
  throw new Error("expected a thrown Response, got a result");
}
