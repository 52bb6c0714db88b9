import "@shopify/shopify-api/adapters/cf-worker";
import { ApiVersion, shopifyApi } from "@shopify/shopify-api";
import { afterEach, describe, expect, it, vi } from "vitest";
import { canonicalProxyMessage, signProxyQuery, verifyProxyQuery } from "./verify.ts";

/*
 * Shopify's documented example ("Authenticate app proxies", shopify.dev): shared secret "hush",
 * signed at timestamp 1317327555, a logged-in and an anonymous variant. The page now prints the shop
 * as the placeholder "{shop}.myshopify.com"; the published digests are those of the example's
 * original shop, "shop-name.myshopify.com" (the older revision of the same page spells it out).
 */
const DOC_SECRET = "hush";
const DOC_TIME = 1317327555;
const DOC_LOGGED_IN =
  "extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555&signature=4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb";
const DOC_ANONYMOUS =
  "extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555&signature=e072b6d7e6622d85912a5214b860d3100dc1e73d9bc29f43796ac8c9ff8093cb";

const q = (s: string) => new URLSearchParams(s);

describe("app-proxy signature: Shopify's documented example", () => {
  it("builds the documented message (repeated keys joined by a comma, sorted, no separator)", () => {
    expect(canonicalProxyMessage(q(DOC_LOGGED_IN))).toBe(
      "extra=1,2logged_in_customer_id=1path_prefix=/apps/awesome_reviewsshop=shop-name.myshopify.comtimestamp=1317327555",
    );
  });

  it("verifies the logged-in example with the clock at its timestamp", async () => {
    const result = await verifyProxyQuery(q(DOC_LOGGED_IN), DOC_SECRET, DOC_TIME);
    expect(result).toEqual({ ok: true, shop: "shop-name.myshopify.com", loggedInCustomerId: "1", pathPrefix: "/apps/awesome_reviews", timestamp: DOC_TIME });
  });

  it("verifies the anonymous example (empty logged_in_customer_id is signed, read as no customer)", async () => {
    const result = await verifyProxyQuery(q(DOC_ANONYMOUS), DOC_SECRET, DOC_TIME);
    expect(result).toMatchObject({ ok: true, loggedInCustomerId: null });
  });

  it("accepts up to 90 s of clock skew either way and refuses beyond", async () => {
    expect((await verifyProxyQuery(q(DOC_LOGGED_IN), DOC_SECRET, DOC_TIME + 90)).ok).toBe(true);
    expect((await verifyProxyQuery(q(DOC_LOGGED_IN), DOC_SECRET, DOC_TIME - 90)).ok).toBe(true);
    expect(await verifyProxyQuery(q(DOC_LOGGED_IN), DOC_SECRET, DOC_TIME + 91)).toEqual({ ok: false, reason: "stale-timestamp" });
    expect(await verifyProxyQuery(q(DOC_LOGGED_IN), DOC_SECRET, DOC_TIME - 91)).toEqual({ ok: false, reason: "stale-timestamp" });
    // Today's clock: the 2011 example is long stale.
    expect(await verifyProxyQuery(q(DOC_LOGGED_IN), DOC_SECRET)).toEqual({ ok: false, reason: "stale-timestamp" });
  });
});

describe("app-proxy signature: refusals", () => {
  const refused = async (query: string, secret = DOC_SECRET) => {
    const result = await verifyProxyQuery(q(query), secret, DOC_TIME);
    expect(result.ok).toBe(false);
    return result.ok ? null : result.reason;
  };

  it("refuses a wrong secret", async () => {
    expect(await refused(DOC_LOGGED_IN, "not-hush")).toBe("bad-signature");
  });

  it("refuses tampered parameters: another customer, another shop, a dropped or added parameter", async () => {
    expect(await refused(DOC_LOGGED_IN.replace("logged_in_customer_id=1", "logged_in_customer_id=2"))).toBe("bad-signature");
    expect(await refused(DOC_LOGGED_IN.replace("shop=shop-name", "shop=other-shop"))).toBe("bad-signature");
    expect(await refused(DOC_LOGGED_IN.replace("extra=1&", ""))).toBe("bad-signature");
    expect(await refused(`${DOC_LOGGED_IN}&wand_visits=99`)).toBe("bad-signature");
    expect(await refused(DOC_LOGGED_IN.replace("timestamp=1317327555", "timestamp=1317327556"))).toBe("bad-signature");
  });

  it("refuses a tampered signature of the right shape and signatures of the wrong shape", async () => {
    expect(await refused(DOC_LOGGED_IN.replace("signature=4c68", "signature=4c69"))).toBe("bad-signature");
    expect(await refused(DOC_LOGGED_IN.replace(/signature=[0-9a-f]+/, "signature=4c68c8624d"))).toBe("bad-signature");
    expect(await refused(DOC_LOGGED_IN.replace(/signature=[0-9a-f]+/, `signature=${"z".repeat(64)}`))).toBe("bad-signature");
  });

  it("refuses unsigned requests", async () => {
    expect(await refused(DOC_LOGGED_IN.replace(/&signature=[0-9a-f]+/, ""))).toBe("missing-signature");
    expect(await refused(DOC_LOGGED_IN.replace(/signature=[0-9a-f]+/, "signature="))).toBe("missing-signature");
    expect(await refused("")).toBe("missing-signature");
  });

  it("refuses a missing or malformed timestamp", async () => {
    expect(await refused(DOC_LOGGED_IN.replace("&timestamp=1317327555", ""))).toBe("bad-timestamp");
    expect(await refused(DOC_LOGGED_IN.replace("timestamp=1317327555", "timestamp=1317327555.5"))).toBe("bad-timestamp");
    expect(await refused(DOC_LOGGED_IN.replace("timestamp=1317327555", "timestamp=-1"))).toBe("bad-timestamp");
  });

  it("refuses a repeated shop, signature or timestamp even when the signature would match", async () => {
    // A second `shop` would be signed as "shop=a,b": refused before any HMAC, so no ambiguity about
    // which shop the request is for.
    for (const extra of ["&shop=evil.myshopify.com", "&timestamp=1317327555", "&signature=4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb"]) {
      expect(await refused(DOC_LOGGED_IN + extra)).toBe("duplicate-parameter");
    }
    const params = q("shop=a.myshopify.com&shop=b.myshopify.com&timestamp=1317327555");
    params.set("signature", await signProxyQuery(params, DOC_SECRET));
    expect(await refused(params.toString())).toBe("duplicate-parameter");
  });

  it("refuses a validly signed request whose shop is not a myshopify domain", async () => {
    const params = q("shop=evil.example.com&timestamp=1317327555");
    params.set("signature", await signProxyQuery(params, DOC_SECRET));
    expect(await refused(params.toString())).toBe("bad-shop");
  });
});

describe("app-proxy signature: agrees with @shopify/shopify-api's validateHmac (signator appProxy)", () => {
  const shopify = shopifyApi({
    apiKey: "wand-test-key",
    apiSecretKey: DOC_SECRET,
    apiVersion: ApiVersion.October25,
    hostName: "wand.test",
    isEmbeddedApp: true,
    logger: { level: 0, log: () => undefined },
  });
  const library = async (query: string): Promise<boolean> => {
    try {
      return await shopify.utils.validateHmac(q(query), { signator: "appProxy" });
    } catch {
      return false; // the library throws for missing/duplicate/stale; we answer a refusal
    }
  };
  const ours = async (query: string) => (await verifyProxyQuery(q(query), DOC_SECRET, DOC_TIME)).ok;

  afterEach(() => vi.useRealTimers());

  it("gives the same verdict on the documented, tampered, duplicated, stale and extension-shaped queries", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(DOC_TIME * 1000);
    const extension = q(
      "shop=demo-apparel.myshopify.com&logged_in_customer_id=&path_prefix=%2Fapps%2Fwand&timestamp=1317327555" +
        "&wand_sid=abc123def456&wand_utm_source=newsletter&wand_utm_medium=email&wand_ref=https%3A%2F%2Fwww.google.com%2F&wand_visits=3&wand_cats=Shirts%2CHats&extra=1&extra=2",
    );
    extension.set("signature", await signProxyQuery(extension, DOC_SECRET));
    const cases = [
      DOC_LOGGED_IN,
      DOC_ANONYMOUS,
      extension.toString(),
      DOC_LOGGED_IN.replace("logged_in_customer_id=1", "logged_in_customer_id=2"),
      DOC_LOGGED_IN + "&shop=evil.myshopify.com",
      DOC_LOGGED_IN + "&timestamp=1317327555",
      DOC_LOGGED_IN.replace(/&signature=[0-9a-f]+/, ""),
      DOC_LOGGED_IN.replace("timestamp=1317327555", "timestamp=1317327000"),
    ];
    const verdicts = await Promise.all(cases.map(async (c) => [await ours(c), await library(c)]));
    expect(verdicts).toEqual([
      [true, true],
      [true, true],
      [true, true],
      [false, false],
      [false, false],
      [false, false],
      [false, false],
      [false, false],
    ]);
  });
});
