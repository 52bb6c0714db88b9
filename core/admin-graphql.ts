import { z } from "zod";

/**
 * A small Admin GraphQL client for work done with the shop's offline token (catalog sync). It keeps
 * Shopify's rate limits itself, because a sync asks for many pages in a row:
 * - GraphQL cost budget: every response carries `extensions.cost.throttleStatus`; before the next
 *   request it waits until the budget holds the last request's cost, and a THROTTLED error waits for
 *   exactly the missing points (at `restoreRate` points per second), then retries.
 * - HTTP 429: waits `Retry-After` seconds, then retries. 5xx and network errors: exponential backoff.
 * All of it bounded by `maxAttempts` per request and `maxWaitMs` per wait.
 * Platform-free (the admin app, the edge worker's catalog sync and Node scripts all use it): fetch and
 * timers are the caller's or the global object's, typed structurally below.
 */

export type WaitReason = "throttled" | "rate-limited" | "server-error" | "budget";

export interface AdminGraphqlOptions {
  shopDomain: string;
  accessToken: string;
  apiVersion: string;
  /** Defaults to https://<shopDomain>; tests point it at an HTTP server on 127.0.0.1. */
  origin?: string;
  maxAttempts?: number;
  maxWaitMs?: number;
  /** First backoff after a 5xx or network error (doubles per attempt); default 500 ms. */
  backoffBaseMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Called before every wait (for the sync's throttling figures). */
  onWait?: (ms: number, reason: WaitReason) => void;
  /** Defaults to the platform's global fetch (workerd, Node and browsers all have one). */
  fetch?: FetchLike;
}

/**
 * The part of the Fetch API this client uses, declared structurally: core/ has no platform types,
 * and every runtime that imports it (workerd, Node, browsers) passes its own `fetch` or has one.
 */
export interface FetchResponseLike {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  readonly body: { cancel(): Promise<void> } | null;
  json(): Promise<unknown>;
}
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string }) => Promise<FetchResponseLike>;

interface PlatformGlobals {
  fetch?: FetchLike;
  setTimeout?: (run: () => void, ms: number) => unknown;
}
const platform = globalThis as PlatformGlobals;

export type AdminGraphqlErrorKind = "unauthorized" | "http" | "graphql" | "gave-up" | "bad-response";

export class AdminGraphqlError extends Error {
  override name = "AdminGraphqlError";
  constructor(
    message: string,
    readonly kind: AdminGraphqlErrorKind,
    readonly status?: number,
  ) {
    super(message);
  }
}

const throttleStatusSchema = z.object({
  maximumAvailable: z.number(),
  currentlyAvailable: z.number(),
  restoreRate: z.number().positive(),
});

const responseSchema = z.object({
  data: z.record(z.string(), z.unknown()).nullish(),
  errors: z
    .array(z.object({ message: z.string(), extensions: z.object({ code: z.string().optional() }).loose().optional() }).loose())
    .optional(),
  extensions: z
    .object({
      cost: z
        .object({ requestedQueryCost: z.number(), actualQueryCost: z.number().nullish(), throttleStatus: throttleStatusSchema })
        .loose()
        .optional(),
    })
    .loose()
    .optional(),
});

type ThrottleStatus = z.infer<typeof throttleStatusSchema>;

export interface AdminGraphql {
  request(query: string, variables?: Record<string, unknown>): Promise<Record<string, unknown>>;
}

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    if (!platform.setTimeout) throw new Error("no setTimeout on this platform: pass `sleep`");
    platform.setTimeout(resolve, ms);
  });

export function createAdminGraphql(o: AdminGraphqlOptions): AdminGraphql {
  const endpoint = `${o.origin ?? `https://${o.shopDomain}`}/admin/api/${o.apiVersion}/graphql.json`;
  const maxAttempts = o.maxAttempts ?? 6;
  const maxWaitMs = o.maxWaitMs ?? 30_000;
  const sleep = o.sleep ?? defaultSleep;
  // Looked up per request, not captured: tests and runtimes may replace the global.
  const doFetch: FetchLike =
    o.fetch ??
    ((url, init) => {
      const send = platform.fetch;
      if (!send) throw new Error("no fetch on this platform: pass `fetch`");
      return send(url, init);
    });
  // What we last learnt of the shop's budget, and when: points restore while we are not asking.
  let budget: { status: ThrottleStatus; at: number; lastCost: number } | null = null;

  async function wait(ms: number, reason: WaitReason): Promise<void> {
    const bounded = Math.min(Math.max(0, Math.ceil(ms)), maxWaitMs);
    o.onWait?.(bounded, reason);
    if (bounded > 0) await sleep(bounded);
  }

  async function waitForBudget(): Promise<void> {
    if (!budget) return;
    const restored = ((Date.now() - budget.at) / 1000) * budget.status.restoreRate;
    const available = Math.min(budget.status.maximumAvailable, budget.status.currentlyAvailable + restored);
    if (available >= budget.lastCost) return;
    await wait(((budget.lastCost - available) / budget.status.restoreRate) * 1000, "budget");
  }

  const backoffBaseMs = o.backoffBaseMs ?? 500;
  const backoff = (attempt: number): number => Math.min(backoffBaseMs * 2 ** attempt, maxWaitMs);

  async function request(query: string, variables?: Record<string, unknown>): Promise<Record<string, unknown>> {
    let lastProblem = "no attempt made";
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      await waitForBudget();
      let response: FetchResponseLike;
      try {
        response = await doFetch(endpoint, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-Shopify-Access-Token": o.accessToken },
          body: JSON.stringify({ query, variables: variables ?? {} }),
        });
      } catch (error) {
        lastProblem = `network error: ${error instanceof Error ? error.message : String(error)}`;
        await wait(backoff(attempt), "server-error");
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        throw new AdminGraphqlError(`Shopify refused the access token (HTTP ${response.status})`, "unauthorized", response.status);
      }
      if (response.status === 429) {
        const retryAfter = Number(response.headers.get("Retry-After"));
        lastProblem = "HTTP 429 Too Many Requests";
        await response.body?.cancel();
        await wait(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : backoff(attempt), "rate-limited");
        continue;
      }
      if (response.status >= 500) {
        lastProblem = `HTTP ${response.status}`;
        await response.body?.cancel();
        await wait(backoff(attempt), "server-error");
        continue;
      }
      if (!response.ok) {
        throw new AdminGraphqlError(`Admin API answered HTTP ${response.status}`, "http", response.status);
      }
      let parsed: z.infer<typeof responseSchema>;
      try {
        parsed = responseSchema.parse(await response.json());
      } catch {
        throw new AdminGraphqlError("Admin API answered with something that is not a GraphQL response", "bad-response", response.status);
      }
      const cost = parsed.extensions?.cost;
      if (cost) budget = { status: cost.throttleStatus, at: Date.now(), lastCost: cost.requestedQueryCost };
      const errors = parsed.errors ?? [];
      if (errors.some((e) => e.extensions?.code === "THROTTLED")) {
        lastProblem = "THROTTLED";
        const missing = cost ? cost.requestedQueryCost - cost.throttleStatus.currentlyAvailable : 0;
        const ms = cost && missing > 0 ? (missing / cost.throttleStatus.restoreRate) * 1000 : backoff(attempt);
        // The budget wait before the retry would wait again for the same points.
        budget = null;
        await wait(ms, "throttled");
        continue;
      }
      // A partial result would be a partial catalog: any other error fails the request.
      if (errors.length > 0) {
        throw new AdminGraphqlError(`Admin API errors: ${errors.map((e) => e.message).join("; ")}`, "graphql", response.status);
      }
      if (!parsed.data) throw new AdminGraphqlError("Admin API response has no data", "bad-response", response.status);
      return parsed.data;
    }
    throw new AdminGraphqlError(`gave up after ${maxAttempts} attempts (${lastProblem})`, "gave-up");
  }

  return { request };
}
