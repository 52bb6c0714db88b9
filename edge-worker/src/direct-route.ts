import { z } from "zod";
import { isStoreId } from "../../core/cache-key.ts";
import { PERSONAS, type PersonaSignals, type ShopSettings } from "../../core/types.ts";
import { shopBaseUrl } from "../../core/urls.ts";
import { HttpError, badRequest, methodNotAllowed, notFound } from "./http-error.ts";
import { COUNTRY_VALUE, DIRECT_LOCALE_PARAMS, LANGUAGE_VALUE } from "./markets/page-locale.ts";
import { servePersonaPage, type PersonaPageRequest } from "./shopper-page.ts";
import { loadSettings, peekSettings } from "./store-data.ts";

/**
 * `GET /s/<store>?shopper=<id>`: the direct route (tests, headless use). No customer data arrives
 * here; the shopper is the first-party cookie, else `?shopper=`, else a new id set as a cookie
 * (DESIGN.md step 1). Signals: `?persona=` override, UTM tags, the Referer, the visit cookies and
 * `?seen=` (categories looked at); the market from `?country=&language=`. Every input is bounded;
 * anything odd is a 4xx with the reason.
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
  // The shopper's market and language (markets/page-locale.ts); unknown ones get the shop's primary market.
  ...DIRECT_LOCALE_PARAMS,
};
type ParamName = keyof typeof PARAMS;
type Query = { [K in ParamName]?: z.output<(typeof PARAMS)[K]> };

function isParamName(name: string): name is ParamName {
  return Object.hasOwn(PARAMS, name);
}

// The hot parameters, checked by hand when their value is well-formed (zod runs only to word the
// error when it is not, so the messages stay zod's).
const PERSONA_SET: ReadonlySet<string> = new Set(PERSONAS);
const FAST_CHECKS: Partial<Record<ParamName, (value: string) => boolean>> = {
  shopper: (v) => SHOPPER_ID.test(v),
  persona: (v) => PERSONA_SET.has(v),
  country: (v) => COUNTRY_VALUE.test(v),
  language: (v) => v.length <= 35 && LANGUAGE_VALUE.test(v),
};

/**
 * The query string as application/x-www-form-urlencoded, read in plain JS (iterating
 * URLSearchParams crosses into the runtime per pair). Unknown parameters are skipped; a known one
 * given twice, bad percent-encoding or an invalid value is a 400 with the reason. A pair without
 * `%` or `+` needs no decoding.
 */
export function parseQuery(search: string): Query {
  const query: Query = {};
  if (search.length <= 1) return query;
  let seen = "";
  for (const pair of search.slice(1).split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    let name: string;
    let value: string;
    const encoded = pair.includes("%") || pair.includes("+");
    if (!encoded) {
      name = eq === -1 ? pair : pair.slice(0, eq);
      value = eq === -1 ? "" : pair.slice(eq + 1);
    } else {
      try {
        name = decodeURIComponent((eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, " "));
        value = eq === -1 ? "" : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, " "));
      } catch {
        throw badRequest("query string is not valid percent-encoding");
      }
    }
    if (!isParamName(name)) continue; // foreign tracking parameters (gclid, fbclid, ...) are ignored
    // Parameter names hold no space: a space-separated list of the ones read so far.
    if (seen.includes(` ${name} `)) throw badRequest(`parameter ${name} given more than once`);
    seen += ` ${name} `;
    const fast = FAST_CHECKS[name];
    if (fast?.(value)) {
      (query as Record<string, unknown>)[name] = value;
      continue;
    }
    const parsed = PARAMS[name].safeParse(value);
    if (!parsed.success) throw badRequest(parsed.error.issues.map((i) => `${[name, ...i.path].join(".")}: ${i.message}`).join("; "));
    (query as Record<string, unknown>)[name] = parsed.data;
  }
  return query;
}

/** The parts of a request URL the direct route reads (a URL object has them). */
export interface DirectUrl {
  pathname: string;
  search: string;
  /** The whole URL: with the Cookie and Referer headers it names what a request asks for. */
  href: string;
}

// A request URL whose path and query need no normalisation: `new URL` would give back exactly these
// characters (nothing in its query percent-encode set, nor "'"), so they are read from the string (parsing a URL showed up in a hit's profile).
const PLAIN_DIRECT_URL = /^https?:\/\/[^/?#]+(\/s\/[a-z0-9-]{1,100}\/?)(\?[A-Za-z0-9._~!$&()*+,;=:@/?%-]*)?$/;

/** Path and query of a `/s/...` request URL without a URL parser, or null when it needs one. */
export function plainDirectUrl(url: string): DirectUrl | null {
  const m = PLAIN_DIRECT_URL.exec(url);
  if (!m) return null;
  const search = m[2] ?? "";
  return { pathname: m[1]!, search: search === "?" ? "" : search, href: url };
}

/**
 * What the direct route reads from a request: a pure function of its URL, Cookie and Referer
 * (bar a new shopper's random id), so it is kept per isolate for requests that repeat them — a
 * shopper's next pages — along with the persona request made from it per settings snapshot.
 */
interface DirectRequest {
  base: Omit<PersonaPageRequest, "baseUrl">;
  /** The persona request for the settings snapshot it was made with. */
  forSettings?: { settings: ShopSettings; request: PersonaPageRequest };
}

const directRequests = new Map<string, DirectRequest>();
/** Requests remembered per isolate (a few hundred bytes each). */
const MAX_DIRECT_REQUESTS = 1000;

/** A request without cookies or Referer (a first page) is named by its URL alone. */
const directKey = (href: string, cookieHeader: string | null, referrer: string | null): string =>
  cookieHeader === null && referrer === null ? href : `${href}\u0000${cookieHeader ?? ""}\u0000${referrer ?? ""}`;

function directRequest(url: DirectUrl, cookieHeader: string | null, referrer: string | null, memoKey = directKey(url.href, cookieHeader, referrer)): DirectRequest {
  const known = directRequests.get(memoKey);
  if (known) return known;
  const { request, randomShopper } = readDirectRequest(url, cookieHeader, referrer);
  // A shopper given neither by cookie nor by ?shopper= gets a new random id on every such request.
  if (!randomShopper) {
    remember(memoKey, request);
    // Without cookies, the request is its URL's shape and its ?shopper= value: kept by shape too.
    const at = cookieHeader === null ? shopperValueAt(url.href) : null;
    if (at && url.href.slice(at.start, at.end) === request.base.shopperId) {
      if (shapes.size >= MAX_DIRECT_REQUESTS) shapes.clear();
      shapes.set(shapeKey(url.href, at, referrer), request.base);
    }
  }
  return request;
}

function remember(memoKey: string, request: DirectRequest): void {
  if (directRequests.size >= MAX_DIRECT_REQUESTS) directRequests.clear();
  directRequests.set(memoKey, request);
}

/**
 * Requests without cookies by their URL with the `?shopper=` value left out (and their Referer): what
 * they read is the same for every shopper id but the id and its cookie, so a new shopper whose URL has
 * a known shape is not parsed again (bounded like directRequests).
 */
const shapes = new Map<string, DirectRequest["base"]>();

/** Where the `shopper` parameter's value is in a URL's query (the first one), or null. */
function shopperValueAt(href: string): { start: number; end: number } | null {
  const query = href.indexOf("?");
  if (query === -1) return null;
  let name = href.startsWith("shopper=", query + 1) ? query + 1 : href.indexOf("&shopper=", query);
  if (name === -1) return null;
  if (href[name] === "&") name++;
  const start = name + "shopper=".length;
  const amp = href.indexOf("&", start);
  // (A request URL has no fragment.)
  return { start, end: amp === -1 ? href.length : amp };
}

const shapeKey = (href: string, at: { start: number; end: number }, referrer: string | null): string =>
  `${href.slice(0, at.start)}\u0000${href.slice(at.end)}\u0000${referrer ?? ""}`;

/**
 * A cookie-less request for a new shopper id in a URL shape already read: the shape's request with
 * this id, or undefined (then the request is read in full). The id is checked as the query parser
 * checks it; an id that is not plain (percent-encoded, invalid) is read in full, and refused there.
 */
function knownShape(href: string, referrer: string | null, memoKey: string): DirectRequest | undefined {
  const at = shopperValueAt(href);
  // (A longer id can take a known shape's query past the parser's limit: that one is read in full.)
  if (!at || href.length - href.indexOf("?") > MAX_QUERY_LENGTH) return undefined;
  const base = shapes.get(shapeKey(href, at, referrer));
  if (!base) return undefined;
  const shopperId = href.slice(at.start, at.end);
  if (!SHOPPER_ID.test(shopperId)) return undefined;
  const request: DirectRequest = { base: { ...base, shopperId, shopperCookie: shopperCookieOf(shopperId) } };
  remember(memoKey, request);
  return request;
}

function readDirectRequest(url: DirectUrl, cookieHeader: string | null, referrer: string | null): { request: DirectRequest; randomShopper: boolean } {
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

  const cookies = readCookies(cookieHeader);
  const cookieShopper = cookies.get("wand_shopper");
  const fromCookie = cookieShopper !== undefined && SHOPPER_ID.test(cookieShopper);
  const shopperId = fromCookie ? cookieShopper : (q.shopper ?? crypto.randomUUID());
  // A visit is a browser session: the counter goes up when the session cookie is absent.
  const storedVisits = Number.parseInt(cookies.get("wand_visits") ?? "0", 10);
  const newSession = !cookies.has("wand_session");
  const visits = q.visits ?? Math.min(10_000, (Number.isFinite(storedVisits) ? Math.max(0, storedVisits) : 0) + (newSession ? 1 : 0));

  const signals: PersonaSignals = {
    override: q.persona ?? null,
    utm: { source: q.utm_source ?? null, medium: q.utm_medium ?? null, campaign: q.utm_campaign ?? null, term: q.utm_term ?? null, content: q.utm_content ?? null },
    referrer: referrer ? referrer.slice(0, 512) : null,
    visitCount: visits,
    categoriesSeen: q.seen ?? [],
  };
  // The visit cookies are the same for most requests (a first page of a session): part of the
  // page's header template, so a hit appends only the shopper's own cookie.
  const sessionHeaders = newSession ? sessionCookies(visits) : undefined;
  const locale = q.country !== undefined || q.language !== undefined ? { country: q.country ?? null, language: q.language ?? null } : undefined;
  const shopperCookie = cookieShopper === shopperId ? undefined : shopperCookieOf(shopperId);
  const base: DirectRequest["base"] = { store, shopperId, signals, allowOverride: true };
  if (sessionHeaders) base.headers = sessionHeaders;
  if (shopperCookie) base.shopperCookie = shopperCookie;
  if (locale) base.locale = locale;
  return {
    request: { base },
    randomShopper: !fromCookie && q.shopper === undefined,
  };
}

/** The page as the direct route answers it (the shopper's new cookie is among its headers). */
function finish(method: string, page: Response): Response {
  // The page's own Response (mutable headers, a string body): re-wrapping it would turn the body
  // into a stream and cost a good part of a cache hit's throughput.
  return method === "HEAD" ? new Response(null, page) : page;
}

const isDirectMethod = (method: string): boolean => method === "GET" || method === "HEAD";

/**
 * The direct route for a request whose URL may be a plain `/s/<store>?…` one (plainDirectUrl), or
 * null when it is not (the router parses it then). A request this isolate has seen — same URL,
 * cookies and Referer — is not read again.
 */
export function serveDirectHref(request: Request, href: string, env: Env, ctx: ExecutionContext): Response | Promise<Response> | null {
  // The origin holds no "/s/": a URL without it is another route's.
  if (!href.includes("/s/")) return null;
  const method = request.method;
  const headers = request.headers;
  const cookieHeader = headers.get("Cookie");
  const referrer = headers.get("Referer");
  const memoKey = directKey(href, cookieHeader, referrer);
  const known = directRequests.get(memoKey) ?? (cookieHeader === null && isDirectMethod(method) ? knownShape(href, referrer, memoKey) : undefined);
  const url = known ? null : plainDirectUrl(href);
  if (!known && !url) return null;
  if (!isDirectMethod(method)) throw methodNotAllowed(ALLOW);
  return serveKnown(method, known ?? directRequest(url!, cookieHeader, referrer, memoKey), env, ctx);
}

export function serveDirect(request: Request, url: DirectUrl, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
  const method = request.method;
  if (!isDirectMethod(method)) throw methodNotAllowed(ALLOW);
  const headers = request.headers;
  return serveKnown(method, directRequest(url, headers.get("Cookie"), headers.get("Referer")), env, ctx);
}

function serveKnown(method: string, d: DirectRequest, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
  // Settings first, for the shop's base URL (servePersonaPage answers 404/503 when there are none).
  const known = peekSettings(env, d.base.store);
  if (known) {
    let made = d.forSettings;
    if (made?.settings !== known) d.forSettings = made = { settings: known, request: { ...d.base, baseUrl: shopBaseUrl(known.shopDomain), settings: known, reused: true } };
    const page = servePersonaPage(env, ctx, made.request);
    return page instanceof Response ? finish(method, page) : page.then((p) => finish(method, p));
  }
  return (async () => {
    let settings: ShopSettings | null = null;
    try {
      settings = await loadSettings(env, d.base.store, ctx);
    } catch {
      // servePersonaPage reads them again and answers 503
    }
    const baseUrl = settings ? shopBaseUrl(settings.shopDomain) : "";
    return finish(method, await servePersonaPage(env, ctx, { ...d.base, baseUrl, ...(settings ? { settings } : {}) }));
  })();
}

// The session cookies of a first page by visit count (bounded: past 100 they are built per request).
const sessionCookieSets = new Map<number, { key: string; pairs: [string, string][] }>();

function sessionCookies(visits: number): { key: string; pairs: [string, string][] } {
  let known = sessionCookieSets.get(visits);
  if (!known) {
    known = {
      key: `session ${visits}`,
      pairs: [
        ["Set-Cookie", cookie("wand_visits", String(visits), YEAR_SECONDS)],
        ["Set-Cookie", cookie("wand_session", "1", null)],
      ],
    };
    if (visits <= 100) sessionCookieSets.set(visits, known);
  }
  return known;
}

const shopperCookieOf = (shopperId: string): string => cookie("wand_shopper", shopperId, YEAR_SECONDS);

function cookie(name: string, value: string, maxAge: number | null): string {
  return `${name}=${value}; Path=/s/; HttpOnly; SameSite=Lax${maxAge === null ? "" : `; Max-Age=${maxAge}`}`;
}

const NO_COOKIES: ReadonlyMap<string, string> = new Map();

function readCookies(header: string | null): ReadonlyMap<string, string> {
  if (!header || header.length > 4096) return NO_COOKIES;
  const jar = new Map<string, string>();
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return jar;
}
