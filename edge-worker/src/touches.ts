import { ARM_PROPERTY, type Arm } from "../../core/experiment.ts";
import { asciiHtml } from "../../core/ascii-html.ts";
import { escapeHtml } from "../../core/html.ts";
import { message, messagesFor, type MessageKey, type Messages } from "../../core/locales/index.ts";
import { PERSONA_PROPERTY } from "../../core/product-card.ts";
import { SLOT_ATTRIBUTE, isSlotName, type SlotName } from "../../core/slots.ts";
import { productUrl } from "../../core/urls.ts";
import { MemoryLru } from "./memory-cache.ts";
import type { Persona, PersonaSelection, PersonaSignals, ShopSettings } from "../../core/types.ts";

/**
 * Per-shopper touches on a shared persona page (DESIGN.md step 6): the marked slots get this
 * shopper's greeting, recently-viewed picks and loyalty note; and on the direct route, where the page
 * is not on the shop's origin, the page's root-relative links and forms are made absolute against the
 * shop's base URL (cached pages are always generated relative, for the app proxy). HTMLRewriter finds
 * the slots and rewrites the links once per page (preparePage); a request fills the slots by joining
 * strings. Only escaped text and catalog facts are inserted. Recently viewed picks come from the
 * persona's selection (bounded, already in memory), never from the whole catalog.
 */
export type SlotContent = Record<SlotName, string>;

/**
 * The per-request slot the edge places in every page itself (no page markup names it): the arm's
 * hidden input right after each add-to-cart form's `properties[_wand_persona]`. Holdout and wand
 * shoppers share a page's bytes, so the arm is a touch like the greeting; "" for a shopper not in the
 * experiment. The shopper's own exposure is not in the body (shopper-page.ts, EXPOSURE_HEADER).
 */
const EXPERIMENT_SLOTS = ["arm-input"] as const;
type ExperimentSlot = (typeof EXPERIMENT_SLOTS)[number];
export type TouchName = SlotName | ExperimentSlot;
/** A request's touches; an absent experiment slot stays empty. */
export type TouchContent = SlotContent & Partial<Record<ExperimentSlot, string>>;

const isTouchName = (name: string): name is TouchName => isSlotName(name) || (EXPERIMENT_SLOTS as readonly string[]).includes(name);

const ARM_INPUTS: Record<Arm, string> = {
  wand: `<input type="hidden" name="${ARM_PROPERTY}" value="wand">`,
  holdout: `<input type="hidden" name="${ARM_PROPERTY}" value="holdout">`,
};

/** The hidden input carrying the arm into an add-to-cart's line-item properties ("" outside the experiment). */
export function armInput(arm: Arm | null): string {
  return arm ? ARM_INPUTS[arm] : "";
}

const TAGLINES: Record<Persona, MessageKey> = {
  minimalist: "taglineMinimalist",
  explorer: "taglineExplorer",
  dealhunter: "taglineDealhunter",
  loyalist: "taglineLoyalist",
};
const ENGLISH = messagesFor("en").messages;

const MAX_RECENT = 3;

export function shopperTouches(o: {
  settings: ShopSettings;
  selection: PersonaSelection;
  persona: Persona;
  signals: PersonaSignals;
  baseUrl: string;
  signedIn: boolean;
  /** The page language's strings (core/locales); English when absent. */
  messages?: Messages;
}): SlotContent {
  const t = o.messages ?? ENGLISH;
  const shop = { shop: o.settings.shopName };
  const visits = o.signals.visitCount ?? 0;
  const welcome = message(t, visits > 1 ? "greetingWelcomeBack" : "greetingWelcome", shop);
  const greeting = `<p class="wand-greeting">${escapeHtml(welcome)} ${escapeHtml(t[TAGLINES[o.persona]])}</p>`;

  const seen = (o.signals.categoriesSeen ?? []).slice(0, 12).map((c) => c.trim().toLowerCase()).filter(Boolean);
  const picks = seen.length
    ? o.selection.products.filter((p) => p.available && seen.includes(p.productType.trim().toLowerCase())).slice(0, MAX_RECENT)
    : [];
  const recentlyViewed = picks.length
    ? `<section class="wand-recent" aria-labelledby="wand-recent-title"><h2 id="wand-recent-title">${escapeHtml(t.recentlyViewed)}</h2><ul>${picks
        .map((p) => `<li><a href="${escapeHtml(productUrl(o.baseUrl, p.handle))}">${escapeHtml(p.title)}</a></li>`)
        .join("")}</ul></section>`
    : "";

  const orders = o.signals.customer?.ordersCount ?? 0;
  let note = "";
  if (orders > 0) note = orders === 1 ? message(t, "loyaltyOneOrder", shop) : message(t, "loyaltyOrders", { ...shop, count: String(orders) });
  else if (o.signedIn) note = message(t, "loyaltySignedIn", shop);
  else if (visits >= 3) note = message(t, "loyaltyVisit", { count: String(visits) });
  const loyaltyNote = note ? `<p class="wand-loyalty">${escapeHtml(note)}</p>` : "";

  return { greeting, "recently-viewed": recentlyViewed, "loyalty-note": loyaltyNote };
}

// Prepared pages (slot positions found, links made absolute) per page and base URL.
const prepared = new MemoryLru<PreparedPage>(256, 16 * 1024 * 1024, 60_000);
// Marks a slot in a prepared page. Random per isolate, so no page content can forge it; made on
// first use, since workerd allows no random values at global scope.
let mark: string | null = null;
const slotMark = (): string => (mark ??= `<!--wand-slot-${crypto.randomUUID()}:`);
const MARK_END = "-->";

/**
 * A page split at its slots: `segments[i]`, then the content of `slots[i]`, then `segments[i + 1]`…
 * Built once per page and base URL by an HTMLRewriter pass; each request then only joins strings,
 * which keeps a cache hit close to the cost of returning the bytes (a rewriting pass per request
 * costs most of the throughput: see bench/edge-hits.ts).
 */
export interface PreparedPage {
  /** Identifies the page and base URL (memo key of its rendered forms). */
  id: string;
  segments: string[];
  slots: (TouchName | null)[];
}

/**
 * The HTMLRewriter pass: every marked slot's content is replaced by a marker (whatever the page's
 * markup around it), and with a base URL the page's root-relative links and forms become absolute.
 */
export async function preparePage(html: string, baseUrl: string, id = ""): Promise<PreparedPage> {
  const MARK = slotMark();
  let rewriter = new HTMLRewriter()
    .on(`[${SLOT_ATTRIBUTE}]`, {
      element(el) {
        const name = el.getAttribute(SLOT_ATTRIBUTE);
        el.setInnerContent(`${MARK}${isSlotName(name) ? name : ""}${MARK_END}`, { html: true });
      },
    })
    .on(`input[name="${PERSONA_PROPERTY}"]`, {
      element(el) {
        el.after(`${MARK}arm-input${MARK_END}`, { html: true });
      },
    });
  if (baseUrl) {
    const absolute = (value: string | null): string | null =>
      // Root-relative only: "//host/..." is protocol-relative and stays as it is.
      value && value.startsWith("/") && !value.startsWith("//") ? `${baseUrl}${value}` : null;
    rewriter = rewriter
      .on("a[href]", {
        element(el) {
          const href = absolute(el.getAttribute("href"));
          if (href) el.setAttribute("href", href);
        },
      })
      .on("form[action]", {
        element(el) {
          const action = absolute(el.getAttribute("action"));
          if (action) el.setAttribute("action", action);
        },
      });
  }
  // (Rendered forms are made ASCII and one-byte in renderPage, touches included.)
  const rewritten = await rewriter.transform(new Response(html)).text();
  const parts = rewritten.split(MARK);
  const segments = [parts[0]!];
  const slots: (TouchName | null)[] = [];
  for (const part of parts.slice(1)) {
    const end = part.indexOf(MARK_END);
    const name = part.slice(0, end);
    slots.push(isTouchName(name) ? name : null);
    segments.push(part.slice(end + MARK_END.length));
  }
  return { id, segments, slots };
}

/**
 * The prepared form of a page, from this isolate's memory when it was prepared recently. `pageId`
 * names the exact bytes (a served page's id includes its facts version); `html` may be a function,
 * called only when the memo does not hold the page, so a hit builds nothing. Only the finished value
 * is shared: a rewrite in flight belongs to the request that started it (workerd refuses its streams
 * to any other request).
 */
export async function preparedPage(pageId: string, html: string | (() => string), baseUrl: string): Promise<PreparedPage> {
  const memoKey = `${baseUrl} ${pageId}`;
  const known = prepared.get(memoKey);
  if (known) return known;
  const text = typeof html === "string" ? html : html();
  const page = await preparePage(text, baseUrl, memoKey);
  prepared.set(memoKey, page, text.length);
  return page;
}

/** The prepared form from this isolate's memory, or undefined (then preparedPage). */
export function preparedPageNow(pageId: string, baseUrl: string): PreparedPage | undefined {
  return prepared.get(`${baseUrl} ${pageId}`);
}

// Rendered pages by page and slot contents: most shoppers get the same touches (a first visit, no
// categories seen, one of two arms), and handing the runtime the same flat string again is markedly
// cheaper than a freshly concatenated one (bench/edge-hits.ts), so a hit's body is this string itself.
const rendered = new MemoryLru<string>(512, 16 * 1024 * 1024, 60_000);

function renderPage(page: PreparedPage, content: TouchContent): string {
  let out = page.segments[0]!;
  for (let i = 0; i < page.slots.length; i++) {
    const name = page.slots[i];
    out += (name ? (content[name] ?? "") : "") + page.segments[i + 1]!;
  }
  return oneByteHtml(out);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The page in ASCII and held by the engine as a one-byte string. References alone are not enough: a
 * substring or join of a string that once held a non-ASCII character stays a two-byte string in V8
 * even when every character left is ASCII, and a two-byte page costs about three times as much to
 * encode as the response body. Decoding fresh UTF-8 makes a new one-byte string (once per rendered
 * form, not per request).
 */
function oneByteHtml(html: string): string {
  return decoder.decode(encoder.encode(asciiHtml(html)));
}

/**
 * The page's rendered form for a touch key — a short name for everything its touches are made of
 * (shopper-page.ts builds it from the signals the touches read), so a hit neither makes the touches
 * nor names them by their markup — or undefined (then renderForm).
 */
export function renderedNow(page: PreparedPage, touchKey: string): string | undefined {
  return page.id ? rendered.get(`${page.id}\u0000${touchKey}`) : undefined;
}

/** Renders the page with `content` in its slots and keeps it under the touch key. */
export function renderForm(page: PreparedPage, touchKey: string, content: TouchContent): string {
  const form = renderPage(page, content);
  if (page.id) rendered.set(`${page.id}\u0000${touchKey}`, form, form.length);
  return form;
}
