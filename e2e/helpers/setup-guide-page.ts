import type { Page } from "playwright-core";

/**
 * The setup guide as a merchant reads it on the admin's home (app/components/setup-guide.tsx): the
 * "N of 5 steps done" line and, per step, its title, whether it is ticked (the mark's accessible
 * name, "Done" / "Not done"), its one-sentence explanation and where its action button leads.
 * Read from the rendered page only, never from the loader's data.
 */
export interface GuideStep {
  title: string;
  done: boolean;
  explanation: string;
  /** The action button's link (Polaris renders a Button with `url` as an anchor), if shown. */
  actionHref: string | null;
  actionLabel: string | null;
}

export interface GuideView {
  progress: string | null;
  steps: GuideStep[];
}

export async function readGuide(page: Page): Promise<GuideView> {
  // The innermost element holding both the guide's heading and its list of steps.
  const heading = page.getByRole("heading", { name: "Set up WandStore", level: 2 });
  if ((await heading.count()) === 0) return { progress: null, steps: [] };
  const card = page.locator("div", { has: heading }).filter({ has: page.locator("ol") }).last();
  const progress = await card.getByText(/^\d+ of \d+ steps done$/).textContent();
  const items = card.locator("ol > li");
  const steps: GuideStep[] = [];
  for (let i = 0; i < (await items.count()); i++) {
    const item = items.nth(i);
    const action = item.locator("a");
    const hasAction = (await action.count()) > 0;
    steps.push({
      title: (await item.locator("h3").textContent()) ?? "",
      done: (await item.getByRole("img").getAttribute("aria-label")) === "Done",
      explanation: (await item.locator("p").first().textContent()) ?? "",
      actionHref: hasAction ? await action.first().getAttribute("href") : null,
      actionLabel: hasAction ? ((await action.first().textContent()) ?? "").trim() : null,
    });
  }
  return { progress, steps };
}
