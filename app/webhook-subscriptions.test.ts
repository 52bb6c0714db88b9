import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// shopify.app.toml subscribes every webhook to a route; each route file must exist and be subscribed.
const TOML = readFileSync(fileURLToPath(new URL("../shopify.app.toml", import.meta.url)), "utf8");
const ROUTES = fileURLToPath(new URL("./routes/", import.meta.url));

const subscriptions = [...TOML.matchAll(/\[\[webhooks\.subscriptions\]\]\s*\n\s*(?:compliance_)?topics = \[([^\]]*)\]\s*\n\s*uri = "([^"]+)"/g)].map((m) => ({
  topics: [...m[1]!.matchAll(/"([^"]+)"/g)].map((t) => t[1]!),
  uri: m[2]!,
}));

describe("shopify.app.toml webhook subscriptions", () => {
  it("name a route file for every uri, and a comment naming that file", () => {
    expect(subscriptions.length).toBeGreaterThanOrEqual(6);
    for (const { uri } of subscriptions) {
      const file = `webhooks.${uri.replace(/^\/webhooks\//, "").replaceAll("/", ".")}.tsx`;
      expect(readdirSync(ROUTES), uri).toContain(file);
      expect(TOML, `comment naming app/routes/${file}`).toContain(`# app/routes/${file}`);
    }
  });

  it("subscribe every webhook route, including bulk_operations/finish and the product topics", () => {
    const routed = readdirSync(ROUTES).filter((f) => f.startsWith("webhooks.") && !f.includes(".test."));
    const subscribed = subscriptions.map((s) => `webhooks.${s.uri.replace(/^\/webhooks\//, "").replaceAll("/", ".")}.tsx`);
    expect(routed.sort()).toEqual([...new Set(subscribed)].sort());
    expect(subscriptions.flatMap((s) => s.topics)).toEqual(
      expect.arrayContaining(["app/uninstalled", "products/create", "products/update", "products/delete", "bulk_operations/finish", "customers/redact", "shop/redact", "customers/data_request"]),
    );
  });
});
