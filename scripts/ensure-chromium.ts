import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * Runs before the tests: the browser tests drive Debian's Chromium at /usr/bin/chromium (Playwright
 * cannot download a browser here). On a fresh Debian machine it is missing, so `npm test` installs it
 * with apt-get when it can (root), and otherwise stops with the one command that fixes it — rather
 * than letting every browser test fail with a launch error.
 */
const CHROMIUM = "/usr/bin/chromium";

function main(): number {
  if (existsSync(CHROMIUM)) return 0;
  const canInstall = process.platform === "linux" && process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");
  if (!canInstall) {
    console.error(`${CHROMIUM} is missing; the browser tests need Debian's Chromium: sudo apt-get install -y chromium`);
    return 1;
  }
  console.log("Installing Debian's chromium for the browser tests (apt-get) …");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit", env });
  return existsSync(CHROMIUM) ? 0 : 1;
}

process.exitCode = main();
