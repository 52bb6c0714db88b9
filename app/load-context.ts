import type { AppBindings } from "./env.server";

// What app/server.ts passes to every loader and action (and what tests build by hand).
declare module "@remix-run/cloudflare" {
  interface AppLoadContext {
    cloudflare: {
      env: AppBindings;
      ctx: Pick<ExecutionContext, "waitUntil">;
    };
  }
}

export {};
