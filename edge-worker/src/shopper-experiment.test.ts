import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { EXPOSURE_HEADER, exposureDay, parseExposure, shopperHash, type ExperimentCounts } from "../../core/experiment.ts";
import { EdgeApi } from "./edge-api.ts";
import { readExperimentCounts } from "./experiment/stats-read.ts";
import { eventually, page, seedStore, uniqueStore } from "../test/helpers.ts";

const DAY_MS = 86_400_000;

/** The store's experiment counts around today (yesterday to tomorrow, so a test at midnight holds). */
function counts(store: string): Promise<ExperimentCounts> {
  const now = Date.now();
  return readExperimentCounts(env, store, exposureDay(now - DAY_MS), exposureDay(now + DAY_MS));
}

const visitors = (c: ExperimentCounts) => c.exposures.reduce((n, e) => n + e.visitors, 0);

/** What a served page declares: its Wand-Exposure header's fields, and the arm of each add-to-cart form. */
function declared({ html, exposure }: { html: string; exposure: string | null }): { header: Record<string, string> | null; formArms: string[]; forms: number } {
  const header = exposure ? Object.fromEntries(new URLSearchParams(exposure)) : null;
  const forms = html.match(/<form[^>]*action="[^"]*\/cart\/add"[^>]*>[\s\S]*?<\/form>/g) ?? [];
  const formArms = forms.map((f) => /name="properties\[_wand_arm\]" value="([a-z]+)"/.exec(f)?.[1] ?? "none");
  return { header, formArms, forms: forms.length };
}

async function served(path: string): Promise<{ html: string; cache: string | null; exposure: string | null }> {
  const res = await page(path);
  return { html: await res.text(), cache: res.headers.get("Wand-Cache"), exposure: res.headers.get(EXPOSURE_HEADER) };
}

describe("the experiment on the shopper's page", () => {
  it("counts a shopper served 3 times in a day as 1 visitor of their arm and persona", async () => {
    const store = uniqueStore("exp-once");
    await seedStore(store, { settings: { holdoutPercent: 10 } });
    for (let i = 0; i < 3; i++) await served(`/s/${store}?shopper=alice&persona=loyalist`);
    // A second shopper afterwards: once they are counted, alice's background write has settled too.
    await served(`/s/${store}?shopper=bob&persona=minimalist`);
    const settled = await eventually(async () => {
      const c = await counts(store);
      return visitors(c) >= 2 ? c : undefined;
    });
    const alice = await served(`/s/${store}?shopper=alice&persona=loyalist`);
    const arm = declared(alice).header!.arm!;
    expect(["wand", "holdout"]).toContain(arm);
    expect(settled.exposures.filter((e) => e.persona === "loyalist")).toEqual([{ day: exposureDay(Date.now()), arm, persona: "loyalist", visitors: 1 }]);
    expect(visitors(settled)).toBe(2);
  });

  it("puts holdout shoppers' arm in the exposure header, in every add-to-cart form and in the counts", async () => {
    const store = uniqueStore("exp-hold");
    await seedStore(store, { settings: { holdoutPercent: 100 } });
    const carol = await served(`/s/${store}?shopper=carol&persona=dealhunter`);
    const { html, cache } = carol;
    expect(cache).toBe("holdout");
    const d = declared(carol);
    expect(parseExposure(carol.exposure)).toEqual({ arm: "holdout", persona: "dealhunter", shopper: shopperHash(store, "carol") });
    // The body names no shopper: another holdout shopper of the persona gets the same bytes.
    expect(html).not.toContain("wand-experiment");
    const erin = await served(`/s/${store}?shopper=erin&persona=dealhunter`);
    expect(erin.html).toBe(html);
    expect(declared(erin).header!.shopper).toBe(shopperHash(store, "erin"));
    expect(d.forms).toBeGreaterThan(0);
    expect(d.formArms).toEqual(Array(d.forms).fill("holdout"));
    const c = await eventually(async () => {
      const r = await counts(store);
      return visitors(r) >= 2 ? r : undefined;
    });
    expect(c.exposures).toEqual([{ day: exposureDay(Date.now()), arm: "holdout", persona: "dealhunter", visitors: 2 }]);
  });

  it("gives wand and holdout shoppers of one store their arm's page, the same bytes for every shopper served alike", async () => {
    const store = uniqueStore("exp-split");
    await seedStore(store, { settings: { holdoutPercent: 50 } });
    const arms = new Map<string, string>();
    const bodies = new Map<string, Set<string>>();
    for (let i = 0; i < 12; i++) {
      const shopper = await served(`/s/${store}?shopper=s${i}&persona=explorer`);
      const { cache } = shopper;
      const d = declared(shopper);
      bodies.set(cache ?? "", (bodies.get(cache ?? "") ?? new Set()).add(shopper.html));
      // The arm the page declares is the one it was served by.
      expect(d.header!.arm).toBe(cache === "holdout" ? "holdout" : "wand");
      expect(d.header!.shopper).toBe(shopperHash(store, `s${i}`));
      expect(d.formArms).toEqual(Array(d.forms).fill(d.header!.arm));
      arms.set(`s${i}`, d.header!.arm!);
    }
    expect(new Set(arms.values())).toEqual(new Set(["wand", "holdout"]));
    // One body per way of serving (holdout, miss, a cached page): nothing in it names the shopper.
    for (const [cache, served] of bodies) expect(served.size, cache).toBe(1);
    const c = await eventually(async () => {
      const r = await counts(store);
      return visitors(r) >= 12 ? r : undefined;
    });
    const perArm = (arm: string) => c.exposures.filter((e) => e.arm === arm).reduce((n, e) => n + e.visitors, 0);
    expect(perArm("holdout")).toBe([...arms.values()].filter((a) => a === "holdout").length);
    expect(perArm("wand")).toBe([...arms.values()].filter((a) => a === "wand").length);
  });

  it("records nothing and declares no arm when the store has no holdout (no control group)", async () => {
    const store = uniqueStore("exp-off");
    await seedStore(store, { settings: { holdoutPercent: 0 } });
    const dave = await served(`/s/${store}?shopper=dave&persona=explorer`);
    const { html } = dave;
    const d = declared(dave);
    expect(d.header).toBeNull();
    expect(d.forms).toBeGreaterThan(0);
    expect(d.formArms).toEqual(Array(d.forms).fill("none"));
    expect(html).toContain('name="properties[_wand_persona]" value="explorer"');
    // A counted shopper of another store, served after, has settled: this one wrote nothing.
    const other = uniqueStore("exp-off-ref");
    await seedStore(other, { settings: { holdoutPercent: 100 } });
    await served(`/s/${other}?shopper=dave&persona=explorer`);
    await eventually(async () => visitors(await counts(other)) > 0);
    expect(visitors(await counts(store))).toBe(0);
  });

  it("records nothing for an admin preview", async () => {
    const store = uniqueStore("exp-preview");
    await seedStore(store, { settings: { holdoutPercent: 50 } });
    const ctx = createExecutionContext();
    const preview = await new EdgeApi(ctx, env).preview(store, "minimalist");
    await waitOnExecutionContext(ctx);
    expect(preview.html).not.toContain("wand-experiment");
    expect(preview.html).not.toContain("_wand_arm");
    expect(visitors(await counts(store))).toBe(0);
  });
});
