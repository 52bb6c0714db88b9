import { z } from "zod";
import type { EdgeApiContract } from "../core/edge-api.ts";

/**
 * The admin Worker's environment, validated once per env object at the boundary. Bindings come from
 * app/wrangler.jsonc (types generated into worker-configuration.d.ts); secrets and dev-only vars are
 * declared here because `wrangler types` does not see them.
 */
export interface AppBindings extends Env {
  SHOPIFY_API_SECRET?: string;
  /** "1" only in `npm start`'s dev vars and the browser tests: see local-mode.server.ts. */
  WAND_LOCAL_ADMIN?: string;
  /** Optional: custom shop domains the app may be opened from (comma-separated), e.g. for dev stores. */
  SHOP_CUSTOM_DOMAINS?: string;
  /** Tests only: an Admin-GraphQL-speaking server on a loopback address (see admin-origin.server.ts). */
  SHOPIFY_ADMIN_API_ORIGIN?: string;
  /** The edge's public origin (the web pixel posts funnel events to `<EDGE_PUBLIC_URL>/pixel`). */
  EDGE_PUBLIC_URL?: string;
}

/** A text var that must be set: unset and empty read the same to the operator. */
const required = (what: string) => z.string({ error: `required (${what})` }).trim().min(1, `required (${what})`);

const shopifyConfigSchema = z.object({
  SHOPIFY_API_KEY: required("the app's client id"),
  SHOPIFY_API_SECRET: required("a secret: wrangler secret put SHOPIFY_API_SECRET"),
  SHOPIFY_APP_URL: z.httpUrl({ error: "required: the admin's https URL" }),
  SCOPES: required("e.g. read_products,read_customers")
    .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean)),
  SHOP_CUSTOM_DOMAINS: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(",").map((x) => x.trim()).filter(Boolean) : [])),
});

export type ShopifyConfig = z.output<typeof shopifyConfigSchema>;

export class EnvError extends Error {
  override name = "EnvError";
}

const cache = new WeakMap<object, ShopifyConfig>();

/** The Shopify app configuration from the env; throws EnvError naming every bad field. */
export function shopifyConfig(env: AppBindings): ShopifyConfig {
  const hit = cache.get(env);
  if (hit) return hit;
  const result = shopifyConfigSchema.safeParse(env);
  if (!result.success) {
    const fields = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new EnvError(`admin environment is incomplete: ${fields}`);
  }
  cache.set(env, result.data);
  return result.data;
}

/** True when the env carries a complete Shopify configuration. */
export function hasShopifyConfig(env: AppBindings): boolean {
  return shopifyConfigSchema.safeParse(env).success;
}

/**
 * The edge worker's RPC surface. The binding's generated type is a plain `Service` (wrangler cannot see
 * the other Worker's class from here); the contract in core/edge-api.ts is what the edge implements.
 */
export function edgeApi(env: AppBindings): EdgeApiContract {
  return env.EDGE as unknown as EdgeApiContract;
}
