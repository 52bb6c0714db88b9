import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnGroup, stopGroup, waitForHttp } from "../scripts/process-group.ts";
import { cpuSeconds } from "./process-usage.ts";
import { TOOLS } from "./ensure-tools.ts";

/**
 * Debian's nginx serving one page from a file: the machine's ceiling for those bytes, the edge
 * benches' reference. Its CPU time is the master's and its workers' (children of the master).
 */
export interface NginxServer {
  url: string;
  pid: number;
  /** CPU seconds of the master and its worker processes. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

export async function startNginx(port: number, page: string): Promise<NginxServer> {
  // A directory of its own, outside any private one: nginx's workers run as www-data when started by
  // root, and must be able to reach and read the page.
  const dir = await mkdtemp(join(tmpdir(), "wand-bench-nginx-"));
  const www = join(dir, "www");
  await mkdir(www, { recursive: true });
  await chmod(dir, 0o755);
  await writeFile(join(www, "page.html"), page);
  const conf = join(dir, "nginx.conf");
  await writeFile(
    conf,
    `worker_processes auto;
daemon off;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "nginx-error.log")} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${www};
    location / { default_type "text/html; charset=utf-8"; try_files /page.html =404; }
  }
}
`,
  );
  let log = "";
  const child: ChildProcess = spawnGroup(TOOLS.nginx.path, ["-e", join(dir, "nginx-error.log"), "-p", dir, "-c", conf], { cwd: dir, stdout: "ignore", onOutput: (c) => (log = (log + c.toString("utf8")).slice(-4000)) });
  const url = `http://127.0.0.1:${port}`;
  if ((await waitForHttp(`${url}/`, { attempts: 100, intervalMs: 100, requestTimeoutMs: 1000, ready: () => true })) !== "ready") {
    await stopGroup(child, { graceMs: 2000 });
    await rm(dir, { recursive: true, force: true });
    throw new Error(`nginx never answered on ${url}: ${log}`);
  }
  const pid = child.pid!;
  return {
    url,
    pid,
    cpuSeconds: () => [pid, ...childrenOf(pid)].reduce((sum, p) => {
      try {
        return sum + cpuSeconds(p);
      } catch {
        return sum;
      }
    }, 0),
    stop: async () => {
      await stopGroup(child, { graceMs: 3000 });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
