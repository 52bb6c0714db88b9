import { z } from "zod";
import { isStoreId } from "../../../core/cache-key.ts";
import { FUNNEL_EVENTS, SHOPPER_HASH_PATTERN, exposureDay, type FunnelEvent } from "../../../core/experiment.ts";
import { HttpError, methodNotAllowed } from "../http-error.ts";
import { loadSettings } from "../store-data.ts";

/**
 * `POST /pixel`: funnel events from the web pixel (extensions/wand-pixel), one small JSON body
 *   { "store": "<store id>", "shopper": "<16 hex shopper hash>", "events": ["product_viewed", …] }
 * sent with fetch keepalive from Shopify's pixel sandbox, so cross-origin without credentials.
 *
 * Anyone can post here (a pixel holds no secret), so the endpoint only ever adds "this exposed shopper
 * did X on this day" rows, idempotently, and the ExposureLog drops events of shoppers it never
 * served: a forged event can at most mark a real shopper's funnel step, once. Orders, the measure the
 * verdict rests on, come from verified webhooks instead. Every body is bounded (size, batch length,
 * formats) and each isolate limits events per store and per shopper. The answer is 204 at once; the
 * write (and the check that the store is installed) runs in ctx.waitUntil.
 */

export const PIXEL_PATH = "/pixel";
export const MAX_BODY_BYTES = 2048;
export const MAX_EVENTS = 10;
/** Per isolate and minute: events one shopper may send, and all shoppers of one store together. */
export const SHOPPER_EVENTS_PER_MINUTE = 60;
export const STORE_EVENTS_PER_MINUTE = 6000;

const CORS = { "Access-Control-Allow-Origin": "*", "Cache-Control": "no-store" } as const;

const PixelBody = z.strictObject({
  store: z.string().refine(isStoreId, "store must be a store id"),
  shopper: z.string().regex(SHOPPER_HASH_PATTERN, "shopper must be 16 hex characters"),
  events: z.array(z.enum(FUNNEL_EVENTS)).min(1).max(MAX_EVENTS, `at most ${MAX_EVENTS} events`),
});

/** A fixed-window counter per key, its memory bounded (the oldest windows go first). */
export class WindowLimiter {
  private readonly windows = new Map<string, { start: number; used: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Takes `n` from the key's window; false (taking nothing) when that would pass the limit. */
  take(key: string, n: number, now: number): boolean {
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      this.windows.delete(key);
      if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
      w = { start: now, used: 0 };
      this.windows.set(key, w);
    }
    if (w.used + n > this.limit) return false;
    w.used += n;
    return true;
  }

  /** The time until the key's window restarts. */
  retryAfterMs(key: string, now: number): number {
    const w = this.windows.get(key);
    return w ? Math.max(0, this.windowMs - (now - w.start)) : 0;
  }
}

const shopperLimiter = new WindowLimiter(SHOPPER_EVENTS_PER_MINUTE, 60_000);
const storeLimiter = new WindowLimiter(STORE_EVENTS_PER_MINUTE, 60_000, 2000);

export async function handlePixel(request: Request, env: Env, ctx: ExecutionContext, now = Date.now()): Promise<Response> {
  if (request.method === "OPTIONS") {
    return new Response(null, {
      status: 204,
      headers: { ...CORS, "Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": "Content-Type", "Access-Control-Max-Age": "86400" },
    });
  }
  if (request.method !== "POST") throw withCors(methodNotAllowed(["POST", "OPTIONS"]));

  const body = await parseBody(request);
  const day = exposureDay(now);
  const shopperKey = `${body.store}\u0000${body.shopper}`;
  if (!shopperLimiter.take(shopperKey, body.events.length, now)) throw tooMany(shopperLimiter.retryAfterMs(shopperKey, now));
  if (!storeLimiter.take(body.store, body.events.length, now)) throw tooMany(storeLimiter.retryAfterMs(body.store, now));

  ctx.waitUntil(writeEvents(env, ctx, body.store, { day, shopper: body.shopper, events: body.events }));
  return new Response(null, { status: 204, headers: CORS });
}

async function parseBody(request: Request): Promise<z.output<typeof PixelBody>> {
  const declared = Number(request.headers.get("Content-Length"));
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const text = await readBounded(request, MAX_BODY_BYTES);
  if (text === null) throw tooLarge();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw withCors(new HttpError(400, "bad_request", "the body must be JSON"));
  }
  const parsed = PixelBody.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw withCors(new HttpError(400, "bad_request", `${issue.path.join(".") || "body"}: ${issue.message}`));
  }
  return parsed.data;
}

/** The body as text, or null once it passes `max` bytes (read no further than that). */
async function readBounded(request: Request, max: number): Promise<string | null> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

async function writeEvents(env: Env, waiter: ExecutionContext, store: string, batch: { day: string; shopper: string; events: FunnelEvent[] }): Promise<void> {
  try {
    // Only installed stores get an exposure log written; an unknown store's events are dropped.
    if (!(await loadSettings(env, store, waiter))) return;
    await env.EXPOSURES.getByName(store).recordFunnel(batch);
  } catch (error) {
    console.warn("funnel events not recorded", store, error);
  }
}

function withCors(error: HttpError): HttpError {
  return new HttpError(error.status, error.code, error.message, { ...error.headers, ...CORS });
}

function tooLarge(): HttpError {
  return withCors(new HttpError(413, "payload_too_large", `the body is limited to ${MAX_BODY_BYTES} bytes`));
}

function tooMany(retryMs: number): HttpError {
  return withCors(new HttpError(429, "too_many_requests", "too many funnel events; slow down", { "Retry-After": String(Math.max(1, Math.ceil(retryMs / 1000))) }));
}
