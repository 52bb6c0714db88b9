import { readFile, readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { Severity, themeCheckRun } from "@shopify/theme-check-node";
import { describe, expect, it } from "vitest";

// The extension folder may hold only assets/, blocks/, snippets/, locales/ and its toml, so its tests
// live beside it rather than inside it.
const root = fileURLToPath(new URL("./wand-storefront/", import.meta.url));
const read = (p: string) => readFile(`${root}${p}`, "utf8");

/** Shopify's budget for a storefront app block's JavaScript: 10 KB compressed. */
const JS_BUDGET_BYTES = 10 * 1024;

function schemaOf(liquid: string): Record<string, unknown> {
  const match = /\{%\s*schema\s*%\}([\s\S]*?)\{%\s*endschema\s*%\}/.exec(liquid);
  if (!match) throw new Error("no schema");
  return JSON.parse(match[1]!) as Record<string, unknown>;
}

describe("theme app extension wand-storefront", () => {
  it("passes Theme Check with the theme-app-extension rules: no error or warning", async () => {
    // No config path: Theme Check picks its theme-app-extension rule set from shopify.extension.toml,
    // as `shopify app build` does.
    const { config, offenses } = await themeCheckRun(root);
    expect(config.context).toBe("app");
    const serious = offenses
      .filter((o) => o.severity === Severity.ERROR || o.severity === Severity.WARNING)
      .map((o) => `${o.check} ${o.uri.replace(/^.*wand-storefront\//, "")}: ${o.message}`);
    expect(serious).toEqual([]);
  });

  it("keeps its JavaScript under 10 KB gzip, each file and all together", async () => {
    const files = (await readdir(`${root}assets`)).filter((f) => f.endsWith(".js"));
    expect(files.sort()).toEqual(["wand-signals.js", "wand-storefront.js"]);
    let total = 0;
    for (const file of files) {
      const size = gzipSync(await read(`assets/${file}`), { level: 9 }).length;
      total += size;
    }
    expect(total).toBeLessThan(JS_BUDGET_BYTES);
  });

  it("declares the app block for sections and the app embed for the body", async () => {
    const block = schemaOf(await read("blocks/persona-storefront.liquid"));
    expect(block).toMatchObject({ name: "Personalized storefront", target: "section", javascript: "wand-storefront.js", stylesheet: "wand-storefront.css" });
    const embed = schemaOf(await read("blocks/wand-signals.liquid"));
    expect(embed).toMatchObject({ target: "body", javascript: "wand-signals.js" });
    expect(await read("shopify.extension.toml")).toMatch(/^type = "theme"$/m);
  });

  it("shows shoppers only translated text", async () => {
    const snippet = await read("snippets/wand-storefront-frame.liquid");
    const visible = snippet
      .replace(/\{%-?\s*comment\s*-?%\}[\s\S]*?\{%-?\s*endcomment\s*-?%\}/g, "")
      .replace(/<[^>]*>/g, " ")
      .replace(/\{\{[\s\S]*?\}\}/g, " ")
      .trim();
    expect(visible).toBe("");
    const locale = JSON.parse(await read("locales/en.default.json")) as { storefront: Record<string, string> };
    expect(Object.keys(locale.storefront).sort()).toEqual(["frame_title", "loading", "open_link"]);
  });

  it("removes in disconnectedCallback every listener it adds", async () => {
    for (const file of ["wand-signals.js", "wand-storefront.js"]) {
      const js = await read(`assets/${file}`);
      const added = [...js.matchAll(/addEventListener\('([^']+)'/g)].map((m) => m[1]).sort();
      const removed = [...js.matchAll(/removeEventListener\('([^']+)'/g)].map((m) => m[1]);
      for (const type of added) expect(removed, `${file}: ${type}`).toContain(type);
    }
  });
});
