import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Work that must not hold up a response (the first catalog sync after install, resyncs from
 * products/* webhooks) runs in `ctx.waitUntil`. Shopify's afterAuth hook gets no request context,
 * so the caller that runs authenticate.admin() opens a scope and the hook finds `waitUntil` in it.
 */
type Waiter = Pick<ExecutionContext, "waitUntil">;

const scope = new AsyncLocalStorage<Waiter>();

export function withBackground<T>(ctx: Waiter, fn: () => T): T {
  return scope.run(ctx, fn);
}

/** Hands the task to the current request's waitUntil; without one (scripts), waits for it. */
export async function runInBackground(label: string, task: () => Promise<unknown>): Promise<void> {
  const guarded = task().then(
    () => undefined,
    (error: unknown) => console.error(`background task ${label} failed`, error),
  );
  const waiter = scope.getStore();
  if (waiter) waiter.waitUntil(guarded);
  else await guarded;
}
