import { z } from "zod";
import { isStoreId } from "../../core/cache-key.ts";
import { PERSONAS, type PersonaSignals, type ShopSettings } from "../../core/types.ts";
import { shopBaseUrl } from "../../core/urls.ts";
import { HttpError, badRequest, methodNotAllowed, notFound } from "./http-error.ts";
import { servePersonaPage } from "./shopper-page.ts";
import { loadSettings } from "./store-data.ts";

/**
 * `GET /s/<store>?shopper=<id>`: the direct route (tests, headless use). No customer data arrives
 * here; the shopper is the first-party cookie, else `?shopper=`, else a new id set as a cookie
 * (DESIGN.md step 1). Signals: `?persona=` override, UTM tags, the Referer, the visit cookies and
 * `?seen=` (categories looked at). Every input is bounded; anything odd is a 4xx with the reason.
 */

/** Longer query strings are refused (414): nothing legitimate here comes near it. */
export const MAX_QUERY_LENGTH = 2048;
const MAX_PATH_LENGTH = 256;
export const SHOPPER_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const ALLOW = ["GET", "HEAD"] as const;
const YEAR_SECONDS = 365 * 24 * 3600;

const shortText = z.string().max(200);
// One schema per parameter, applied to the parameters present only: zod runs without its JIT in
// workerd (no eval), and validating nine absent keys on every hit showed up in the profile.
const PARAMS = {
  shopper: z.string().regex(SHOPPER_ID, "shopper must be 1-64 letters, digits or ._:- (starting with a letter or digit)"),
  persona: z.enum(PERSONAS, { error: `persona must be one of ${PERSONAS.join(", ")}` }),
  utm_source: shortText,
  utm_medium: shortText,
  utm_campaign: shortText,
  utm_term: shortText,
  utm_content: shortText,
  visits: z.coerce.number().int().min(0).max(10_000),
  seen: z
    .string()
    .max(600)
    .transform((s) => s.split(",").map((c) => c.trim()).filter(Boolean))
    .pipe(z.array(z.string().max(64)).max(12, "at most 12 categories in seen")),
};
type ParamName = keyof typeof PARAMS;
type Query = { [K in ParamName]?: z.output<(typeof PARAMS)[K]> };

function isParamName(name: string): name is ParamName {
  return Object.hasOwn(PARAMS, name);
}

/**
 * The query string as application/x-www-form-urlencoded, read in plain JS (iterating
 * URLSearchParams crosses into the runtime per pair). Unknown parameters are skipped; a known one
 * given twice, bad percent-encoding or an invalid value is a 400 with the reason.
 */
export function parseQuery(search: string): Query {
  const query: Query = {};
  const seen = new Set<string>();
  if (search.length <= 1) return query;
  for (const pair of search.slice(1).split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent((eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, " "));
      value = eq === -1 ? "" : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, " "));
    } catch {
      throw badRequest("query string is not valid percent-encoding");
    }
    if (!isParamName(name)) continue; // foreign tracking parameters (gclid, fbclid, ...) are ignored
    if (seen.has(name)) throw badRequest(`parameter ${name} given more than once`);
    seen.add(name);
    const parsed = PARAMS[name].safeParse(value);
    if (!parsed.success) throw badRequest(parsed.error.issues.map((i) => `${[name, ...i.path].join(".")}: ${i.message}`).join("; "));
    Object.assign(query, { [name]: parsed.data });
  }
  return query;
}

export async function serveDirect(request: Request, url: URL, env: Env, ctx: ExecutionContext): Promise<Response> {
  if (!(ALLOW as readonly string[]).includes(request.method)) throw methodNotAllowed(ALLOW);
  if (url.pathname.length > MAX_PATH_LENGTH) throw new HttpError(414, "uri_too_long", "path too long");
  if (url.search.length > MAX_QUERY_LENGTH) throw new HttpError(414, "uri_too_long", `query string over ${MAX_QUERY_LENGTH} characters`);

  const match = /^\/s\/([^/]+)\/?$/.exec(url.pathname);
  if (!match) throw notFound("use /s/<store>");
  let store: string;
  try {
    store = decodeURIComponent(match[1]!);
  } catch {
    throw badRequest("store name is not valid percent-encoding");
  }
  if (!isStoreId(store)) throw badRequest("store name must be lowercase letters, digits and hyphens");

  const q = parseQuery(url.search);

  const cookies = readCookies(request.headers.get("Cookie"));
  const cookieShopper = cookies.get("wand_shopper");
  const shopperId = cookieShopper && SHOPPER_ID.test(cookieShopper) ? cookieShopper : (q.shopper ?? crypto.randomUUID());
  // A visit is a browser session: the counter goes up when the session cookie is absent.
  const storedVisits = Number.parseInt(cookies.get("wand_visits") ?? "0", 10);
  const newSession = !cookies.has("wand_session");
  const visits = q.visits ?? Math.min(10_000, (Number.isFinite(storedVisits) ? Math.max(0, storedVisits) : 0) + (newSession ? 1 : 0));

  const referrer = request.headers.get("Referer");
  const signals: PersonaSignals = {
    override: q.persona ?? null,
    utm: { source: q.utm_source ?? null, medium: q.utm_medium ?? null, campaign: q.utm_campaign ?? null, term: q.utm_term ?? null, content: q.utm_content ?? null },
    referrer: referrer ? referrer.slice(0, 512) : null,
    visitCount: visits,
    categoriesSeen: q.seen ?? [],
  };

  // Settings first, for the shop's base URL (servePersonaPage answers 404/503 when there are none).
  let settings: ShopSettings | null = null;
  try {
    settings = await loadSettings(env, store, ctx);
  } catch {
    // servePersonaPage reads them again and answers 503
  }
  const baseUrl = settings ? shopBaseUrl(settings.shopDomain) : "";
  const page = await servePersonaPage(env, ctx, { store, shopperId, signals, baseUrl, allowOverride: true, ...(settings ? { settings } : {}) });

  // The page's own Response (mutable headers, a string body): re-wrapping it would turn the body
  // into a stream and cost a good part of a cache hit's throughput.
  const response = request.method === "HEAD" ? new Response(null, page) : page;
  if (cookieShopper !== shopperId) response.headers.append("Set-Cookie", cookie("wand_shopper", shopperId, YEAR_SECONDS));
  if (newSession) {
    response.headers.append("Set-Cookie", cookie("wand_visits", String(visits), YEAR_SECONDS));
    response.headers.append("Set-Cookie", cookie("wand_session", "1", null));
  }
  return response;
}

function cookie(name: string, value: string, maxAge: number | null): string {
  return `${name}=${value}; Path=/s/; HttpOnly; SameSite=Lax${maxAge === null ? "" : `; Max-Age=${maxAge}`}`;
}

function readCookies(header: string | null): Map<string, string> {
  const jar = new Map<string, string>();
  if (!header || header.length > 4096) return jar;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return jar;
}
