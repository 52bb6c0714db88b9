import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * The edge benchmarks load the servers with Debian's `wrk`, compare them with Debian's `nginx` and
 * count instructions with Debian's `valgrind` (bench/instruction-count.ts).
 * A bench that cannot run must not vanish from the table (the README's figures would go stale
 * silently), so a missing tool is installed the way `npm test` installs Chromium
 * (scripts/ensure-chromium.ts): apt-get when running as root on Debian, otherwise an error naming
 * the command that fixes it — which fails the bench, and so the run.
 */
export const TOOLS = { nginx: { path: "/usr/sbin/nginx", pkg: "nginx" }, wrk: { path: "/usr/bin/wrk", pkg: "wrk" }, valgrind: { path: "/usr/bin/valgrind", pkg: "valgrind" } } as const;

export type Tool = keyof typeof TOOLS;

const installing = new Map<string, Promise<void>>();

/** Makes sure every tool in `tools` exists, installing the missing ones once per process. */
export function ensureTools(tools: readonly Tool[] = ["nginx", "wrk"]): Promise<void> {
  const key = [...tools].sort().join(" ");
  let done = installing.get(key);
  if (!done) installing.set(key, (done = Promise.resolve().then(() => install(tools))));
  return done;
}

function install(tools: readonly Tool[]): void {
  const missing = tools.filter((t) => !existsSync(TOOLS[t].path));
  if (missing.length === 0) return;
  const packages = missing.map((t) => TOOLS[t].pkg);
  const command = `sudo apt-get install -y ${packages.join(" ")}`;
  const canInstall = process.platform === "linux" && process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");
  if (!canInstall) throw new Error(`the edge benchmarks need ${missing.map((t) => TOOLS[t].path).join(" and ")}: ${command}`);
  console.log(`Installing Debian's ${packages.join(", ")} for the edge benchmarks (apt-get) …`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages], { stdio: "inherit", env });
  const still = missing.filter((t) => !existsSync(TOOLS[t].path));
  if (still.length) throw new Error(`apt-get did not install ${still.map((t) => TOOLS[t].path).join(", ")}: ${command}`);
}
