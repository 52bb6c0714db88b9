import type { Page } from "playwright-core";

/** Opens an admin page and waits until React has hydrated it (buttons then do something). */
export async function openAdmin(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForLoadState("networkidle");
  await page.waitForFunction(() => "__reactRouterRouteModules" in window || "__remixRouteModules" in window);
}
