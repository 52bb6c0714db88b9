/**
 * The front door of the setup guide test's single `wrangler dev` (setup-guide-workers.ts): the admin
 * and the edge run as auxiliary Workers of one workerd, and only the first Worker of a multi-config
 * `wrangler dev` listens on a port. This one forwards by path, the request unchanged: the edge's own
 * routes (app proxy, shopper pages, ops API, health) to the edge, everything else (the embedded
 * admin and its assets) to the admin. Test-only; production has two hostnames.
 */
interface ServiceBinding {
  fetch(request: Request): Promise<Response>;
}

const EDGE_PATHS = /^\/(proxy(\/|$)|s\/|ops\/|healthz$|pixel$)/;

export default {
  fetch(request: Request, env: { ADMIN: ServiceBinding; EDGE: ServiceBinding }): Promise<Response> {
    return (EDGE_PATHS.test(new URL(request.url).pathname) ? env.EDGE : env.ADMIN).fetch(request);
  },
};
