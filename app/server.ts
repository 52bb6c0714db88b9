import { createRequestHandler } from "@remix-run/cloudflare";
import * as build from "#admin-server-build";
import type { AppBindings } from "./env.server";

/**
 * The admin Worker. Static assets (app/build/client) are answered by Workers assets before this runs;
 * everything else is Remix, with the env and ctx passed to loaders as context.cloudflare.
 * `npm run build:admin` writes the server build this imports.
 */
const handleRemixRequest = createRequestHandler(build);

export default {
  async fetch(request, env, ctx) {
    return handleRemixRequest(request, { cloudflare: { env, ctx } });
  },
} satisfies ExportedHandler<AppBindings>;
