import { type LoaderFunctionArgs, redirect } from "@remix-run/cloudflare";
import { localModeEnabled } from "../local-mode.server";

/**
 * The app's URL. Opened from the Shopify admin it carries ?shop=… and goes on to the embedded app;
 * opened directly it goes to the login form (or, in local mode, to the demo shop's dashboard).
 */
export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop") || localModeEnabled(context.cloudflare.env)) throw redirect(`/app${url.search}`);
  throw redirect("/auth/login");
};
