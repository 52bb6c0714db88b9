import type { AddressInfo } from "node:net";
import { EnvError, parseEnv } from "./env.ts";
import { createLlmClient } from "./llm-client.ts";
import { logEvent, stdoutSink } from "./log.ts";
import { createApp } from "./server.ts";

/**
 * Entry point of the generator process: `npm run start:generator`, and the container image (bundled
 * by `npm run build:container`). Validates the environment, listens, and stops cleanly on SIGTERM.
 */

function start(): void {
  let env;
  try {
    env = parseEnv(process.env);
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const llm = createLlmClient(env);
  if (!llm) {
    logEvent(stdoutSink, "template_mode", { message: "LLM_API_KEY is not set: every page is the persona's template page (template mode)" }, "warn");
  }

  const app = createApp({ env, llm, log: stdoutSink });
  const server = app.listen(env.PORT, env.HOST);
  server.on("listening", () => {
    const { address, port } = server.address() as AddressInfo;
    logEvent(stdoutSink, "listening", { host: address, port, url: `http://${env.HOST}:${port}`, mode: llm ? "llm" : "template", model: llm?.model ?? null });
  });
  server.on("error", (error) => {
    logEvent(stdoutSink, "listen_failed", { error: error.message }, "error");
    process.exit(1);
  });

  const shutdown = (signal: string) => {
    logEvent(stdoutSink, "shutdown", { signal });
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    // In-flight generations get a grace period (the container platform waits for us); then we go.
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

start();
