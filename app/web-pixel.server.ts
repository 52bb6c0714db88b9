import type { Session } from "@shopify/shopify-api";
import { z } from "zod";
import type { AdminGraphql } from "../core/admin-graphql.ts";
import { sessionAdminGraphql } from "./admin-origin.server";
import { db } from "./db.server";
import type { AppBindings } from "./env.server";

/**
 * Activating the web pixel (extensions/wand-pixel) on a shop. A web pixel extension runs on a shop
 * only once the app has created its pixel record there with `webPixelCreate`, giving it the settings
 * the extension declares in shopify.extension.toml (`store`, `endpoint`; Shopify validates them
 * against that definition). Scope: write_pixels.
 *
 * Idempotent: a shop has at most one pixel of this app, so a second create answers TAKEN; then the
 * pixel is read and updated only if its settings differ. The outcome is kept in WebPixelActivation,
 * so a failure (Shopify down, scope not yet granted, EDGE_PUBLIC_URL unset) is logged, never blocks
 * the install, and is tried again when the merchant next opens the app (`ensureWebPixel`).
 */

/** The settings of extensions/wand-pixel/shopify.extension.toml ([settings.fields.*]). */
export interface PixelSettings {
  store: string;
  endpoint: string;
}

/** A failed activation is tried again on an open at most this often (not on every navigation). */
export const RETRY_AFTER_MS = 5 * 60_000;

const PIXEL_FIELDS = `
      webPixel {
        id
        settings
      }
      userErrors {
        code
        field
        message
      }`;

const CREATE = `#graphql
  mutation WandWebPixelCreate($webPixel: WebPixelInput!) {
    webPixelCreate(webPixel: $webPixel) {${PIXEL_FIELDS}
    }
  }
`;

const UPDATE = `#graphql
  mutation WandWebPixelUpdate($id: ID!, $webPixel: WebPixelInput!) {
    webPixelUpdate(id: $id, webPixel: $webPixel) {${PIXEL_FIELDS}
    }
  }
`;

// Without an id, webPixel is the pixel of the app asking.
const READ = `#graphql
  query WandWebPixel {
    webPixel {
      id
      settings
    }
  }
`;

const pixelSchema = z.object({ id: z.string().min(1), settings: z.unknown() });
const userErrorSchema = z.object({ code: z.string().nullish(), field: z.array(z.string()).nullish(), message: z.string() });
const payloadSchema = z.object({ webPixel: pixelSchema.nullish(), userErrors: z.array(userErrorSchema) });

const envSchema = z.object({ EDGE_PUBLIC_URL: z.httpUrl() });

/** The pixel's settings for a shop: its store id and the edge's public POST /pixel URL. */
export function pixelSettings(env: AppBindings, store: string): PixelSettings | null {
  // EDGE_PUBLIC_URL (app/wrangler.jsonc vars): the edge worker's public origin, as the app proxy's url.
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) return null;
  return { store, endpoint: new URL("/pixel", parsed.data.EDGE_PUBLIC_URL).toString() };
}

export type PixelOutcome =
  | { state: "created" | "updated" | "unchanged"; pixelId: string }
  | { state: "failed"; error: string };

/** Creates (or brings up to date) the shop's pixel and records the outcome; never throws. */
export async function activateWebPixel(env: AppBindings, session: Session, store: string, apiVersion: string): Promise<PixelOutcome> {
  const settings = pixelSettings(env, store);
  let outcome: PixelOutcome;
  if (!settings) {
    outcome = { state: "failed", error: "EDGE_PUBLIC_URL is not set to the edge worker's https URL" };
  } else {
    try {
      const graphql = sessionAdminGraphql(env, session, apiVersion);
      outcome = await createOrUpdate(graphql, settings);
    } catch (error) {
      outcome = { state: "failed", error: error instanceof Error ? error.message : String(error) };
    }
  }
  if (outcome.state === "failed") console.error(`web pixel of ${session.shop} not activated (tried again on the next open): ${outcome.error}`);
  const row = {
    pixelId: outcome.state === "failed" ? null : outcome.pixelId,
    settings: outcome.state === "failed" || !settings ? null : JSON.stringify(settings),
    state: outcome.state === "failed" ? "failed" : "active",
    error: outcome.state === "failed" ? outcome.error.slice(0, 500) : null,
    attemptedAt: new Date(),
  };
  try {
    await db(env).webPixelActivation.upsert({ where: { shop: session.shop }, create: { shop: session.shop, ...row }, update: row });
  } catch (error) {
    console.error(`web pixel state of ${session.shop} not saved`, error);
  }
  return outcome;
}

/**
 * On an admin open: activates the pixel unless it is active with today's settings, or a failed
 * attempt is more recent than RETRY_AFTER_MS. Returns null when nothing had to be done.
 */
export async function ensureWebPixel(env: AppBindings, session: Session, store: string, apiVersion: string, now = Date.now()): Promise<PixelOutcome | null> {
  const settings = pixelSettings(env, store);
  const row = await db(env).webPixelActivation.findUnique({ where: { shop: session.shop } });
  if (row?.state === "active" && settings && row.settings === JSON.stringify(settings)) return null;
  if (row?.state === "failed" && now - row.attemptedAt.getTime() < RETRY_AFTER_MS) return null;
  return activateWebPixel(env, session, store, apiVersion);
}

async function createOrUpdate(graphql: AdminGraphql, settings: PixelSettings): Promise<PixelOutcome> {
  // The JSON scalar is sent as a JSON string, the form Shopify's own examples use.
  const webPixel = { settings: JSON.stringify(settings) };
  const created = payloadSchema.parse((await graphql.request(CREATE, { webPixel })).webPixelCreate);
  if (created.userErrors.length === 0 && created.webPixel) return { state: "created", pixelId: created.webPixel.id };
  if (!created.userErrors.some((e) => e.code === "TAKEN")) return { state: "failed", error: userErrorText("webPixelCreate", created.userErrors) };

  // The shop has this app's pixel already (a reinstall, or an earlier attempt that timed out).
  const existing = pixelSchema.parse((await graphql.request(READ)).webPixel);
  if (sameSettings(existing.settings, settings)) return { state: "unchanged", pixelId: existing.id };
  const updated = payloadSchema.parse((await graphql.request(UPDATE, { id: existing.id, webPixel })).webPixelUpdate);
  if (updated.userErrors.length === 0 && updated.webPixel) return { state: "updated", pixelId: updated.webPixel.id };
  return { state: "failed", error: userErrorText("webPixelUpdate", updated.userErrors) };
}

function userErrorText(mutation: string, errors: z.infer<typeof userErrorSchema>[]): string {
  if (errors.length === 0) return `${mutation} returned no pixel`;
  return `${mutation}: ${errors.map((e) => `${e.code ?? "ERROR"} ${e.message}`).join("; ")}`;
}

/** The JSON scalar arrives as a JSON string or as an object: compare what it holds. */
function sameSettings(actual: unknown, wanted: PixelSettings): boolean {
  let value = actual;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return false;
    }
  }
  if (!value || typeof value !== "object") return false;
  const rec = value as Record<string, unknown>;
  return Object.keys(rec).length === 2 && rec.store === wanted.store && rec.endpoint === wanted.endpoint;
}
