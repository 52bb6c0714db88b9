import { z } from "zod";
import type { PersonaSignals } from "../../../core/types.ts";

/**
 * The cached profile of a verified, logged-in customer (orders count, total spent, tags) that feeds
 * persona detection as `signals.customer`.
 *
 * The page never waits for Shopify: the request reads the D1 `CustomerProfile` row (one primary-key
 * lookup), and when the row is missing or older than PROFILE_MAX_AGE_MS the refresh from the Admin
 * GraphQL API runs in `ctx.waitUntil`, with the shop's offline token from the `Session` table. The
 * first visit of a customer is therefore detected without the profile; the next one with it.
 */

/** Orders and spend change slowly; a day-old profile is still a good hint of loyalty. */
export const PROFILE_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** After a failed refresh, this isolate waits before asking Shopify again for the same customer. */
export const REFRESH_BACKOFF_MS = 5 * 60 * 1000;
export const ADMIN_API_VERSION = "2026-10";
const ADMIN_TIMEOUT_MS = 5_000;
const MAX_TAGS = 50;

export type CustomerSignal = NonNullable<PersonaSignals["customer"]>;

export interface CachedProfile {
  profile: CustomerSignal;
  fetchedAt: number;
}

/** D1 DATETIME values come as ISO strings (ours), "YYYY-MM-DD HH:MM:SS" (SQLite's default) or epoch ms. */
function parseDbTime(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return 0;
  const sqlite = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value) ? `${value.replace(" ", "T")}Z` : value;
  const ms = Date.parse(sqlite);
  return Number.isFinite(ms) ? ms : 0;
}

const TagsColumn = z.array(z.string()).catch([]);

export async function readCustomerProfile(db: D1Database, store: string, customerId: string): Promise<CachedProfile | null> {
  const row = await db
    .prepare("SELECT ordersCount, totalSpent, tags, fetchedAt FROM CustomerProfile WHERE store = ? AND customerId = ?")
    .bind(store, customerId)
    .first<{ ordersCount: number; totalSpent: number; tags: string; fetchedAt: unknown }>();
  if (!row) return null;
  let tags: string[] = [];
  try {
    tags = TagsColumn.parse(JSON.parse(row.tags));
  } catch {
    // A corrupt tags column costs the tags, not the page.
  }
  return {
    profile: { ordersCount: Number(row.ordersCount) || 0, totalSpent: Number(row.totalSpent) || 0, tags },
    fetchedAt: parseDbTime(row.fetchedAt),
  };
}

export async function writeCustomerProfile(db: D1Database, store: string, customerId: string, profile: CustomerSignal, fetchedAt = Date.now()): Promise<void> {
  await db
    .prepare(
      `INSERT INTO CustomerProfile (store, customerId, ordersCount, totalSpent, tags, fetchedAt) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (store, customerId) DO UPDATE SET ordersCount = excluded.ordersCount, totalSpent = excluded.totalSpent,
         tags = excluded.tags, fetchedAt = excluded.fetchedAt`,
    )
    .bind(store, customerId, profile.ordersCount, profile.totalSpent, JSON.stringify(profile.tags), new Date(fetchedAt).toISOString())
    .run();
}

const CUSTOMER_QUERY = `#graphql
  query WandCustomerProfile($id: ID!) {
    customer(id: $id) {
      numberOfOrders
      amountSpent { amount }
      tags
    }
  }`;

// UnsignedInt64 and Decimal are strings in Admin GraphQL; numbers are accepted too.
const numeric = z.union([z.string().regex(/^-?\d+(\.\d+)?$/), z.number()]).transform(Number);
const AdminCustomerResponse = z.object({
  data: z
    .object({
      customer: z
        .object({
          numberOfOrders: numeric,
          amountSpent: z.object({ amount: numeric }),
          tags: z.array(z.string()),
        })
        .nullable(),
    })
    .nullable()
    .optional(),
  errors: z.array(z.object({ message: z.string() })).optional(),
});

export type RefreshOutcome = "stored" | "no-session" | "failed";

const LOOPBACK_ORIGIN = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+\/?$/;

/**
 * Where the Admin API lives: the shop itself; for local runs and tests, a stand-in on a loopback
 * address named by SHOPIFY_ADMIN_API_ORIGIN (the admin app's rule too). Any other value is ignored,
 * so a stray setting can never send a shop's offline token anywhere but to Shopify.
 */
export function adminGraphqlUrl(env: Pick<Env, "SHOPIFY_ADMIN_API_ORIGIN">, shop: string): string {
  const local = env.SHOPIFY_ADMIN_API_ORIGIN;
  const origin = local && LOOPBACK_ORIGIN.test(local) ? local.replace(/\/+$/, "") : `https://${shop}`;
  return `${origin}/admin/api/${ADMIN_API_VERSION}/graphql.json`;
}

/** Fetches the customer from the Admin GraphQL API with the shop's offline token and stores the profile. */
export async function refreshCustomerProfile(
  env: Pick<Env, "DB" | "SHOPIFY_ADMIN_API_ORIGIN">,
  o: { store: string; shop: string; customerId: string },
): Promise<RefreshOutcome> {
  const session = await env.DB.prepare("SELECT accessToken FROM Session WHERE id = ?").bind(`offline_${o.shop}`).first<{ accessToken: string }>();
  if (!session?.accessToken) return "no-session";
  const response = await fetch(adminGraphqlUrl(env, o.shop), {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-Shopify-Access-Token": session.accessToken },
    body: JSON.stringify({ query: CUSTOMER_QUERY, variables: { id: `gid://shopify/Customer/${o.customerId}` } }),
    signal: AbortSignal.timeout(ADMIN_TIMEOUT_MS),
  });
  if (!response.ok) {
    console.warn(`customer profile: Admin API answered ${response.status} for ${o.shop}`);
    return "failed";
  }
  const parsed = AdminCustomerResponse.safeParse(await response.json());
  if (!parsed.success || parsed.data.errors?.length || !parsed.data.data) {
    console.warn(`customer profile: unusable Admin API answer for ${o.shop}`, parsed.success ? parsed.data.errors : parsed.error.issues);
    return "failed";
  }
  const customer = parsed.data.data.customer;
  // A customer Shopify no longer knows is stored as a blank profile, so it is not asked for again today.
  const profile: CustomerSignal = customer
    ? { ordersCount: customer.numberOfOrders, totalSpent: customer.amountSpent.amount, tags: customer.tags.slice(0, MAX_TAGS) }
    : { ordersCount: 0, totalSpent: 0, tags: [] };
  await writeCustomerProfile(env.DB, o.store, o.customerId, profile);
  return "stored";
}

// Per isolate: refreshes in flight (one per customer) and recent failures (backoff).
const inFlight = new Set<string>();
const failedAt = new Map<string, number>();
const FAILURE_MEMO_LIMIT = 1000;

/**
 * The customer's cached profile for this request (null when none yet), scheduling a refresh off the
 * request path when it is missing or old. Never throws: a D1 or Admin API fault costs the signal only.
 */
export async function customerSignalForRequest(
  env: Pick<Env, "DB" | "SHOPIFY_ADMIN_API_ORIGIN">,
  ctx: Pick<ExecutionContext, "waitUntil">,
  o: { store: string; shop: string; customerId: string },
  now = Date.now(),
): Promise<CustomerSignal | null> {
  let cached: CachedProfile | null = null;
  try {
    cached = await readCustomerProfile(env.DB, o.store, o.customerId);
  } catch (error) {
    console.warn("customer profile: D1 read failed", error);
  }
  if (!cached || now - cached.fetchedAt > PROFILE_MAX_AGE_MS) scheduleRefresh(env, ctx, o, now);
  return cached?.profile ?? null;
}

function scheduleRefresh(
  env: Pick<Env, "DB" | "SHOPIFY_ADMIN_API_ORIGIN">,
  ctx: Pick<ExecutionContext, "waitUntil">,
  o: { store: string; shop: string; customerId: string },
  now: number,
): void {
  const key = `${o.store}/${o.customerId}`;
  const lastFailure = failedAt.get(key);
  if (inFlight.has(key) || (lastFailure !== undefined && now - lastFailure < REFRESH_BACKOFF_MS)) return;
  inFlight.add(key);
  const work = refreshCustomerProfile(env, o)
    .then((outcome) => {
      if (outcome === "stored") failedAt.delete(key);
      else remember(key, now);
    })
    .catch((error: unknown) => {
      console.warn("customer profile: refresh failed", error);
      remember(key, now);
    })
    .finally(() => inFlight.delete(key));
  ctx.waitUntil(work);
}

function remember(key: string, now: number): void {
  if (failedAt.size >= FAILURE_MEMO_LIMIT) failedAt.delete(failedAt.keys().next().value as string);
  failedAt.set(key, now);
}

/** Test hook: forget this isolate's in-flight and backoff state. */
export function resetCustomerProfileState(): void {
  inFlight.clear();
  failedAt.clear();
}
