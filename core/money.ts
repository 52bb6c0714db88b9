/**
 * Money as the catalog carries it: decimal strings ("50.00"). Arithmetic is done in integer cents,
 * so savings are exact ("44.99" - "42.99" is 2.00, not 1.9999999).
 */

const DECIMAL = /^\s*(\d+)(?:\.(\d+))?\s*$/;

/** Integer cents of a decimal string, or null when it is not a non-negative decimal. */
export function toCents(amount: string): number | null {
  const m = DECIMAL.exec(amount);
  if (!m) return null;
  const whole = Number(m[1]);
  const fraction = (m[2] ?? "").padEnd(2, "0");
  // Shopify prices have at most two decimals; round anything finer half up.
  const cents = Number(fraction.slice(0, 2)) + (fraction.length > 2 && Number(fraction[2]) >= 5 ? 1 : 0);
  const total = whole * 100 + cents;
  return Number.isSafeInteger(total) ? total : null;
}

/** "50" → "50.00"; null when not a decimal. */
export function normaliseDecimal(amount: string): string | null {
  const cents = toCents(amount);
  return cents === null ? null : centsToDecimal(cents);
}

export function centsToDecimal(cents: number): string {
  const whole = Math.floor(cents / 100);
  const rest = cents % 100;
  return `${whole}.${rest < 10 ? "0" : ""}${rest}`;
}

/** The formatting locale when none is given: what every page used before markets. */
export const DEFAULT_FORMAT_LOCALE = "en-US";

// Creating an Intl formatter is slow; one per (locale, currency) is kept. Locales and currencies
// come from the shop's markets (core/locale.ts), so the map stays small; the bound is a safety net.
const formatters = new Map<string, Intl.NumberFormat>();
const FORMATTER_LIMIT = 500;

function formatter(key: string, make: () => Intl.NumberFormat): Intl.NumberFormat {
  let f = formatters.get(key);
  if (!f) {
    f = make();
    if (formatters.size >= FORMATTER_LIMIT) formatters.clear();
    formatters.set(key, f);
  }
  return f;
}

/** A BCP 47 tag Intl accepts, else the default (a bad tag must not fail a page). */
function usableLocale(locale: string): string {
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? DEFAULT_FORMAT_LOCALE;
  } catch {
    return DEFAULT_FORMAT_LOCALE;
  }
}

/**
 * An amount in its currency for a locale: ("50.00", "USD") → "$50.00"; ("50.00", "EUR", "fr-FR") →
 * "50,00 €"; ("50.00", "EUR", "en-US") → "€50.00". The currency is always the amount's own (the
 * locale only decides how it is written), and the digits are the currency's (JPY has none).
 */
export function formatMoney(amount: string, currency: string, locale: string = DEFAULT_FORMAT_LOCALE): string {
  const value = (toCents(amount) ?? 0) / 100;
  try {
    return formatter(`c|${locale}|${currency}`, () => new Intl.NumberFormat(usableLocale(locale), { style: "currency", currency })).format(value);
  } catch {
    // An unknown currency code: show the code rather than fail the page.
    const plain = formatter(`n|${locale}`, () => new Intl.NumberFormat(usableLocale(locale), { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
    return `${plain.format(value)} ${currency}`;
  }
}

/** A whole percent for a locale: (20, "en-US") → "20%"; (20, "fr-FR") → "20 %" (narrow no-break space). */
export function formatPercent(percent: number, locale: string = DEFAULT_FORMAT_LOCALE): string {
  return formatter(`p|${locale}`, () => new Intl.NumberFormat(usableLocale(locale), { style: "percent", maximumFractionDigits: 0 })).format(percent / 100);
}

export interface Savings {
  /** compareAt - price, in cents (> 0). */
  cents: number;
  /** Whole percent saved, rounded down (never overstates a discount). */
  percent: number;
  /** The saving as a decimal string. */
  amount: string;
}

/** The saving of a product on sale, or null when there is no real markdown. */
export function savingsOf(p: { price: string; compareAtPrice: string | null }): Savings | null {
  if (p.compareAtPrice === null) return null;
  const price = toCents(p.price);
  const compareAt = toCents(p.compareAtPrice);
  if (price === null || compareAt === null || compareAt <= price) return null;
  const cents = compareAt - price;
  return { cents, percent: Math.floor((cents * 100) / compareAt), amount: centsToDecimal(cents) };
}
