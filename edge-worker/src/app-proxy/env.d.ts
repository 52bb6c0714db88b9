/**
 * Bindings the app-proxy route reads beyond those in wrangler.jsonc.
 *
 * SHOPIFY_API_SECRET: the app's client secret that signs app-proxy requests. A secret in production
 *   (`wrangler secret put SHOPIFY_API_SECRET`); `.dev.vars` for `wrangler dev`; a miniflare binding in
 *   vitest.config.ts for the workerd tests. Unset → every proxy request is refused (401).
 * SHOPIFY_ADMIN_API_ORIGIN: local and test only — a loopback origin (http://127.0.0.1:<port>) of an
 *   Admin-GraphQL stand-in, used instead of `https://<shop>`; any other value is ignored. Unset in
 *   production. (The admin app reads the same name with the same rule.)
 */
interface AppProxyBindings {
  SHOPIFY_API_SECRET?: string;
  SHOPIFY_ADMIN_API_ORIGIN?: string;
}

interface Env extends AppProxyBindings {}
declare namespace Cloudflare {
  interface Env extends AppProxyBindings {}
}
