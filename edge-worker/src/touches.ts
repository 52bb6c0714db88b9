import { escapeHtml } from "../../core/html.ts";
import { SLOT_ATTRIBUTE, isSlotName, type SlotName } from "../../core/slots.ts";
import { productUrl } from "../../core/urls.ts";
import type { CatalogSnapshot, Persona, PersonaSignals, ShopSettings } from "../../core/types.ts";

/**
 * Per-shopper touches on a shared persona page (DESIGN.md step 6), applied while the page streams
 * through HTMLRewriter: the marked slots get this shopper's greeting, recently-viewed picks and
 * loyalty note; and on the direct route, where the page is not on the shop's origin, the page's
 * root-relative links and forms are made absolute against the shop's base URL (cached pages are
 * always generated relative, for the app proxy). Only escaped text and catalog facts are inserted.
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
  catalog: CatalogSnapshot;
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
    ? o.catalog.products.filter((p) => p.available && seen.includes(p.productType.trim().toLowerCase())).slice(0, MAX_RECENT)
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

/** Streams the page through the slot fill and, when baseUrl is set, the link rewrite. */
export function applyTouches(response: Response, slots: SlotContent, baseUrl: string): Response {
  let rewriter = new HTMLRewriter().on(`[${SLOT_ATTRIBUTE}]`, {
    element(el) {
      const name = el.getAttribute(SLOT_ATTRIBUTE);
      if (isSlotName(name) && slots[name]) el.setInnerContent(slots[name], { html: true });
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
  return rewriter.transform(response);
}
