import { describe, expect, it } from "vitest";
import { centsToDecimal, formatMoney, formatPercent, normaliseDecimal, savingsOf, toCents } from "./money.ts";

/** Intl writes no-break (U+00A0) and narrow no-break (U+202F) spaces; compare them as spaces. */
const spaced = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

describe("money", () => {
  it.each([
    ["50", 5000],
    ["9.99", 999],
    ["44.9", 4490],
    ["0.005", 1],
    [" 12.00 ", 1200],
    ["-1", null],
    ["1e3", null],
    ["", null],
    ["abc", null],
  ] as [string, number | null][])("toCents(%j) = %j", (input, cents) => {
    expect(toCents(input)).toBe(cents);
  });

  it("normalises decimals the way Shopify writes them", () => {
    expect(normaliseDecimal("50")).toBe("50.00");
    expect(normaliseDecimal("15.9")).toBe("15.90");
    expect(centsToDecimal(7)).toBe("0.07");
    expect(normaliseDecimal("x")).toBeNull();
  });

  it("formats in the shop's currency", () => {
    expect(formatMoney("50.00", "USD")).toBe("$50.00");
    expect(formatMoney("1250.5", "USD")).toBe("$1,250.50");
    expect(formatMoney("9.99", "EUR")).toBe("€9.99");
    expect(formatMoney("9.99", "NOPE")).toBe("9.99 NOPE");
  });

  it("formats for the shopper's locale, always in the amount's own currency", () => {
    expect(spaced(formatMoney("1250.5", "EUR", "fr-FR"))).toBe("1 250,50 €");
    expect(spaced(formatMoney("1250.5", "EUR", "de-DE"))).toBe("1.250,50 €");
    expect(spaced(formatMoney("1250.5", "EUR", "es-ES"))).toBe("1250,50 €");
    expect(formatMoney("1250.5", "EUR", "en-US")).toBe("€1,250.50");
    expect(formatMoney("9.99", "USD", "fr-FR")).toMatch(/^9,99\s\$US$/);
    expect(formatMoney("1250.5", "CAD", "en-CA")).toBe("$1,250.50");
    expect(formatMoney("1250.5", "CAD", "en-US")).toBe("CA$1,250.50");
    // A currency without minor units is written without decimals.
    expect(formatMoney("1500", "JPY", "en-US")).toBe("¥1,500");
  });

  it("falls back to en-US for a locale Intl refuses, and keeps the code of an unknown currency", () => {
    expect(formatMoney("9.99", "USD", "not a locale")).toBe("$9.99");
    expect(spaced(formatMoney("9.99", "NOPE", "fr-FR"))).toBe("9,99 NOPE");
  });

  it("formats whole percents per locale", () => {
    expect(formatPercent(20)).toBe("20%");
    expect(spaced(formatPercent(20, "fr-FR"))).toBe("20 %");
    expect(spaced(formatPercent(56, "de-DE"))).toBe("56 %");
  });

  it("computes exact savings, rounding the percent down", () => {
    expect(savingsOf({ price: "42.99", compareAtPrice: "44.99" })).toEqual({ cents: 200, percent: 4, amount: "2.00" });
    expect(savingsOf({ price: "10.99", compareAtPrice: "25.00" })).toEqual({ cents: 1401, percent: 56, amount: "14.01" });
    expect(savingsOf({ price: "10", compareAtPrice: null })).toBeNull();
    expect(savingsOf({ price: "10", compareAtPrice: "10" })).toBeNull();
    expect(savingsOf({ price: "10", compareAtPrice: "5" })).toBeNull();
  });
});
