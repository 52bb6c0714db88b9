import { chromium, type BrowserContext } from "playwright-core";

/**
 * Headless Chromium for every browser test: Debian's /usr/bin/chromium driven by playwright-core (no
 * browser download), with a persistent profile in the directory given (the caller makes it fresh
 * and removes it; the shopper journey reuses one to restart the browser with its cookies).
 * The flags keep it offline and quiet: no sandbox (containers), no GPU, no QUIC, no first-run,
 * background, component-update or sync traffic.
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchChromium(profileDir: string, viewport: { width: number; height: number }): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, { executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS, viewport });
}
