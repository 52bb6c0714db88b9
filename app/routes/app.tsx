import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { Link, Outlet, useLoaderData } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { requireAdmin } from "../admin-context.server";
import { AppErrorBoundary } from "../components/app-error-boundary";
import { LocalModeBar } from "../components/local-mode-bar";
import { shopifyConfig } from "../env.server";
import { localShops } from "../local-mode.server";
import { API_VERSION } from "../shopify.server";
import { ensureWebPixel } from "../web-pixel.server";

/**
 * The authenticated layout: every /app/* page is below it. Embedded in the Shopify admin it loads
 * App Bridge (navigation in the admin's sidebar); in local mode there is no admin around it, so it
 * shows its own navigation and the demo shop switcher instead.
 */
export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request, context);
  if (admin.mode === "local") {
    return { mode: "local" as const, apiKey: "", shopDomain: admin.shopDomain, shops: await localShops(admin.env) };
  }
  // A web pixel whose activation failed at install is retried when the merchant opens the app
  // (at most every few minutes, recorded in WebPixelActivation), never holding the page up.
  context.cloudflare.ctx.waitUntil(
    ensureWebPixel(admin.env, admin.session, admin.store, API_VERSION).catch((error: unknown) => console.warn("web pixel activation not checked", admin.shopDomain, error)),
  );
  return { mode: "shopify" as const, apiKey: shopifyConfig(admin.env).SHOPIFY_API_KEY, shopDomain: admin.shopDomain, shops: [] };
};

export default function App() {
  const { mode, apiKey, shopDomain, shops } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp={mode === "shopify"} apiKey={apiKey}>
      {mode === "shopify" ? (
        <NavMenu>
          <Link to="/app" rel="home">
            Dashboard
          </Link>
          <Link to="/app/personas">Personas</Link>
          <Link to="/app/preview">Preview</Link>
          <Link to="/app/experiment">Experiment</Link>
        </NavMenu>
      ) : (
        <LocalModeBar shopDomain={shopDomain} shops={shops} />
      )}
      <Outlet />
    </AppProvider>
  );
}

// Shopify's boundary (through AppErrorBoundary): turns the library's auth responses (redirects,
// App Bridge bounce) into the right document, and keeps the headers Shopify needs on errors too.
export const ErrorBoundary = AppErrorBoundary;

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
