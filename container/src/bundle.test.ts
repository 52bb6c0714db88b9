import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateBody } from "../test/fixtures.ts";

/**
 * The container image runs `dist/container/server.cjs`, built by container/build.ts (also behind
 * `npm run build:container`). This test builds that bundle the same way, starts it as its own process (as the image does) and
 * checks it serves and stops on SIGTERM, so the image never runs a server the other tests did not.
 */

const root = fileURLToPath(new URL("../../", import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), "wand-bundle-"));
const outFile = join(outDir, "server.cjs");
let child: ChildProcessWithoutNullStreams;
let url = "";
const output: string[] = [];

beforeAll(async () => {
  // The same build as `npm run build:container` and the Dockerfile, and the same node flags as the image.
  execFileSync(process.execPath, [join(root, "container/build.ts"), outFile], { cwd: root, stdio: "pipe" });

  child = spawn(process.execPath, ["--enable-source-maps", outFile], { env: { PATH: process.env.PATH, PORT: "0", HOST: "127.0.0.1" } });
  child.stderr.on("data", (c: Buffer) => output.push(c.toString()));
  url = await new Promise<string>((resolve, reject) => {
    let buffered = "";
    child.stdout.on("data", (c: Buffer) => {
      buffered += c.toString();
      output.push(c.toString());
      const listening = buffered.split("\n").map((l) => (l.startsWith("{") ? (JSON.parse(l) as { event?: string; port?: number }) : {})).find((l) => l.event === "listening");
      if (listening) resolve(`http://127.0.0.1:${listening.port}`);
    });
    child.once("exit", (code) => reject(new Error(`bundle exited with ${code}: ${output.join("")}`)));
  });
}, 60_000);

afterAll(() => {
  if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(outDir, { recursive: true, force: true });
});

describe("the bundled generator (what the image runs)", () => {
  it("says once that it runs in template mode", () => {
    expect(output.join("").match(/"event":"template_mode"/g)).toHaveLength(1);
  });

  it("answers /healthz and /generate", async () => {
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toMatchObject({ ok: true, mode: "template" });
    const res = await fetch(`${url}/generate`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(generateBody("minimalist")) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ source: "template", model: "none" });
  });

  it("refuses to start on an invalid environment, naming the fields", () => {
    let stderr = "";
    try {
      execFileSync(process.execPath, [outFile], { env: { PATH: process.env.PATH, PORT: "eighty", LLM_TIMEOUT_MS: "-5" }, stdio: "pipe" });
    } catch (error) {
      const failed = error as { status: number; stderr: Buffer };
      expect(failed.status).toBe(1);
      stderr = failed.stderr.toString();
    }
    expect(stderr).toContain("Invalid generator environment");
    expect(stderr).toMatch(/PORT[\s\S]*LLM_TIMEOUT_MS/);
  });

  it("stops with exit code 0 on SIGTERM", async () => {
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  });
});
