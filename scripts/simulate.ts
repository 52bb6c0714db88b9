import { createHmac } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { decode } from "turbo-stream";
import { CART_ATTRIBUTES, EXPOSURE_HEADER, parseExposure, type Arm, type ExposureMark } from "../core/experiment.ts";
import { PERSONAS } from "../core/types.ts";
import { seededRandom } from "../core/seeded-random.ts";
import { readDevVar } from "./cache/dev-vars.ts";

/**
 * `npm run simulate`: seeded synthetic shoppers and orders through the REAL local stack of a running
 * `npm start`, so the admin's Experiment page fills up the way it would in a shop.
 *   1. (--holdout) the demo shop's holdout percent is saved through the admin's Personas action;
 *   2. every shopper gets a page from the edge, `GET /s/<store>?shopper=…&persona=…` (personas in
 *      turn, so all occur; the edge decides the arm), and the exposure the page declares is read from
 *      its `Wand-Exposure` header — the shopper hash is the edge's, never recomputed here;
 *   3. some shoppers send funnel events to the edge's `POST /pixel` (added to cart), as the web pixel;
 *   4. buyers' orders go to the admin's `POST /webhooks/orders/create`, signed like Shopify signs
 *      (base64 HMAC-SHA256 of the body with the app's secret) and carrying the `_wand_*` note
 *      attributes; a few orders without them stand for shoppers outside the experiment.
 * Conversion is `--rate` in the holdout and `rate × (1 + uplift)` with WandStore (the true effect).
 * The same --seed sends the same shoppers, ids and orders again: a rerun on the same day changes
 * nothing (exposures are distinct per day, orders idempotent by id and event id).
 *
 * The app's local secret: `npm start` writes edge-worker/.dev.vars (SHOPIFY_API_SECRET, the app
 * proxy's signing secret) and gives the admin the same secret and LOCAL_API_KEY, as one app has one
 * secret in production; this script reads it from there (or SHOPIFY_API_SECRET in the environment).
 */

export const LOCAL_API_KEY = "wandstore-local";
export const API_VERSION = "2026-10";
const REPO_ROOT = resolve(import.meta.dirname, "..");

export interface SimulateOptions {
  edgeUrl: string;
  adminUrl: string;
  store: string;
  shopDomain: string;
  secret: string;
  shoppers: number;
  /** True relative uplift of conversion with WandStore (0.15 = +15 %). */
  uplift: number;
  /** Conversion rate of the holdout. */
  rate: number;
  seed: number;
  /** Holdout percent to save first; null keeps the shop's. */
  holdout: number | null;
  log?: (line: string) => void;
}

export interface Delivery {
  orderId: string;
  body: string;
  headers: Record<string, string>;
}

export interface SimulationSummary {
  store: string;
  holdoutPercent: number | null;
  visitors: Record<Arm, number>;
  orders: Record<Arm, number>;
  buyers: Record<Arm, number>;
  revenue: Record<Arm, number>;
  addedToCart: Record<Arm, number>;
  notInExperiment: number;
  /** Every webhook sent, to send again (redelivery must change nothing). */
  deliveries: Delivery[];
}


/** Shopify's webhook signature: base64 HMAC-SHA256 of the raw body with the app's secret. */
export function webhookHmac(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

export async function deliver(adminUrl: string, d: Delivery): Promise<void> {
  const response = await call(`${adminUrl}/webhooks/orders/create`, { method: "POST", headers: d.headers, body: d.body });
  if (response.status !== 200) throw new Error(`the admin answered ${response.status} to order ${d.orderId}: ${(await response.text()).slice(0, 300)}`);
}

/** fetch, with a failure to connect said as what it means here. */
async function call(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new Error(`cannot reach ${new URL(url).origin} (${cause}): is \`npm start\` running? (--edge, --admin)`);
  }
}

/** Runs `work` over items, `limit` at a time, in order of the items. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export async function simulate(o: SimulateOptions): Promise<SimulationSummary> {
  const log = o.log ?? ((line: string) => console.log(line));
  const rand = seededRandom(o.seed);
  const zero = (): Record<Arm, number> => ({ wand: 0, holdout: 0 });
  const summary: SimulationSummary = {
    store: o.store,
    holdoutPercent: o.holdout,
    visitors: zero(),
    orders: zero(),
    buyers: zero(),
    revenue: zero(),
    addedToCart: zero(),
    notInExperiment: 0,
    deliveries: [],
  };
  if (o.holdout !== null) {
    await saveHoldout(o.adminUrl, o.shopDomain, o.holdout);
    log(`Saved a holdout of ${o.holdout} % for ${o.shopDomain} (Personas page).`);
  }

  // 1. Pages: every shopper once; the persona asked for in turn, the arm as the edge decides it.
  const shoppers = Array.from({ length: o.shoppers }, (_, i) => ({ id: `sim-${o.seed}-${i}`, persona: PERSONAS[i % PERSONAS.length]! }));
  const marks: ExposureMark[] = new Array(shoppers.length);
  const visit = async (i: number): Promise<ExposureMark | null> => {
    const s = shoppers[i]!;
    const response = await call(`${o.edgeUrl}/s/${o.store}?shopper=${encodeURIComponent(s.id)}&persona=${s.persona}`);
    const html = await response.text();
    if (response.status !== 200) throw new Error(`the edge answered ${response.status} to shopper ${s.id}: ${html.slice(0, 200)}`);
    return parseExposure(response.headers.get(EXPOSURE_HEADER));
  };
  const noExperiment = (i: number) =>
    new Error(`the page for ${shoppers[i]!.id} declares no experiment (no ${EXPOSURE_HEADER} header): is the shop's holdout above 0 %? (--holdout)`);
  // The first shopper waits until the edge serves the saved holdout (its settings snapshot is
  // refreshed on save, but an isolate may hold the old one a moment). Its earlier pages carried no
  // experiment, so nothing was counted for them.
  for (let attempt = 0; ; attempt++) {
    const mark = await visit(0);
    if (mark) {
      marks[0] = mark;
      break;
    }
    if (o.holdout === null || attempt >= 60) throw noExperiment(0);
    await new Promise((r) => setTimeout(r, 500));
  }
  await eachLimited([...shoppers.keys()].slice(1), 6, async (i) => {
    const mark = await visit(i);
    if (!mark) throw noExperiment(i);
    marks[i] = mark;
  });
  for (const m of marks) summary.visitors[m.arm]++;

  // What each shopper does, drawn in shopper order so a seed decides it whatever the timing.
  const plans = marks.map((mark) => {
    const p = mark.arm === "wand" ? o.rate * (1 + o.uplift) : o.rate;
    const buys = rand() < p;
    const addsToCart = buys || rand() < p;
    const orders = buys ? (rand() < 0.15 ? 2 : 1) : 0;
    const subtotals = Array.from({ length: orders }, () => (20 + Math.floor(rand() * 10_000) / 100).toFixed(2));
    return { mark, addsToCart, subtotals };
  });

  // 2. Funnel events, after the exposures had a moment to be written (the edge writes them in the
  //    background; an event of a shopper it has not stored yet is dropped, as designed).
  await new Promise((r) => setTimeout(r, 1000));
  await eachLimited(
    plans.filter((p) => p.addsToCart),
    6,
    async (p) => {
      const response = await call(`${o.edgeUrl}/pixel`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ store: o.store, shopper: p.mark.shopper, events: ["product_viewed", "product_added_to_cart"] }),
      });
      if (response.status !== 204) throw new Error(`the edge answered ${response.status} to a pixel event: ${await response.text()}`);
      summary.addedToCart[p.mark.arm]++;
    },
  );

  // 3. Orders through the webhook: the buyers', and some from outside the experiment.
  const now = new Date();
  let n = 0;
  const order = (subtotal: string, attributes: { name: string; value: string }[]): Delivery => {
    n++;
    // Numeric ids unique per seed and order, as Shopify's are.
    const orderId = `${9}${String(o.seed % 1_000_000).padStart(6, "0")}${String(n).padStart(7, "0")}`;
    const body = JSON.stringify({
      id: Number(orderId),
      admin_graphql_api_id: `gid://shopify/Order/${orderId}`,
      created_at: now.toISOString(),
      current_subtotal_price: subtotal,
      currency: "USD",
      test: false,
      note_attributes: attributes,
    });
    return {
      orderId,
      body,
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": webhookHmac(body, o.secret),
        "X-Shopify-Shop-Domain": o.shopDomain,
        "X-Shopify-API-Version": API_VERSION,
        "X-Shopify-Webhook-Id": `sim-webhook-${orderId}`,
        "X-Shopify-Event-Id": `sim-event-${orderId}`,
        "X-Shopify-Triggered-At": now.toISOString(),
      },
    };
  };
  for (const p of plans) {
    if (p.subtotals.length === 0) continue;
    summary.buyers[p.mark.arm]++;
    for (const subtotal of p.subtotals) {
      summary.deliveries.push(
        order(subtotal, [
          { name: CART_ATTRIBUTES.shopper, value: p.mark.shopper },
          { name: CART_ATTRIBUTES.arm, value: p.mark.arm },
          { name: CART_ATTRIBUTES.persona, value: p.mark.persona },
        ]),
      );
      summary.orders[p.mark.arm]++;
      summary.revenue[p.mark.arm] += Number(subtotal);
    }
  }
  const outside = Math.max(1, Math.round(o.shoppers / 40));
  for (let i = 0; i < outside; i++) summary.deliveries.push(order((30 + i).toFixed(2), []));
  summary.notInExperiment = outside;
  await eachLimited(summary.deliveries, 4, (d) => deliver(o.adminUrl, d));

  log(`Simulated ${o.shoppers} shoppers on ${o.store} (seed ${o.seed}, holdout rate ${(o.rate * 100).toFixed(1)} %, true uplift ${(o.uplift * 100).toFixed(0)} %):`);
  log("  arm       visitors  added to cart  buyers  orders  revenue");
  for (const arm of ["wand", "holdout"] as const) {
    log(
      `  ${arm.padEnd(8)}  ${String(summary.visitors[arm]).padStart(8)}  ${String(summary.addedToCart[arm]).padStart(13)}  ${String(summary.buyers[arm]).padStart(6)}  ${String(summary.orders[arm]).padStart(6)}  ${summary.revenue[arm].toFixed(2).padStart(8)}`,
    );
  }
  log(`  orders not in the experiment (no WandStore attributes): ${summary.notInExperiment}`);
  log(`  ${summary.deliveries.length} webhooks sent to ${o.adminUrl}/webhooks/orders/create`);
  return summary;
}

/**
 * Saves the holdout percent through the admin's Personas action (local mode), keeping every other
 * setting as the page's loader has it (Remix single fetch: `<route>.data`, turbo-stream encoded).
 */
async function saveHoldout(adminUrl: string, shopDomain: string, percent: number): Promise<void> {
  const url = `${adminUrl}/app/personas.data?shop=${encodeURIComponent(shopDomain)}`;
  const loaded = await routeData(await call(url), "routes/app.personas");
  const settings = (loaded as { settings?: Record<string, unknown> } | null)?.settings;
  if (!settings || !Array.isArray(settings.enabledPersonas)) throw new Error(`could not read the settings of ${shopDomain} from the admin (${url})`);
  const colours = (settings.colours ?? {}) as Record<string, string>;
  const form = new URLSearchParams();
  for (const p of settings.enabledPersonas as string[]) form.append("enabledPersonas", p);
  form.set("defaultPersona", String(settings.defaultPersona));
  form.set("brandVoice", String(settings.brandVoice ?? ""));
  for (const k of ["primary", "accent", "background", "text"]) form.set(`colours.${k}`, colours[k] ?? "");
  form.set("scope", String(settings.scope));
  form.set("holdoutPercent", String(percent));
  const saved = await routeData(await call(url, { method: "POST", body: form }), "routes/app.personas");
  if (!saved || (saved as { ok?: unknown }).ok !== true) throw new Error(`the admin did not save the holdout: ${JSON.stringify(saved)}`);
}

/** The data of one route from a single-fetch response (loader: `{ [route]: { data } }`; action: `{ data }`). */
async function routeData(response: Response, route: string): Promise<unknown> {
  if (!response.ok || !response.body) throw new Error(`the admin answered ${response.status} to ${response.url}`);
  const decoded = await decode(response.body);
  await decoded.done;
  const value = decoded.value as Record<string, unknown>;
  const entry = (route in value ? value[route] : value) as { data?: unknown; error?: unknown };
  if (entry && "error" in entry && entry.error !== undefined) throw new Error(`the admin's ${route} failed: ${JSON.stringify(entry.error)}`);
  return entry?.data ?? null;
}

/** The app's local secret (see the header). */
export function localAppSecret(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SHOPIFY_API_SECRET) return env.SHOPIFY_API_SECRET;
  const secret = readDevVar(resolve(REPO_ROOT, "edge-worker/.dev.vars"), "SHOPIFY_API_SECRET");
  if (!secret) throw new Error("no local app secret: run `npm start` once (it writes edge-worker/.dev.vars), or set SHOPIFY_API_SECRET");
  return secret;
}

function number(name: string, value: string, check: (n: number) => boolean, what: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || !check(n)) throw new Error(`--${name} must be ${what} (got ${JSON.stringify(value)})`);
  return n;
}

export function optionsFromArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): SimulateOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      store: { type: "string", default: "demo-apparel" },
      shoppers: { type: "string", default: "400" },
      uplift: { type: "string", default: "0.15" },
      rate: { type: "string", default: "0.08" },
      seed: { type: "string", default: "1" },
      holdout: { type: "string", default: "50" },
      edge: { type: "string", default: env.WAND_EDGE_URL ?? "http://127.0.0.1:8787" },
      admin: { type: "string", default: env.WAND_ADMIN_URL ?? "http://127.0.0.1:8787" },
    },
    strict: true,
  });
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(values.store)) throw new Error(`--store must be a store id such as demo-apparel (got ${JSON.stringify(values.store)})`);
  return {
    edgeUrl: values.edge.replace(/\/$/, ""),
    adminUrl: values.admin.replace(/\/$/, ""),
    store: values.store,
    shopDomain: `${values.store}.myshopify.com`,
    secret: localAppSecret(env),
    shoppers: number("shoppers", values.shoppers, (n) => Number.isInteger(n) && n >= 1 && n <= 100_000, "a whole number from 1 to 100000"),
    uplift: number("uplift", values.uplift, (n) => n > -1 && n <= 10, "a relative uplift above -1, e.g. 0.15"),
    rate: number("rate", values.rate, (n) => n > 0 && n < 1, "a conversion rate between 0 and 1"),
    seed: number("seed", values.seed, (n) => Number.isInteger(n) && n >= 0, "a whole number ≥ 0"),
    holdout: values.holdout === "keep" ? null : number("holdout", values.holdout, (n) => Number.isInteger(n) && n >= 1 && n <= 99, "a whole percent from 1 to 99, or keep"),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    await simulate(optionsFromArgs(process.argv.slice(2)));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
