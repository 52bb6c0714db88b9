import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createAdminGraphql } from "../core/admin-graphql.ts";
import { FakeThemeApi, type FakeTheme, type FakeThemeApiOptions } from "./test/fake-theme-api";
import { readShopThemeSetup, readThemeSetup } from "./theme-files.server";
import type { AppBindings } from "./env.server";

// The real client (core/admin-graphql.ts) over real HTTP against Shopify's theme API shapes on
// 127.0.0.1, with theme files as Shopify stores them (core/fixtures/theme/).
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../core/fixtures/theme/${name}`, import.meta.url)), "utf8");

const TOKEN = "shpat_theme_reader";
const THEME_ID = "gid://shopify/OnlineStoreTheme/180000000001";

let api: FakeThemeApi | null = null;
afterEach(async () => {
  await api?.stop();
  api = null;
});

function theme(files: Record<string, string>, o: Partial<FakeTheme> = {}): FakeTheme {
  return { id: THEME_ID, name: "Dawn", files, ...o };
}

async function start(t: FakeTheme | null, o: Partial<FakeThemeApiOptions> = {}, clientToken = TOKEN) {
  api = await new FakeThemeApi({ accessToken: TOKEN, theme: t, ...o }).start();
  const graphql = createAdminGraphql({ shopDomain: "demo-apparel.myshopify.com", accessToken: clientToken, apiVersion: "2026-10", origin: api.origin, backoffBaseMs: 1, maxAttempts: 2 });
  return { api, graphql };
}

/** Other templates of a typical Online Store 2.0 theme, none with the block. */
const plainTemplates = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`templates/page.landing-${String(i).padStart(2, "0")}.json`, fixture("index.without-block.json")]));

describe("reading the live theme for the setup guide", () => {
  it("finds the embed on and the block on the home page in one files request", async () => {
    const { api, graphql } = await start(
      theme({
        "config/settings_data.json": fixture("settings_data.embed-on.json"),
        "templates/index.json": fixture("index.with-block.json"),
        "templates/product.json": fixture("index.without-block.json"),
        "layout/theme.liquid": "<html>{{ content_for_layout }}</html>",
      }),
    );
    const reading = await readThemeSetup(graphql);
    expect(reading).toEqual({
      ok: true,
      themeName: "Dawn",
      embed: { state: "on" },
      block: { state: "added", placements: [{ file: "templates/index.json", section: "17325470871b8e9c2f", hidden: false }], filesChecked: 1, complete: false, unreadable: [] },
    });
    expect(api.requests.map((r) => r.operation)).toEqual(["WandMainTheme", "WandThemeFiles"]);
    expect(api.fileQueries()).toEqual([{ filenames: ["config/settings_data.json", "templates/index.json"], after: null }]);
  });

  it("reads every JSON template and section group, page by page, before calling the block absent", async () => {
    const { api, graphql } = await start(
      theme({
        "config/settings_data.json": fixture("settings_data.embed-off.json"),
        "templates/index.json": fixture("index.without-block.json"),
        ...plainTemplates(5),
        "sections/header-group.json": fixture("index.without-block.json"),
        "sections/footer-group.json": fixture("index.without-block.json"),
        "sections/main-product.liquid": "{% schema %}{}{% endschema %}",
      }),
      // Shopify may return fewer files than asked to stay within its payload limit.
      { maxPerPage: 3 },
    );
    const reading = await readThemeSetup(graphql);
    expect(reading).toMatchObject({ ok: true, embed: { state: "off" }, block: { state: "absent", filesChecked: 8, complete: true } });
    // 8 JSON files (the home page again among them), 3 a page: 3 wildcard pages after the first request.
    expect(api.fileQueries().map((q) => q.filenames)).toEqual([
      ["config/settings_data.json", "templates/index.json"],
      ["templates/*.json", "sections/*.json"],
      ["templates/*.json", "sections/*.json"],
      ["templates/*.json", "sections/*.json"],
    ]);
  });

  it("sees the merchant's changes on the next read (the guide re-checks when they come back)", async () => {
    const { api, graphql } = await start(theme({ "config/settings_data.json": fixture("settings_data.embed-never.json"), "templates/index.json": fixture("index.without-block.json") }));
    expect(await readThemeSetup(graphql)).toMatchObject({ ok: true, embed: { state: "never-activated" }, block: { state: "absent" } });
    api.setFile("config/settings_data.json", fixture("settings_data.embed-on.json"));
    api.setFile("templates/index.json", fixture("index.with-block.json"));
    expect(await readThemeSetup(graphql)).toMatchObject({ ok: true, embed: { state: "on" }, block: { state: "added" } });
  });

  it("finds the block on a later page and stops paging there", async () => {
    const { api, graphql } = await start(
      theme({
        "config/settings_data.json": fixture("settings_data.embed-never.json"),
        "templates/index.json": fixture("index.without-block.json"),
        ...plainTemplates(4),
        "templates/product.json": fixture("product.block-in-section.json"),
        "templates/search.json": fixture("index.without-block.json"),
        "templates/zz-last.json": fixture("index.without-block.json"),
      }),
      { maxPerPage: 2 },
    );
    const reading = await readThemeSetup(graphql);
    expect(reading).toMatchObject({ ok: true, embed: { state: "never-activated" }, block: { state: "added", placements: [{ file: "templates/product.json", section: "main" }] } });
    // Sorted: index, page×4, product | search, zz-last: the page holding product.json is the last read.
    expect(api.fileQueries()).toHaveLength(1 + 3);
  });

  it("reports a block that is there but hidden (a hidden section in a section group)", async () => {
    const { graphql } = await start(
      theme({
        "config/settings_data.json": fixture("settings_data.embed-on.json"),
        "templates/index.json": fixture("index.without-block.json"),
        "sections/footer-group.json": fixture("footer-group.block-in-hidden-section.json"),
      }),
    );
    expect(await readThemeSetup(graphql)).toMatchObject({ ok: true, block: { state: "hidden", placements: [{ file: "sections/footer-group.json", hidden: true }], complete: true } });
  });

  it("says a theme without JSON templates (vintage Liquid templates) cannot hold the block", async () => {
    const { api, graphql } = await start(
      theme(
        {
          "config/settings_data.json": fixture("settings_data.vintage.json"),
          "templates/index.liquid": "{{ content_for_index }}",
          "templates/product.liquid": "{% section 'product-template' %}",
          "sections/product-template.liquid": "{% schema %}{}{% endschema %}",
        },
        { name: "Debut" },
      ),
    );
    expect(await readThemeSetup(graphql)).toMatchObject({ ok: true, themeName: "Debut", embed: { state: "never-activated" }, block: { state: "no-json-templates", filesChecked: 0, complete: true } });
    expect(api.fileQueries()).toHaveLength(2);
  });

  it("reads a settings_data.json with the leading comment, whether Shopify sends it as text, base64 or a URL", async () => {
    const files = { "config/settings_data.json": fixture("settings_data.embed-on.json"), "templates/index.json": fixture("index.with-block.json") };
    for (const kind of ["text", "base64", "url"] as const) {
      const { graphql } = await start(theme(files, { bodyKinds: { "config/settings_data.json": kind, "templates/index.json": kind } }));
      expect(await readThemeSetup(graphql), kind).toMatchObject({ ok: true, embed: { state: "on" }, block: { state: "added" } });
      await api?.stop();
    }
  });

  it("follows the cursor when Shopify returns settings_data.json and the home page on separate pages", async () => {
    const { api, graphql } = await start(
      theme({ "config/settings_data.json": fixture("settings_data.embed-on.json"), "templates/index.json": fixture("index.with-block.json") }),
      { maxPerPage: 1 },
    );
    expect(await readThemeSetup(graphql)).toMatchObject({ ok: true, embed: { state: "on" }, block: { state: "added" } });
    expect(api.fileQueries().map((q) => q.filenames)).toEqual([
      ["config/settings_data.json", "templates/index.json"],
      ["config/settings_data.json", "templates/index.json"],
    ]);
  });

  it("treats a theme without settings_data.json as never activated (Shopify answers NOT_FOUND)", async () => {
    const { graphql } = await start(theme({ "templates/index.json": fixture("index.with-block.json") }));
    expect(await readThemeSetup(graphql)).toMatchObject({ ok: true, embed: { state: "never-activated" }, block: { state: "added" } });
  });

  it("stops after maxFiles templates and says the search was partial", async () => {
    const { api, graphql } = await start(theme({ "config/settings_data.json": fixture("settings_data.embed-on.json"), ...plainTemplates(30) }), { maxPerPage: 5 });
    expect(await readThemeSetup(graphql, { maxFiles: 10 })).toMatchObject({ ok: true, block: { state: "absent", filesChecked: 10, complete: false } });
    expect(api.fileQueries()).toHaveLength(1 + 2);
  });

  it("lists a template it could not download and still reads the others", async () => {
    const { graphql } = await start(
      theme({ "config/settings_data.json": fixture("settings_data.embed-on.json"), "templates/index.json": fixture("index.without-block.json"), "templates/product.json": fixture("product.block-in-section.json") }, { bodyKinds: { "templates/index.json": "url" } }),
    );
    const reading = await readThemeSetup(graphql, { fetchBody: () => Promise.reject(new Error("HTTP 403")) });
    expect(reading).toMatchObject({ ok: true, block: { state: "added", unreadable: ["templates/index.json could not be downloaded (HTTP 403)"] } });
  });

  it("says the shop has no published theme", async () => {
    const { graphql } = await start(null);
    expect(await readThemeSetup(graphql)).toEqual({ ok: false, reason: "no-main-theme", error: "the shop has no published theme" });
  });

  it("says read_themes is missing when Shopify answers ACCESS_DENIED (a shop installed before the scope)", async () => {
    const { graphql } = await start(theme({ "config/settings_data.json": fixture("settings_data.embed-on.json") }), { scopes: ["read_products", "read_customers"] });
    expect(await readThemeSetup(graphql)).toMatchObject({ ok: false, reason: "access-denied", error: expect.stringContaining("`read_themes` access scope") });
  });

  it("degrades to 'unavailable' on a refused token or an Admin API that keeps failing, without throwing", async () => {
    const refused = await start(theme({}), {}, "shpat_revoked");
    expect(await readThemeSetup(refused.graphql)).toMatchObject({ ok: false, reason: "unavailable", error: expect.stringContaining("HTTP 401") });
    await api?.stop();
    const failing = await start(theme({ "config/settings_data.json": fixture("settings_data.embed-on.json") }));
    failing.api.failNext = 10;
    expect(await readThemeSetup(failing.graphql)).toMatchObject({ ok: false, reason: "unavailable", error: expect.stringContaining("gave up after 2 attempts (HTTP 502)") });
  });

  it("reads the shop's theme with its offline token at the loopback Admin API the env names", async () => {
    const { api } = await start(theme({ "config/settings_data.json": fixture("settings_data.embed-on.json"), "templates/index.json": fixture("index.with-block.json") }));
    const env = { SHOPIFY_ADMIN_API_ORIGIN: api.origin } as AppBindings;
    const reading = await readShopThemeSetup(env, { shopDomain: "demo-apparel.myshopify.com", accessToken: TOKEN }, "2026-10");
    expect(reading).toMatchObject({ ok: true, embed: { state: "on" }, block: { state: "added" } });
  });
});
