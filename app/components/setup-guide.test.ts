import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json" with { type: "json" };
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { CatalogSyncState } from "../../core/edge-api.ts";
import { setupChecklist, type SetupInput } from "../../core/setup-checklist.ts";
import { SetupGuide, type SetupGuideProps } from "./setup-guide";

const SHOP = "demo-apparel.myshopify.com";
const catalog = (o: Partial<CatalogSyncState>): CatalogSyncState => ({
  state: "idle", trigger: null, mode: null, productsSynced: 0, productsTotal: null, startedAt: null, finishedAt: null,
  error: null, liveProducts: 0, lastGoodAt: null, pendingEvents: 0, ...o,
});
const llm = { keyConfigured: true, model: "moonshot-v1-32k", breaker: "closed" as const, retryAt: null, lastFallback: null };
const block = { placements: [], filesChecked: 3, complete: true, unreadable: [] };

const fresh: SetupInput = {
  shopDomain: SHOP,
  apiKey: "4f3e2d1c",
  theme: { ok: true, themeName: "Dawn", embed: { state: "never-activated" }, block: { state: "absent", ...block } },
  proxy: { ok: true, value: { requests: 0 } },
  llm: { ok: true, value: { ...llm, llmPages: 0 } },
  catalog: { ok: true, value: catalog({ state: "running", productsSynced: 240, productsTotal: 480 }) },
};
const done: SetupInput = {
  ...fresh,
  theme: { ok: true, themeName: "Dawn", embed: { state: "on" }, block: { state: "added", ...block, placements: [{ file: "templates/index.json", section: "apps", hidden: false }] } },
  proxy: { ok: true, value: { requests: 2 } },
  llm: { ok: true, value: { ...llm, llmPages: 1 } },
  catalog: { ok: true, value: catalog({ state: "ok", liveProducts: 480, lastGoodAt: "2026-12-01T07:00:00.000Z" }) },
};

/** The guide as the merchant's browser receives it (Polaris rendered on the server, as Remix does). */
function render(props: SetupGuideProps): string {
  return renderToStaticMarkup(createElement(AppProvider, { i18n: en }, createElement(SetupGuide, props)));
}
const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, "&").replace(/\s+/g, " ");
const links = (html: string) => [...html.matchAll(/<a [^>]*href="([^"]+)"[^>]*>/g)].map((m) => ({ href: m[1]!.replace(/&amp;/g, "&"), blank: /target="_blank"/.test(m[0]) }));

describe("setup guide card", () => {
  it("shows 0 of 5 for a fresh shop, every step's sentence and its action", () => {
    const html = render({ checklist: setupChecklist(fresh), onRecheck: () => {} });
    const words = text(html);
    expect(words).toContain("Set up WandStore");
    expect(words).toContain("0 of 5 steps done");
    for (const step of setupChecklist(fresh).steps) {
      expect(words).toContain(step.title);
      expect(words).toContain(step.explanation);
    }
    expect(html.match(/aria-label="Not done"/g)).toHaveLength(5);
    expect(words).toContain("Check again");
    expect(words).not.toContain("Dismiss");
  });

  it("links the theme editor deep links and the storefront in a new tab, app pages in the app", () => {
    const html = render({ checklist: setupChecklist(fresh), href: (path) => `${path}?shop=${SHOP}` });
    expect(links(html)).toEqual([
      { href: `https://${SHOP}/admin/themes/current/editor?context=apps&activateAppId=4f3e2d1c/wand-signals`, blank: true },
      { href: `https://${SHOP}/admin/themes/current/editor?template=index&addAppBlockId=4f3e2d1c/persona-storefront&target=newAppsSection`, blank: true },
      { href: `https://${SHOP}/apps/wand`, blank: true },
      { href: `/app/preview?shop=${SHOP}`, blank: false },
    ]);
    // The catalog's sync progress: 240 of 480.
    expect(html).toMatch(/<progress aria-labelledby="wand-setup-catalog"[^>]*value="50"/);
  });

  it("ticks done steps and drops their actions", () => {
    const partly = setupChecklist({ ...fresh, theme: done.theme });
    const html = render({ checklist: partly });
    expect(text(html)).toContain("2 of 5 steps done");
    expect(html.match(/aria-label="Done"/g)).toHaveLength(2);
    expect(links(html).map((l) => l.href)).not.toContainEqual(expect.stringContaining("/admin/themes/"));
  });

  it("offers Dismiss once complete, and shows nothing once dismissed", () => {
    const complete = setupChecklist(done);
    const html = render({ checklist: complete, onDismiss: () => {}, onRecheck: () => {} });
    expect(text(html)).toContain("5 of 5 steps done");
    expect(text(html)).toContain("All 5 steps are done");
    expect(html).toContain('aria-label="Dismiss the setup guide"');
    expect(text(html)).not.toContain("Check again");
    expect(links(html)).toEqual([]);
    const dismissed = render({ checklist: complete, dismissed: true, onDismiss: () => {} });
    expect(text(dismissed).trim()).toBe("");
    expect(dismissed).not.toContain("<ol");
  });
});
