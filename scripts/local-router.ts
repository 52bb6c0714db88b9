/**
 * The front door of a local `wrangler dev` that runs the admin and the edge in ONE workerd
 * (scripts/local-workers.ts: `npm start` and the setup guide's browser test). Only the first Worker
 * of a multi-config `wrangler dev` listens on a port, so this one comes first and forwards by path,
 * the request unchanged: the edge's own routes (app proxy, shopper pages, web pixel, ops API,
 * health) to the edge, everything else (the embedded admin, its assets, its webhooks) to the admin.
 * Local only; in production the two Workers have their own hostnames.
 */
interface ServiceBinding {
  fetch(request: Request): Promise<Response>;
}

const EDGE_PATHS = /^\/(proxy(\/|$)|s(\/|$)|ops(\/|$)|healthz$|pixel$)/;

export default {
  fetch(request: Request, env: { ADMIN: ServiceBinding; EDGE: ServiceBinding }): Promise<Response> {
    return (EDGE_PATHS.test(new URL(request.url).pathname) ? env.EDGE : env.ADMIN).fetch(request);
  },
};
