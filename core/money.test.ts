import { describe, expect, it } from "vitest";
import { centsToDecimal, formatMoney, normaliseDecimal, savingsOf, toCents } from "./money.ts";

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

  it("computes exact savings, rounding the percent down", () => {
    expect(savingsOf({ price: "42.99", compareAtPrice: "44.99" })).toEqual({ cents: 200, percent: 4, amount: "2.00" });
    expect(savingsOf({ price: "10.99", compareAtPrice: "25.00" })).toEqual({ cents: 1401, percent: 56, amount: "14.01" });
    expect(savingsOf({ price: "10", compareAtPrice: null })).toBeNull();
    expect(savingsOf({ price: "10", compareAtPrice: "10" })).toBeNull();
    expect(savingsOf({ price: "10", compareAtPrice: "5" })).toBeNull();
  });
});
