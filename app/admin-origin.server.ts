import type { Session } from "@shopify/shopify-api";
import { createAdminGraphql, type AdminGraphql } from "../core/admin-graphql.ts";
import type { AppBindings } from "./env.server";

const LOOPBACK_ORIGIN = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+$/;

/**
 * Where the Admin API is: the shop itself, or (tests only) an Admin-GraphQL-speaking server on a
 * loopback address named by SHOPIFY_ADMIN_API_ORIGIN. Any other value is ignored, so a stray
 * setting can never send a shop's token anywhere but to Shopify.
 */
export function adminOrigin(env: AppBindings): string | undefined {
  const origin = env.SHOPIFY_ADMIN_API_ORIGIN;
  return origin && LOOPBACK_ORIGIN.test(origin) ? origin : undefined;
}

/** The Admin GraphQL client of a shop's session (two attempts: install-time calls must not hang). */
export function sessionAdminGraphql(env: AppBindings, session: Session, apiVersion: string): AdminGraphql {
  return createAdminGraphql({ shopDomain: session.shop, accessToken: session.accessToken ?? "", apiVersion, origin: adminOrigin(env), maxAttempts: 2 });
}
