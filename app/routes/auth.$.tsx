import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { boundary } from "@shopify/shopify-app-remix/server";
import { authenticate } from "../shopify.server";

// Shopify's auth paths (/auth/session-token bounce page, /auth/exit-iframe): the library answers them.
export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  await authenticate.admin(request, context);
  return null;
};

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
