import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, appendFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createContext, runInContext } from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import { shopperHash } from "../core/experiment.ts";
import { runToEnd } from "../scripts/process-group.ts";
import type { PixelApi, PixelEvent } from "./wand-pixel/src/funnel.ts";

/**
 * `shopify app build` (@shopify/cli, a devDependency pinned to 4.8.x) on a copy of the app's
 * configuration and extensions, as `shopify app deploy` would build them: it validates
 * shopify.app.toml, runs Theme Check on the theme app extension and bundles the web pixel with the
 * real @shopify/web-pixels-extension. Offline: no login, and dependencies are not installed (the
 * copy resolves packages from the repository's node_modules).
 */
const root = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "wand-app-build-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function copyApp(name: string): string {
  const dir = join(work, name);
  cpSync(join(root, "shopify.app.toml"), join(dir, "shopify.app.toml"));
  cpSync(join(root, "extensions"), join(dir, "extensions"), {
    recursive: true,
    filter: (src) => !/\.test\.ts$|[\\/](node_modules|dist)$/.test(src),
  });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `wand-build-${name}`, private: true, type: "module" }));
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

/** Runs the CLI; returns its exit and its output without terminal colours and cursor moves. */
async function appBuild(dir: string): Promise<{ ok: boolean; output: string }> {
  const log: string[] = [];
  // The CLI takes its working directory from INIT_CWD/PWD when npm or npx set them (to the
  // repository): point them at the copy, or it writes its .shopify/ state into the repository.
  const env: NodeJS.ProcessEnv = { ...process.env, INIT_CWD: dir, PWD: dir, SHOPIFY_CLI_NO_ANALYTICS: "1", FORCE_COLOR: "0", NO_COLOR: "1" };
  delete env.npm_config_local_prefix;
  let ok = true;
  try {
    // --skip-dependencies-installation: without it the CLI runs `npm install` in the copy.
    await runToEnd(process.execPath, [join(root, "node_modules/@shopify/cli/bin/run.js"), "app", "build", "--path", dir, "--skip-dependencies-installation"], { cwd: dir, env, log });
  } catch {
    ok = false;
  }
  // eslint-disable-next-line no-control-regex
  return { ok, output: log.join("").replace(/\u001b\[[0-9;]*[A-Za-z]/g, "") };
}

/** Theme Check's findings as the CLI prints them: "[error]: <Check>" / "[warning]: <Check>". */
const findings = (output: string, level: "error" | "warning") => [...output.matchAll(new RegExp(`\\[${level}\\]: (\\w+)`, "g"))].map((m) => m[1]);

describe("shopify app build", () => {
  it("pins @shopify/cli 4.8.x and the pixel's @shopify/web-pixels-extension at the extension's version", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
    const pixel = JSON.parse(readFileSync(join(root, "extensions/wand-pixel/package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(pkg.devDependencies["@shopify/cli"]).toMatch(/^4\.8\.\d+$/);
    expect(pkg.devDependencies["@shopify/web-pixels-extension"]).toBe(pixel.dependencies["@shopify/web-pixels-extension"]);
  });

  it("builds both extensions offline: Theme Check without findings, and a pixel bundle that registers and reports", { timeout: 120_000 }, async () => {
    const dir = copyApp("clean");
    const { ok, output } = await appBuild(dir);
    expect(ok, output).toBe(true);
    expect(output).toMatch(/Running theme check/);
    expect(findings(output, "error"), output).toEqual([]);
    expect(findings(output, "warning"), output).toEqual([]);
    expect(output).toMatch(/wand-pixel successfully built/);

    const bundle = join(dir, "extensions/wand-pixel/dist/wand-pixel.js");
    expect(existsSync(bundle)).toBe(true);
    const code = readFileSync(bundle, "utf8");
    expect(code.length).toBeLessThan(4000);
    // The real register(): the bundle hands itself to Shopify's sandbox as a WebPixel::Render extension.
    const extensions: { target: string; run: (api: PixelApi) => void }[] = [];
    const fetches: { url: string; body: string }[] = [];
    const context = createContext({
      shopify: { extend: (target: string, run: (api: PixelApi) => void) => extensions.push({ target, run }) },
      fetch: async (url: string, init: { body: string }) => fetches.push({ url, body: init.body }),
      JSON,
      Promise,
    });
    runInContext(code, context);
    expect(extensions.map((e) => e.target)).toEqual(["WebPixel::Render"]);

    const shopper = shopperHash("demo-apparel", "abc123abc123");
    const handlers = new Map<string, (e: PixelEvent) => void | Promise<void>>();
    extensions[0]!.run({
      analytics: { subscribe: (name, cb) => handlers.set(name, cb) },
      browser: { localStorage: { getItem: async () => null } },
      init: { data: { cart: { attributes: [{ key: "_wand_shopper", value: shopper }] } } },
      settings: { store: "demo-apparel", endpoint: "https://edge.example/pixel" },
    });
    await handlers.get("checkout_completed")!({ name: "checkout_completed" });
    expect(fetches).toEqual([{ url: "https://edge.example/pixel", body: JSON.stringify({ store: "demo-apparel", shopper, events: ["checkout_completed"] }) }]);
  });

  it("reports Theme Check errors in the theme extension (what the clean build is checked against)", { timeout: 120_000 }, async () => {
    const dir = copyApp("broken");
    appendFileSync(join(dir, "extensions/wand-storefront/blocks/persona-storefront.liquid"), "\n{% if %}\n");
    const { output } = await appBuild(dir);
    expect(findings(output, "error")).toContain("LiquidHTMLSyntaxError");
  });
});
