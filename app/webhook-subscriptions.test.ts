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
      expect.arrayContaining(["app/uninstalled", "products/create", "products/update", "products/delete", "bulk_operations/finish", "orders/create", "customers/redact", "shop/redact", "customers/data_request"]),
    );
  });
});

// The app asks Shopify for the scopes of shopify.app.toml; the admin Worker's SCOPES must be the same
// set, or the library sees every session as missing a scope and re-authorizes on each request.
const WRANGLER = readFileSync(fileURLToPath(new URL("./wrangler.jsonc", import.meta.url)), "utf8");
const scopeSet = (list: string) => list.split(",").map((s) => s.trim()).filter(Boolean).sort();

describe("access scopes", () => {
  const toml = /^scopes = "([^"]*)"$/m.exec(TOML)?.[1];
  const vars = /"SCOPES": "([^"]*)"/.exec(WRANGLER)?.[1];

  it("are the same set in shopify.app.toml and app/wrangler.jsonc", () => {
    expect(toml).toBeDefined();
    expect(scopeSet(vars ?? "")).toEqual(scopeSet(toml ?? ""));
  });

  it("include what the experiment needs (orders webhook, web pixel), each explained in a comment", () => {
    const scopes = scopeSet(toml ?? "");
    expect(scopes).toEqual(expect.arrayContaining(["read_orders", "write_pixels", "read_customer_events"]));
    // Write access only where the app writes: its own web pixel record.
    expect(scopes.filter((s) => s.startsWith("write_"))).toEqual(["write_pixels"]);
    const comments = [...TOML.matchAll(/^#.*$/gm)].map((m) => m[0]).join("\n");
    for (const scope of scopes) expect(comments, `a comment explaining ${scope}`).toContain(`${scope}:`);
  });
});
