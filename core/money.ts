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

const formatters = new Map<string, Intl.NumberFormat>();

/** "$50.00" for ("50.00", "USD"); one cached Intl formatter per currency (creating them is slow). */
export function formatMoney(amount: string, currency: string): string {
  let f = formatters.get(currency);
  if (!f) {
    try {
      f = new Intl.NumberFormat("en-US", { style: "currency", currency });
    } catch {
      // An unknown currency code: show the code rather than fail the page.
      f = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      const plain = f;
      return `${plain.format((toCents(amount) ?? 0) / 100)} ${currency}`;
    }
    formatters.set(currency, f);
  }
  return f.format((toCents(amount) ?? 0) / 100);
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
