import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminGraphql } from "./admin-graphql.ts";
import { cardLocaleFor, resolveShopperLocale, type ShopMarkets } from "./locale.ts";
import { MARKET_PRICES_QUERY, marketFactsFromResponse, marketPricesVariables, variantGid } from "./market-prices-query.ts";
import { applyMarketFacts } from "./market-prices.ts";
import { expandProductSlots, productSlot } from "./product-slots.ts";
import type { Product } from "./types.ts";

/**
 * A shop's market prices read through the real Admin GraphQL client from an HTTP server on
 * 127.0.0.1 that answers `contextualPricing` the way Shopify does: France converts the base price
 * (USD × 0.92, rounded to the cent), except for variants with a fixed price on the market's price
 * list. The price on the French card must be exactly what this "Shopify" says.
 */

function product(handle: string, variantId: string, price: string, compareAtPrice: string | null): Product {
  return { id: handle, handle, title: handle, description: "", vendor: "", productType: "T", tags: [], price, compareAtPrice, currency: "USD", image: null, available: true, firstVariantId: variantId };
}

const PRODUCTS = [product("tee", "101", "25.00", "35.00"), product("scarf", "102", "30.00", null), product("belt", "103", "40.00", "50.00")];
const RATE = { FR: { currency: "EUR", rate: 0.92 } } as const;
/** The French price list: fixed euro prices, not conversions. */
const FIXED: Record<string, { price: string; compareAtPrice: string | null }> = { "102": { price: "29.00", compareAtPrice: null }, "103": { price: "35.00", compareAtPrice: "49.00" } };

const convert = (amount: string, rate: number) => (Math.round(Number(amount) * rate * 100) / 100).toFixed(2);

let server: Server;
let origin: string;
const seen: { operation: string | undefined; variables: Record<string, unknown> }[] = [];

async function body(req: IncomingMessage): Promise<string> {
  let raw = "";
  for await (const chunk of req) raw += String(chunk);
  return raw;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    if (req.headers["x-shopify-access-token"] !== "shpat_markets") {
      res.writeHead(401).end();
      return;
    }
    const { query, variables } = JSON.parse(await body(req)) as { query: string; variables: { ids: string[]; country: keyof typeof RATE } };
    seen.push({ operation: /query (\w+)/.exec(query)?.[1], variables });
    const market = RATE[variables.country];
    const nodes = variables.ids.map((gid) => {
      const id = gid.split("/").at(-1)!;
      const p = PRODUCTS.find((x) => x.firstVariantId === id);
      if (!p) return null;
      const fixed = FIXED[id];
      const price = fixed ? fixed.price : convert(p.price, market.rate);
      const compare = fixed ? fixed.compareAtPrice : p.compareAtPrice && convert(p.compareAtPrice, market.rate);
      return {
        id: gid,
        product: { handle: p.handle },
        contextualPricing: { price: { amount: price.replace(/0$/, ""), currencyCode: market.currency }, compareAtPrice: compare === null ? null : { amount: compare, currencyCode: market.currency } },
      };
    });
    const cost = { requestedQueryCost: 3, actualQueryCost: 3, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1997, restoreRate: 100 } };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { nodes }, extensions: { cost } }));
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const SHOP: ShopMarkets = {
  primary: { country: "US", language: "en", currency: "USD" },
  markets: [{ handle: "france", countries: ["FR"], currency: "EUR", languages: ["fr"] }],
  languages: ["en", "fr"],
};

describe("market prices from Shopify's contextual pricing", () => {
  it("asks once for the page's variants only, and the French cards show exactly Shopify's prices", async () => {
    const client = createAdminGraphql({ shopDomain: "demo.myshopify.com", accessToken: "shpat_markets", apiVersion: "2026-10", origin });
    seen.length = 0;
    const data = await client.request(MARKET_PRICES_QUERY, marketPricesVariables(PRODUCTS, "FR"));
    expect(seen).toEqual([{ operation: "WandMarketPrices", variables: { ids: ["101", "102", "103"].map(variantGid), country: "FR" } }]);

    const { facts, skipped } = marketFactsFromResponse(data, { store: "demo", country: "FR", currency: "EUR", fetchedAt: 1 });
    expect(skipped).toEqual([]);
    // Converted: 25.00 × 0.92 = 23.00, 35.00 × 0.92 = 32.20. Fixed price list: 29.00, and 35.00 (was 49.00).
    expect(facts.prices).toEqual({
      tee: { variantId: "101", price: "23.00", compareAtPrice: "32.20", currency: "EUR" },
      scarf: { variantId: "102", price: "29.00", compareAtPrice: null, currency: "EUR" },
      belt: { variantId: "103", price: "35.00", compareAtPrice: "49.00", currency: "EUR" },
    });

    const locale = resolveShopperLocale({ country: "FR", language: "fr" }, SHOP);
    const page = PRODUCTS.map((p) => productSlot(p.handle)).join("");
    const html = expandProductSlots(page, { products: applyMarketFacts(PRODUCTS, facts).products, persona: "dealhunter", baseUrl: "", locale: cardLocaleFor(locale) }).html.replace(/[\u00a0\u202f]/g, " ");
    expect(html).toContain('<data class="price" value="23.00">23,00 €</data>');
    expect(html).toContain('<data value="32.20">32,20 €</data>');
    expect(html).toContain('<data class="price" value="29.00">29,00 €</data>');
    expect(html).toContain('<data class="price" value="35.00">35,00 €</data>');
    expect(html).toContain("Économisez 14,00 € (28 %)");
    expect(html).not.toContain("$");
  });
});

describe("marketFactsFromResponse", () => {
  const opts = { store: "demo", country: "FR", currency: "EUR", fetchedAt: 5 };
  const node = (id: string, handle: string, amount: string | number, currencyCode = "EUR") => ({ id: variantGid(id), product: { handle }, contextualPricing: { price: { amount, currencyCode }, compareAtPrice: null } });

  it("leaves out gone variants, other currencies and malformed amounts, saying why", () => {
    const { facts, skipped } = marketFactsFromResponse({ nodes: [null, node("1", "A", "10.5"), node("2", "b", "9.00", "USD"), node("3", "c", "-1"), { id: "x" }] }, opts);
    expect(facts.prices).toEqual({ a: { variantId: "1", price: "10.50", compareAtPrice: null, currency: "EUR" } });
    expect(skipped).toEqual(["a variant that no longer exists", "gid://shopify/ProductVariant/2: priced in USD, the market sells in EUR", "gid://shopify/ProductVariant/3: malformed price", "a node that is not a priced variant"]);
  });

  it("refuses a response without nodes", () => {
    expect(() => marketFactsFromResponse({ products: [] }, opts)).toThrow(/without nodes/);
  });
});

describe("marketPricesVariables", () => {
  it("asks for each variant once, and never for a catalog", () => {
    expect(marketPricesVariables([...PRODUCTS, PRODUCTS[0]!], "FR").ids).toHaveLength(3);
    const many = Array.from({ length: 201 }, (_, i) => ({ firstVariantId: String(i + 1) }));
    expect(() => marketPricesVariables(many, "FR")).toThrow(/one page at a time/);
    expect(() => marketPricesVariables(PRODUCTS, "fr")).toThrow(/country/);
  });
});
