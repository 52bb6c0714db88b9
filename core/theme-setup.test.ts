import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  blockAdditionLink,
  detectBlock,
  detectEmbed,
  embedActivationLink,
  findBlockPlacements,
  parseAppBlockType,
  parseThemeJson,
  WAND_APP_HANDLE,
  WAND_BLOCK_HANDLE,
  WAND_EMBED_HANDLE,
  WAND_THEME_IDS,
} from "./theme-setup.ts";

// Theme files as Shopify writes them (comment header, `\/` escapes, other apps' blocks): see
// core/fixtures/theme/README.md.
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/theme/${name}`, import.meta.url)), "utf8");
const file = (filename: string, name: string) => ({ filename, content: fixture(name) });
const repo = (p: string) => readFileSync(fileURLToPath(new URL(`../${p}`, import.meta.url)), "utf8");

describe("theme JSON files", () => {
  it("parses a file that starts with the theme editor's comment block, which JSON.parse refuses", () => {
    const text = fixture("settings_data.embed-on.json");
    expect(text.startsWith("/*")).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
    const parsed = parseThemeJson(text);
    expect(parsed.ok && Object.keys(parsed.value)).toEqual(["current", "presets"]);
  });

  it("keeps a comment-like string inside the JSON intact", () => {
    const parsed = parseThemeJson('/* a */ // b\n{ "current": { "note": "/* not a comment */" } }');
    expect(parsed).toEqual({ ok: true, value: { current: { note: "/* not a comment */" } } });
  });

  it("says why a broken file cannot be read instead of throwing", () => {
    expect(parseThemeJson('/* header */ { "current": ')).toMatchObject({ ok: false, error: expect.stringMatching(/^not valid JSON/) });
    expect(parseThemeJson("[1, 2]")).toEqual({ ok: false, error: "not a JSON object" });
  });

  it("splits an app block type into app handle, block handle and extension uuid", () => {
    expect(parseAppBlockType("shopify://apps/wandstore/blocks/wand-signals/5f0c9a2e-7d41-4b8e-9c3a-1e6b2d8f4a70")).toEqual({
      appHandle: "wandstore",
      blockHandle: "wand-signals",
      uuid: "5f0c9a2e-7d41-4b8e-9c3a-1e6b2d8f4a70",
    });
    expect(parseAppBlockType("@app")).toBeNull();
    expect(parseAppBlockType("heading")).toBeNull();
    expect(parseAppBlockType(42)).toBeNull();
  });
});

describe("the app embed in config/settings_data.json", () => {
  it("is on when WandStore's entry in current.blocks has disabled: false (with or without the comment)", () => {
    expect(detectEmbed(fixture("settings_data.embed-on.json"))).toEqual({ state: "on" });
    expect(detectEmbed(fixture("settings_data.embed-on.no-comment.json"))).toEqual({ state: "on" });
  });

  it("is off when the entry has disabled: true, even though another app's embed is on", () => {
    expect(detectEmbed(fixture("settings_data.embed-off.json"))).toEqual({ state: "off" });
  });

  it("was never activated when the theme has no entry of WandStore's (only other apps')", () => {
    expect(detectEmbed(fixture("settings_data.embed-never.json"))).toEqual({ state: "never-activated" });
    expect(detectEmbed(fixture("settings_data.vintage.json"))).toEqual({ state: "never-activated" });
    expect(detectEmbed(null)).toEqual({ state: "never-activated" });
  });

  it("is not WandStore's when another app has an embed of the same handle", () => {
    const other = fixture("settings_data.embed-on.json").replace("apps\\/wandstore\\/", "apps\\/someone-else\\/");
    expect(detectEmbed(other)).toEqual({ state: "never-activated" });
    // …unless its uuid is the extension's (the app's handle changed after the embed was turned on).
    expect(detectEmbed(other, { ...WAND_THEME_IDS, extensionUuid: "5f0c9a2e-7d41-4b8e-9c3a-1e6b2d8f4a70" })).toEqual({ state: "on" });
  });

  it("is on when any of two entries is (a reinstall leaves the old one behind)", () => {
    const settings = {
      current: {
        blocks: {
          "1": { type: "shopify://apps/wandstore/blocks/wand-signals/old-uuid", disabled: true, settings: {} },
          "2": { type: "shopify://apps/wandstore/blocks/wand-signals/new-uuid", disabled: false, settings: {} },
        },
      },
    };
    expect(detectEmbed(JSON.stringify(settings))).toEqual({ state: "on" });
  });

  it("reads the preset an untouched theme's `current` names", () => {
    const settings = { current: "Light", presets: { Light: { blocks: { "9": { type: "shopify://apps/wandstore/blocks/wand-signals/u", disabled: false } } } } };
    expect(detectEmbed(JSON.stringify(settings))).toEqual({ state: "on" });
  });

  it("ignores presets when `current` holds the saved settings", () => {
    const settings = { current: { blocks: {} }, presets: { Default: { blocks: { "9": { type: "shopify://apps/wandstore/blocks/wand-signals/u", disabled: false } } } } };
    expect(detectEmbed(JSON.stringify(settings))).toEqual({ state: "never-activated" });
  });

  it("reports an unreadable file as such, with the reason", () => {
    expect(detectEmbed("/* header */ {")).toMatchObject({ state: "unreadable", error: expect.stringContaining("config/settings_data.json is not valid JSON") });
  });
});

describe("the app block in JSON templates and section groups", () => {
  it("is added when a template's Apps section holds it", () => {
    const index = file("templates/index.json", "index.with-block.json");
    expect(findBlockPlacements(index)).toEqual({ ok: true, value: [{ file: "templates/index.json", section: "17325470871b8e9c2f", hidden: false }] });
    const result = detectBlock([index, file("templates/product.json", "index.without-block.json")], { complete: true });
    expect(result).toMatchObject({ state: "added", filesChecked: 2, complete: true, unreadable: [] });
  });

  it("is found inside a theme section's blocks (added to the product page's main section)", () => {
    const result = detectBlock([file("templates/index.json", "index.without-block.json"), file("templates/product.json", "product.block-in-section.json")], { complete: true });
    expect(result).toMatchObject({ state: "added", placements: [{ file: "templates/product.json", section: "main", hidden: false }] });
  });

  it("is absent when no template holds it (another app's block does not count)", () => {
    const index = fixture("index.without-block.json");
    expect(index).toContain("judge-me-reviews");
    const result = detectBlock([{ filename: "templates/index.json", content: index }], { complete: true });
    expect(result).toMatchObject({ state: "absent", placements: [], filesChecked: 1 });
  });

  it("is hidden when the block, or the section holding it, is disabled", () => {
    expect(detectBlock([file("templates/index.json", "index.block-hidden.json")], { complete: true })).toMatchObject({
      state: "hidden",
      placements: [{ file: "templates/index.json", hidden: true }],
    });
    expect(detectBlock([file("templates/index.json", "index.without-block.json"), file("sections/footer-group.json", "footer-group.block-in-hidden-section.json")], { complete: true })).toMatchObject({
      state: "hidden",
      placements: [{ file: "sections/footer-group.json", section: "apps_wand_9KdQ2r", hidden: true }],
    });
  });

  it("counts a visible copy over a hidden one", () => {
    const result = detectBlock([file("templates/index.json", "index.block-hidden.json"), file("templates/product.json", "product.block-in-section.json")], { complete: true });
    expect(result.state).toBe("added");
    expect(result.placements.map((p) => [p.file, p.hidden])).toEqual([
      ["templates/index.json", true],
      ["templates/product.json", false],
    ]);
  });

  it("finds nested theme blocks' app blocks", () => {
    const template = {
      sections: { main: { type: "main", blocks: { group: { type: "group", blocks: { inner: { type: "shopify://apps/wandstore/blocks/persona-storefront/u" } } } } } },
    };
    expect(findBlockPlacements({ filename: "templates/page.json", content: JSON.stringify(template) })).toEqual({ ok: true, value: [{ file: "templates/page.json", section: "main", hidden: false }] });
  });

  it("says a theme without JSON templates (vintage Liquid templates) cannot hold the block", () => {
    // The reader found only settings_data.json: no templates/*.json at all.
    const result = detectBlock([{ filename: "config/settings_data.json", content: fixture("settings_data.vintage.json") }], { complete: true });
    expect(result).toMatchObject({ state: "no-json-templates", filesChecked: 0 });
  });

  it("does not call a theme vintage when the reader stopped early", () => {
    expect(detectBlock([], { complete: false }).state).toBe("absent");
  });

  it("lists a broken template as unreadable and still reads the others", () => {
    const result = detectBlock([{ filename: "templates/page.json", content: "/* x */ {" }, file("templates/index.json", "index.with-block.json")], { complete: true });
    expect(result.state).toBe("added");
    expect(result.unreadable).toEqual([expect.stringContaining("templates/page.json is not valid JSON")]);
  });
});

describe("theme editor deep links", () => {
  it("activates the embed by api key and embed handle in the App embeds context", () => {
    expect(embedActivationLink("demo-apparel.myshopify.com", "4f3e2d1c")).toBe(
      "https://demo-apparel.myshopify.com/admin/themes/current/editor?context=apps&activateAppId=4f3e2d1c/wand-signals",
    );
  });

  it("adds the block to the home page template in a new Apps section", () => {
    expect(blockAdditionLink("demo-apparel.myshopify.com", "4f3e2d1c")).toBe(
      "https://demo-apparel.myshopify.com/admin/themes/current/editor?template=index&addAppBlockId=4f3e2d1c/persona-storefront&target=newAppsSection",
    );
    expect(blockAdditionLink("demo-apparel.myshopify.com", "4f3e2d1c", { template: "product" })).toContain("?template=product&");
  });

  it("refuses a domain or key that would make a broken or foreign link", () => {
    expect(() => embedActivationLink("evil.com/phish?x=", "k")).toThrow(/not a shop domain/);
    expect(() => embedActivationLink("demo.myshopify.com", "")).toThrow(/API key/);
    expect(() => blockAdditionLink("demo.myshopify.com", "a&b=c")).toThrow(/API key/);
  });
});

describe("the handles are the extension's", () => {
  // The embed and block handles are the extension's file names, and the app handle is the toml's.
  const liquid = (handle: string) => repo(`extensions/wand-storefront/blocks/${handle}.liquid`);
  const schema = (text: string) => JSON.parse(/\{%\s*schema\s*%\}([\s\S]*?)\{%\s*endschema\s*%\}/.exec(text)![1]!) as { target: string };

  it("wand-signals is an app embed (target body) and persona-storefront an app block (target section)", () => {
    expect(schema(liquid(WAND_EMBED_HANDLE)).target).toBe("body");
    expect(schema(liquid(WAND_BLOCK_HANDLE)).target).toBe("section");
  });

  it("the app handle is shopify.app.toml's", () => {
    expect(/^handle\s*=\s*"([^"]+)"/m.exec(repo("shopify.app.toml"))?.[1]).toBe(WAND_APP_HANDLE);
  });
});
