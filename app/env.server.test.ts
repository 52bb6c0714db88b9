import { describe, expect, it } from "vitest";
import { type AppBindings, EnvError, shopifyConfig } from "./env.server";

const base = { DB: {} as D1Database, EDGE: {} as Service, SHOPIFY_API_KEY: "key", SHOPIFY_API_SECRET: "secret", SHOPIFY_APP_URL: "https://admin.example.com", SCOPES: "read_products, read_customers" } satisfies AppBindings;

describe("admin environment", () => {
  it("parses a complete configuration once", () => {
    expect(shopifyConfig({ ...base })).toMatchObject({ SCOPES: ["read_products", "read_customers"], SHOP_CUSTOM_DOMAINS: [] });
  });

  it("names every missing or bad field at once", () => {
    const env: AppBindings = { ...base, SHOPIFY_API_KEY: "", SHOPIFY_API_SECRET: undefined, SHOPIFY_APP_URL: "not a url" };
    expect(() => shopifyConfig(env)).toThrow(EnvError);
    expect(() => shopifyConfig(env)).toThrow(
      "admin environment is incomplete: SHOPIFY_API_KEY: required (the app's client id); SHOPIFY_API_SECRET: required (a secret: wrangler secret put SHOPIFY_API_SECRET); SHOPIFY_APP_URL: required: the admin's https URL",
    );
  });
});
