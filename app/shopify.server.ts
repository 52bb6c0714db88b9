import "@shopify/shopify-api/adapters/cf-worker";
import type { AppLoadContext } from "@remix-run/cloudflare";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { db } from "./db.server";
import { type AppBindings, hasShopifyConfig, shopifyConfig } from "./env.server";
import { onInstalled } from "./install.server";

/**
 * The one place that calls shopifyApp(). Workers have no process.env at module scope, so the
 * instance is built on first use from the request's env (context.cloudflare.env) and cached per
 * D1 binding and configuration for the life of the isolate.
 */
export const API_VERSION = ApiVersion.October26;

function build(env: AppBindings) {
  const config = shopifyConfig(env);
  return shopifyApp({
    apiKey: config.SHOPIFY_API_KEY,
    apiSecretKey: config.SHOPIFY_API_SECRET,
    appUrl: config.SHOPIFY_APP_URL,
    scopes: config.SCOPES,
    apiVersion: API_VERSION,
    distribution: AppDistribution.AppStore,
    // Offline tokens: the catalog sync and webhooks act for the shop, not for a staff member.
    useOnlineTokens: false,
    sessionStorage: new PrismaSessionStorage(db(env), { connectionRetries: 1, connectionRetryIntervalMs: 0 }),
    ...(config.SHOP_CUSTOM_DOMAINS.length > 0 ? { customShopDomains: config.SHOP_CUSTOM_DOMAINS } : {}),
    future: {
      // Embedded auth through token exchange (Shopify-managed installation, scopes in shopify.app.toml).
      unstable_newEmbeddedAuthStrategy: true,
    },
    hooks: {
      afterAuth: async ({ session }) => {
        await onInstalled(env, session, API_VERSION);
      },
    },
  });
}

export type WandShopify = ReturnType<typeof build>;

const instances = new WeakMap<object, Map<string, WandShopify>>();

function configKey(env: AppBindings): string {
  const c = shopifyConfig(env);
  return JSON.stringify([c.SHOPIFY_API_KEY, c.SHOPIFY_API_SECRET, c.SHOPIFY_APP_URL, c.SCOPES, c.SHOP_CUSTOM_DOMAINS]);
}

export function shopifyFor(env: AppBindings): WandShopify {
  let byConfig = instances.get(env.DB);
  if (!byConfig) {
    byConfig = new Map();
    instances.set(env.DB, byConfig);
  }
  const key = configKey(env);
  let instance = byConfig.get(key);
  if (!instance) {
    instance = build(env);
    byConfig.set(key, instance);
  }
  return instance;
}

export function shopify(context: AppLoadContext): WandShopify {
  return shopifyFor(context.cloudflare.env);
}

export const authenticate = {
  admin: (request: Request, context: AppLoadContext) => shopify(context).authenticate.admin(request),
  webhook: (request: Request, context: AppLoadContext) => shopify(context).authenticate.webhook(request),
};

export function login(request: Request, context: AppLoadContext) {
  const { login: loginFn } = shopify(context);
  if (!loginFn) throw new Error("login is only available to App Store and single-merchant apps");
  return loginFn(request);
}

export function sessionStorage(context: AppLoadContext) {
  return shopify(context).sessionStorage;
}

/**
 * Shopify's document headers (frame-ancestors for the admin). In local mode without a Shopify
 * configuration there is no admin to frame us, so there is nothing to add.
 */
export function addDocumentResponseHeaders(context: AppLoadContext, request: Request, headers: Headers): void {
  if (!hasShopifyConfig(context.cloudflare.env)) return;
  shopify(context).addDocumentResponseHeaders(request, headers);
}
