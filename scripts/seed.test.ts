import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_STORES } from "../core/demo-stores.ts";
import { EDGE_CONFIG, seedDemoStores } from "./seed.ts";

interface Bindings {
  DB: { prepare(sql: string): { bind(...v: unknown[]): { run(): Promise<unknown>; first<T>(): Promise<T | null> } } };
  CACHE: { get(key: string, type: "json"): Promise<unknown> };
  PAGES: { head(key: string): Promise<unknown> };
}

const dir = mkdtempSync(join(tmpdir(), "wand-seed-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function open() {
  process.env.WRANGLER_LOG ??= "error";
  const { getPlatformProxy } = await import("wrangler");
  return getPlatformProxy<Bindings>({ configPath: EDGE_CONFIG, persist: { path: join(dir, "v3") }, remoteBindings: false });
}

describe("scripts/seed.ts", () => {
  it("puts every demo store into D1 with its KV and R2 snapshots, and keeps a merchant's edits when run again", async () => {
    const lines: string[] = [];
    await seedDemoStores(dir, (l) => lines.push(l));
    expect(lines).toHaveLength(DEMO_STORES.length);

    let proxy = await open();
    try {
      for (const demo of DEMO_STORES) {
        const row = await proxy.env.DB.prepare("SELECT s.shopDomain, s.installed, c.productCount FROM ShopSettings s JOIN Catalog c USING (store) WHERE store = ?")
          .bind(demo.store)
          .first<{ shopDomain: string; installed: number; productCount: number }>();
        expect(row).toMatchObject({ shopDomain: demo.shopDomain, installed: 1 });
        expect(row!.productCount).toBeGreaterThan(0);
        expect(await proxy.env.CACHE.get(`settings/${demo.store}`, "json")).toMatchObject({ store: demo.store, settingsVersion: 1 });
        expect(await proxy.env.CACHE.get(`catalog/${demo.store}`, "json")).toMatchObject({ store: demo.store });
        expect(await proxy.env.PAGES.head(`catalog/${demo.store}.json`)).not.toBeNull();
      }
      // The merchant changes their settings in the admin…
      await proxy.env.DB.prepare("UPDATE ShopSettings SET brandVoice = 'Bold and warm', settingsVersion = 2 WHERE store = ?").bind("demo-home").run();
    } finally {
      await proxy.dispose();
    }

    // …and the next `npm start` seeds again.
    await seedDemoStores(dir, () => {});
    proxy = await open();
    try {
      const row = await proxy.env.DB.prepare("SELECT brandVoice, settingsVersion FROM ShopSettings WHERE store = ?").bind("demo-home").first();
      expect(row).toEqual({ brandVoice: "Bold and warm", settingsVersion: 2 });
      expect(await proxy.env.CACHE.get("settings/demo-home", "json")).toMatchObject({ brandVoice: "Bold and warm", settingsVersion: 2 });
    } finally {
      await proxy.dispose();
    }
    // wrangler's CLI and two local runtimes on a shared 2-core machine.
  }, 180_000);
});
