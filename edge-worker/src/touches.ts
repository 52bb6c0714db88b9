import { escapeHtml } from "../../core/html.ts";
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

const TAGLINES: Record<Persona, string> = {
  minimalist: "The essentials, nothing more.",
  explorer: "Something new to discover.",
  dealhunter: "Today's best prices, picked out for you.",
  loyalist: "Thank you for shopping with us.",
};

const MAX_RECENT = 3;

export function shopperTouches(o: {
  settings: ShopSettings;
  selection: PersonaSelection;
  persona: Persona;
  signals: PersonaSignals;
  baseUrl: string;
  signedIn: boolean;
}): SlotContent {
  const visits = o.signals.visitCount ?? 0;
  const welcome = visits > 1 ? `Welcome back to ${o.settings.shopName}.` : `Welcome to ${o.settings.shopName}.`;
  const greeting = `<p class="wand-greeting">${escapeHtml(welcome)} ${escapeHtml(TAGLINES[o.persona])}</p>`;

  const seen = (o.signals.categoriesSeen ?? []).slice(0, 12).map((c) => c.trim().toLowerCase()).filter(Boolean);
  const picks = seen.length
    ? o.selection.products.filter((p) => p.available && seen.includes(p.productType.trim().toLowerCase())).slice(0, MAX_RECENT)
    : [];
  const recentlyViewed = picks.length
    ? `<section class="wand-recent" aria-labelledby="wand-recent-title"><h2 id="wand-recent-title">Picked up where you left off</h2><ul>${picks
        .map((p) => `<li><a href="${escapeHtml(productUrl(o.baseUrl, p.handle))}">${escapeHtml(p.title)}</a></li>`)
        .join("")}</ul></section>`
    : "";

  const orders = o.signals.customer?.ordersCount ?? 0;
  let note = "";
  if (orders > 0) note = `Thank you for your ${orders} ${orders === 1 ? "order" : "orders"} with ${o.settings.shopName}.`;
  else if (o.signedIn) note = `Thanks for signing in to ${o.settings.shopName}.`;
  else if (visits >= 3) note = `Good to see you again: this is visit number ${visits}.`;
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
  slots: (SlotName | null)[];
}

/**
 * The HTMLRewriter pass: every marked slot's content is replaced by a marker (whatever the page's
 * markup around it), and with a base URL the page's root-relative links and forms become absolute.
 */
export async function preparePage(html: string, baseUrl: string, id = ""): Promise<PreparedPage> {
  const MARK = slotMark();
  let rewriter = new HTMLRewriter().on(`[${SLOT_ATTRIBUTE}]`, {
    element(el) {
      const name = el.getAttribute(SLOT_ATTRIBUTE);
      el.setInnerContent(`${MARK}${isSlotName(name) ? name : ""}${MARK_END}`, { html: true });
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
  const rewritten = await rewriter.transform(new Response(html)).text();
  const parts = rewritten.split(MARK);
  const segments = [parts[0]!];
  const slots: (SlotName | null)[] = [];
  for (const part of parts.slice(1)) {
    const end = part.indexOf(MARK_END);
    const name = part.slice(0, end);
    slots.push(isSlotName(name) ? name : null);
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

// Rendered pages by page and slot contents: most shoppers get the same touches (a first visit, no
// categories seen), and handing the runtime the same flat string again is markedly cheaper than a
// freshly concatenated one (bench/edge-hits.ts).
const rendered = new MemoryLru<string>(512, 16 * 1024 * 1024, 60_000);

/** The page with this shopper's touches in its slots. */
export function renderTouches(page: PreparedPage, content: SlotContent): string {
  const memoKey = page.id ? `${page.id}\u0000${content.greeting}\u0000${content["recently-viewed"]}\u0000${content["loyalty-note"]}` : "";
  const known = memoKey ? rendered.get(memoKey) : undefined;
  if (known !== undefined) return known;
  let out = page.segments[0]!;
  for (let i = 0; i < page.slots.length; i++) {
    const name = page.slots[i];
    out += (name ? content[name] : "") + page.segments[i + 1]!;
  }
  if (memoKey) rendered.set(memoKey, out, out.length);
  return out;
}
