import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An OpenAI-compatible chat completions server on 127.0.0.1 for tests, so the real `openai` SDK
 * (retries, timeouts, headers) runs against it. Each request is answered by the script's next reply;
 * the last reply repeats once the script runs out.
 */

export type MockReply =
  | { kind: "answer"; content: string; finishReason?: string; usage?: { prompt_tokens: number; completion_tokens: number } }
  | { kind: "status"; status: number; message?: string }
  /** Accepts the request and never answers (until the test closes the server). */
  | { kind: "hang" }
  /** Sends the headers and the start of the body, then nothing more. */
  | { kind: "stall-body" }
  /** Reads the request, then drops the connection without a response (a reset). */
  | { kind: "reset" }
  /** Answers 200 with a body that is not JSON (a proxy's error page, say). */
  | { kind: "not-json" };

export interface RecordedRequest {
  path: string;
  authorization: string | undefined;
  body: {
    model?: string;
    max_tokens?: number;
    messages?: { role: string; content: string }[];
  };
}

export interface MockLlm {
  /** Base URL to give the SDK, ending in /v1. */
  baseUrl: string;
  requests: RecordedRequest[];
  script(...replies: MockReply[]): void;
  close(): Promise<void>;
}

export const answer = (content: string, extra: Partial<Extract<MockReply, { kind: "answer" }>> = {}): MockReply => ({ kind: "answer", content, ...extra });
export const status = (code: number): MockReply => ({ kind: "status", status: code });
export const hang: MockReply = { kind: "hang" };
export const stallBody: MockReply = { kind: "stall-body" };
export const reset: MockReply = { kind: "reset" };
export const notJson: MockReply = { kind: "not-json" };

export async function startMockLlm(): Promise<MockLlm> {
  let replies: MockReply[] = [answer("")];
  const requests: RecordedRequest[] = [];

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      requests.push({ path: req.url ?? "", authorization: req.headers.authorization, body: raw ? (JSON.parse(raw) as RecordedRequest["body"]) : {} });
      if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
        return;
      }
      const reply = replies.length > 1 ? replies.shift()! : replies[0]!;
      switch (reply.kind) {
        case "hang":
          return;
        case "reset":
          req.socket.destroy();
          return;
        case "not-json":
          res.writeHead(200, { "content-type": "application/json" }).end("<html><body>Bad gateway</body></html>");
          return;
        case "stall-body":
          res.writeHead(200, { "content-type": "application/json" });
          res.write('{"id":"chatcmpl-stalled","choices":[');
          return;
        case "status":
          // retry-after-ms keeps the SDK's backoff short in tests (it honours the header).
          res
            .writeHead(reply.status, { "content-type": "application/json", "retry-after-ms": "5" })
            .end(JSON.stringify({ error: { message: reply.message ?? `status ${reply.status}`, type: "server_error" } }));
          return;
        case "answer": {
          const usage = reply.usage ?? { prompt_tokens: 1200, completion_tokens: 800 };
          res.writeHead(200, { "content-type": "application/json" }).end(
            JSON.stringify({
              id: `chatcmpl-${requests.length}`,
              object: "chat.completion",
              created: Math.floor(Date.now() / 1000),
              model: requests.at(-1)?.body.model ?? "mock",
              choices: [{ index: 0, message: { role: "assistant", content: reply.content }, finish_reason: reply.finishReason ?? "stop" }],
              usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
            }),
          );
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script(...next) {
      replies = next.length ? next : [answer("")];
      requests.length = 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
