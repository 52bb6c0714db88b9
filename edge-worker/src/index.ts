import { handleAppProxy } from "./app-proxy/route.ts";
import { serveDirect, serveDirectHref } from "./direct-route.ts";
import { PIXEL_PATH, handlePixel } from "./experiment/funnel-endpoint.ts";
import { errorResponse, methodNotAllowed, notFound } from "./http-error.ts";
import { handleOps, isOpsPath } from "./ops-api.ts";

export { CatalogSync } from "./catalog/catalog-sync.ts";
export { EdgeApi } from "./edge-api.ts";
export { ExposureLog } from "./experiment/exposure-log.ts";
export { GeneratorContainer } from "./generator-container.ts";
export { LlmBreaker } from "./llm-breaker.ts";
export { PoolMember } from "./pool-member.ts";
export { StoreStats } from "./store-stats.ts";

/**
 * The shopper-facing Worker: a small router. Every error leaves through errorResponse (one shape,
 * 4xx with a reason; an unexpected fault is logged and answered 500 without details), whether it is
 * thrown on the synchronous memory-hit path or by a promise.
 */
export default {
  fetch(request, env, ctx): Response | Promise<Response> {
    try {
      // A plain `/s/<store>?…` URL is read without a URL parser; a memory hit then answers without a promise.
      const answer = serveDirectHref(request, request.url, env, ctx) ?? route(request, env, ctx);
      return answer instanceof Response ? answer : answer.catch((error: unknown) => errorResponse(error, request.method));
    } catch (error) {
      return errorResponse(error, request.method);
    }
  },
} satisfies ExportedHandler<Env>;

async function route(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === "/healthz") {
    if (request.method !== "GET" && request.method !== "HEAD") throw methodNotAllowed(["GET", "HEAD"]);
    return new Response(request.method === "HEAD" ? null : "ok", { headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });
  }
  if (url.pathname === "/s" || url.pathname.startsWith("/s/")) return await serveDirect(request, url, env, ctx);
  if (url.pathname === PIXEL_PATH) return await handlePixel(request, env, ctx);

  // App proxy: `/proxy` and `/proxy/...` go to edge-worker/src/app-proxy/route.ts, which verifies
  // the signature and calls servePersonaPage (shopper-page.ts) with baseUrl "" and allowOverride false.
  if (url.pathname === "/proxy" || url.pathname.startsWith("/proxy/")) return await handleAppProxy(request, env, ctx);
  // Ops endpoint for the cache CLI (bearer OPS_TOKEN: ops-api.ts).
  if (isOpsPath(url.pathname)) return await handleOps(request, env, ctx);

  throw notFound("no such route");
}
