import { once } from "node:events";
import type { AddressInfo } from "node:net";
import type { GenerationResult } from "../../core/types.ts";
import { parseEnv } from "../src/env.ts";
import { createLlmClient } from "../src/llm-client.ts";
import { createApp } from "../src/server.ts";

/** The real Express app on 127.0.0.1:<ephemeral>, configured like production but for the given env. */
export interface RunningGenerator {
  url: string;
  logs: string[];
  generate(body: unknown): Promise<{ status: number; result: GenerationResult }>;
  post(body: string, contentType?: string): Promise<{ status: number; json: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startGenerator(env: Record<string, string | undefined>): Promise<RunningGenerator> {
  const parsed = parseEnv(env);
  const logs: string[] = [];
  const app = createApp({ env: parsed, llm: createLlmClient(parsed), log: (line) => logs.push(line) });
  const server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const post = async (body: string, contentType = "application/json") => {
    const res = await fetch(`${url}/generate`, { method: "POST", headers: { "content-type": contentType }, body });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  return {
    url,
    logs,
    post,
    async generate(body) {
      const { status, json } = await post(JSON.stringify(body));
      return { status, result: json as unknown as GenerationResult };
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
