import { PERSONAS, isPersona, type Persona, type PersonaDecision, type PersonaSignals, type ShopSettings } from "./types.ts";

/**
 * Persona detection from request signals only: deterministic (same signals → same decision) and
 * explainable (every signal that counted adds a reason). No network, no randomness, no clock.
 *
 * Each signal adds points to one persona; the highest score among the merchant's enabled personas
 * wins. Weights reflect how much a signal says about intent: a customer's order history (3) beats a
 * campaign tag (2), which beats a referrer (1). Ties go to the merchant's default persona, then to
 * the order of PERSONAS. When nothing speaks, the default persona is used.
 */

/** Score the explicit override gets: it wins over any combination of other signals. */
export const OVERRIDE_SCORE = 100;

const DEAL_WORDS = ["sale", "deal", "discount", "coupon", "promo", "clearance", "offer", "voucher", "bargain", "blackfriday", "black-friday", "black_friday", "cybermonday", "cyber-monday", "markdown", "outlet", "savings", "cashback"];
const LOYAL_WORDS = ["loyalty", "loyal", "vip", "member", "members", "rewards", "reorder", "winback", "win-back", "returning", "customer", "retention"];
const EXPLORE_WORDS = ["inspiration", "lookbook", "collection", "discover", "guide", "new-season", "catalog", "catalogue", "trend", "trends", "blog", "editorial", "ideas"];
const MINIMAL_WORDS = ["essentials", "essential", "minimal", "basics", "bestseller", "bestsellers", "quick", "simple", "brand", "exact"];

// Site lists: "name." matches that name under any TLD ("google." → www.google.co.uk); anything
// else is a domain that matches itself and its subdomains.
const DEAL_SITES = ["slickdeals.", "retailmenot.", "joinhoney.", "rakuten.", "groupon.", "pricerunner.", "idealo.", "hotukdeals.", "dealnews.", "couponfollow.", "camelcamelcamel.", "pricegrabber.", "shopsavvy."];
const SOCIAL_SITES = ["pinterest.", "instagram.", "facebook.", "tiktok.", "reddit.", "youtube.", "tumblr.", "twitter.", "t.co", "x.com", "threads.net", "fb.com"];
const SEARCH_SITES = ["google.", "bing.", "duckduckgo.", "yahoo.", "ecosia.", "baidu.", "yandex.", "startpage."];
const MAIL_SITES = ["mail.google.", "outlook.", "mail.yahoo.", "mail.proton.", "klaviyo.", "mailchimp.", "list-manage.com"];

const EMAIL_MEDIUMS = ["email", "e-mail", "newsletter", "sms"];
const SOCIAL_MEDIUMS = ["social", "social-organic", "organic-social", "influencer", "pin"];
const AFFILIATE_MEDIUMS = ["affiliate", "coupon", "deal", "deals", "cashback", "comparison", "price-comparison"];
const SEARCH_MEDIUMS = ["cpc", "ppc", "paid-search", "paid_search", "sem", "search", "shopping"];

const LOYAL_TAGS = ["vip", "loyal", "loyalty", "member", "repeat", "returning", "subscriber", "wholesale"];
const DEAL_TAGS = ["bargain", "deal", "deals", "discount", "coupon", "sale", "price-sensitive", "price sensitive"];

const RETURNING_VISITS = 2;
const FREQUENT_VISITS = 5;
const LOYAL_ORDERS = 2;
const LOYAL_SPEND = 200;
const BROAD_BROWSING = 3;

/** Words of a free-text value ("Black Friday_2026" → ["black", "friday", "2026", "black-friday", ...]). */
function words(value: string | null | undefined): string[] {
  if (!value) return [];
  const lower = value.toLowerCase();
  const parts = lower.split(/[^a-z0-9]+/).filter(Boolean);
  // Joined neighbours catch "black_friday" and "black friday" alike.
  const pairs = parts.slice(1).map((w, i) => `${parts[i]}-${w}`);
  return [...parts, ...pairs, ...pairs.map((p) => p.replace("-", ""))];
}

function matchWord(value: string | null | undefined, list: string[]): string | null {
  const ws = words(value);
  return list.find((w) => ws.includes(w)) ?? null;
}

// The host of a referrer, read with a pattern rather than the URL class (not part of core's pure lib).
const REFERRER_HOST = /^(?:[a-z][a-z0-9+.-]*:)?\/\/(?:[^@/?#]*@)?([^/?#:]+)/i;

function hostOf(referrer: string): string | null {
  const m = REFERRER_HOST.exec(referrer.trim());
  return m ? m[1]!.toLowerCase().replace(/\.$/, "") : null;
}

function hostMatches(host: string, list: string[]): boolean {
  return list.some((site) =>
    site.endsWith(".") ? host.startsWith(site) || host.includes(`.${site}`) : host === site || host.endsWith(`.${site}`),
  );
}

interface Contribution {
  persona: Persona;
  points: number;
  reason: string;
}

function utmContributions(utm: NonNullable<PersonaSignals["utm"]>): Contribution[] {
  const out: Contribution[] = [];
  const fields = [
    ["utm_campaign", utm.campaign],
    ["utm_source", utm.source],
    ["utm_term", utm.term],
    ["utm_content", utm.content],
  ] as const;
  const table: [Persona, string[]][] = [
    ["dealhunter", DEAL_WORDS],
    ["loyalist", LOYAL_WORDS],
    ["explorer", EXPLORE_WORDS],
    ["minimalist", MINIMAL_WORDS],
  ];
  // One contribution per persona from the campaign words, however many fields mention it.
  for (const [persona, list] of table) {
    for (const [name, value] of fields) {
      const hit = matchWord(value, list);
      if (hit) {
        out.push({ persona, points: 2, reason: `${name} "${value}" mentions "${hit}"` });
        break;
      }
    }
  }
  const medium = utm.medium?.toLowerCase().trim();
  if (medium) {
    if (EMAIL_MEDIUMS.includes(medium)) out.push({ persona: "loyalist", points: 1, reason: `utm_medium "${medium}": came from the shop's own mailing` });
    else if (AFFILIATE_MEDIUMS.includes(medium)) out.push({ persona: "dealhunter", points: 1, reason: `utm_medium "${medium}": came through a deal or affiliate channel` });
    else if (SOCIAL_MEDIUMS.includes(medium)) out.push({ persona: "explorer", points: 1, reason: `utm_medium "${medium}": came from social media, browsing` });
    else if (SEARCH_MEDIUMS.includes(medium)) out.push({ persona: "minimalist", points: 1, reason: `utm_medium "${medium}": came from a search ad, looking for something specific` });
  }
  return out;
}

function referrerContribution(referrer: string): Contribution | null {
  const host = hostOf(referrer);
  if (!host) return null;
  if (hostMatches(host, MAIL_SITES)) return { persona: "loyalist", points: 1, reason: `referrer ${host} is a mailbox or mailing service` };
  if (hostMatches(host, DEAL_SITES)) return { persona: "dealhunter", points: 1, reason: `referrer ${host} is a deal or price-comparison site` };
  if (hostMatches(host, SOCIAL_SITES)) return { persona: "explorer", points: 1, reason: `referrer ${host} is a social or inspiration site` };
  if (hostMatches(host, SEARCH_SITES)) return { persona: "minimalist", points: 1, reason: `referrer ${host} is a search engine: a shopper with a specific need` };
  return null;
}

function visitContributions(signals: PersonaSignals): Contribution[] {
  const out: Contribution[] = [];
  const visits = signals.visitCount ?? 0;
  if (visits >= FREQUENT_VISITS) out.push({ persona: "loyalist", points: 2, reason: `visit ${visits}: a frequent visitor` });
  else if (visits >= RETURNING_VISITS) out.push({ persona: "loyalist", points: 1, reason: `visit ${visits}: a returning visitor` });

  const seen = [...new Set((signals.categoriesSeen ?? []).map((c) => c.trim().toLowerCase()).filter(Boolean))];
  if (seen.length >= BROAD_BROWSING) out.push({ persona: "explorer", points: 2, reason: `browsed ${seen.length} categories: exploring the range` });
  else if (seen.length === 1 && visits >= RETURNING_VISITS) out.push({ persona: "minimalist", points: 1, reason: `came back to one category (${seen[0]}): knows what they want` });
  const saleCategory = seen.find((c) => matchWord(c, DEAL_WORDS));
  if (saleCategory) out.push({ persona: "dealhunter", points: 2, reason: `looked at the "${saleCategory}" category` });
  return out;
}

function customerContributions(customer: NonNullable<PersonaSignals["customer"]>): Contribution[] {
  const out: Contribution[] = [];
  if (customer.ordersCount >= LOYAL_ORDERS) out.push({ persona: "loyalist", points: 3, reason: `customer with ${customer.ordersCount} orders` });
  else if (customer.totalSpent >= LOYAL_SPEND) out.push({ persona: "loyalist", points: 3, reason: `customer who spent ${customer.totalSpent.toFixed(2)}` });
  else if (customer.ordersCount === 1) out.push({ persona: "loyalist", points: 1, reason: "customer with one earlier order" });
  const tags = customer.tags.map((t) => t.trim().toLowerCase());
  const loyalTag = tags.find((t) => LOYAL_TAGS.includes(t));
  if (loyalTag) out.push({ persona: "loyalist", points: 2, reason: `customer tagged "${loyalTag}"` });
  const dealTag = tags.find((t) => DEAL_TAGS.includes(t));
  if (dealTag) out.push({ persona: "dealhunter", points: 2, reason: `customer tagged "${dealTag}"` });
  return out;
}

function zeroScores(): Record<Persona, number> {
  return { minimalist: 0, explorer: 0, dealhunter: 0, loyalist: 0 };
}

/** The personas that may be chosen, and the fallback among them. */
function resolveEnabled(settings: Pick<ShopSettings, "enabledPersonas" | "defaultPersona">): { enabled: Persona[]; fallback: Persona } {
  const enabled = PERSONAS.filter((p) => settings.enabledPersonas.includes(p));
  if (enabled.length === 0) return { enabled: [settings.defaultPersona], fallback: settings.defaultPersona };
  return { enabled, fallback: enabled.includes(settings.defaultPersona) ? settings.defaultPersona : enabled[0]! };
}

export function detectPersona(signals: PersonaSignals, settings: Pick<ShopSettings, "enabledPersonas" | "defaultPersona">): PersonaDecision {
  const { enabled, fallback } = resolveEnabled(settings);
  const reasons: string[] = [];
  const scores = zeroScores();

  const override = signals.override?.trim().toLowerCase();
  if (override) {
    if (isPersona(override) && enabled.includes(override)) {
      scores[override] = OVERRIDE_SCORE;
      return { persona: override, scores, reasons: [`explicit override: ${override}`] };
    }
    reasons.push(isPersona(override) ? `override "${override}" ignored: persona not enabled` : `override "${override}" ignored: not a persona`);
  }

  const contributions: Contribution[] = [
    ...(signals.utm ? utmContributions(signals.utm) : []),
    ...(signals.referrer ? [referrerContribution(signals.referrer)].filter((c): c is Contribution => c !== null) : []),
    ...visitContributions(signals),
    ...(signals.customer ? customerContributions(signals.customer) : []),
  ];
  for (const c of contributions) {
    if (enabled.includes(c.persona)) {
      scores[c.persona] += c.points;
      reasons.push(`${c.persona} +${c.points}: ${c.reason}`);
    } else {
      reasons.push(`${c.persona} not enabled, ignored: ${c.reason}`);
    }
  }

  const best = Math.max(...enabled.map((p) => scores[p]));
  if (best <= 0) {
    reasons.push(`no signal for an enabled persona: default ${fallback}`);
    return { persona: fallback, scores, reasons };
  }
  const leaders = enabled.filter((p) => scores[p] === best);
  const persona = leaders.includes(fallback) ? fallback : leaders[0]!;
  if (leaders.length > 1) reasons.push(`tie between ${leaders.join(", ")} at ${best}: ${persona} (${persona === fallback ? "the default" : "first in order"})`);
  return { persona, scores, reasons };
}
