import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenOnLoopback } from "./loopback-server.ts";

/**
 * An OpenAI-compatible LLM on 127.0.0.1 for the markets browser test: it reads the page language the
 * generator's prompt names ("Page language: fr (French)") and answers a small page fragment written
 * in that language, placing the products the prompt's selection carries (`"handle":"…"`). Every
 * prompt's language is recorded, so the test can tell which language a generation was asked for.
 */

export interface MarketsLlm {
  /** Base URL for LLM_BASE_URL, ending in /v1. */
  baseUrl: string;
  /** The page language of each completion request, in arrival order ("?" when the prompt named none). */
  languages(): string[];
  close(): Promise<void>;
}

/** Headings the fake writes, per page language (anything else: English). */
export const FAKE_LLM_TEXT: Record<string, { title: string; lede: string }> = {
  en: { title: "Picked for you", lede: "A selection written for you by the shop's assistant." },
  fr: { title: "Choisis pour vous", lede: "Une sélection écrite pour vous par l’assistant de la boutique." },
};

const LANGUAGE = /Page language:\s*([A-Za-z0-9-]+)/;
const HANDLE = /"handle":"([^"\\]+)"/g;

function fragment(language: string, handles: string[]): string {
  const text = FAKE_LLM_TEXT[language] ?? FAKE_LLM_TEXT.en!;
  const items = [...new Set(handles)]
    .slice(0, 6)
    .map((h) => `<li><wand-product handle="${h}"></wand-product></li>`)
    .join("\n");
  return `<section class="fake-llm-intro"><h1>${text.title}</h1><p class="lede">${text.lede}</p></section>\n<section><ul class="grid">\n${items}\n</ul></section>`;
}

export async function startMarketsLlm(o: { port: number; latencyMs: number }): Promise<MarketsLlm> {
  const languages: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const send = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/chat/completions") return send(res, 404, { error: { message: "not found" } });
      let body: { model?: string; messages?: { role: string; content: string }[] };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
      } catch {
        return send(res, 400, { error: { message: "bad json" } });
      }
      const user = body.messages?.find((m) => m.role === "user")?.content ?? "";
      const language = LANGUAGE.exec(user)?.[1] ?? "?";
      languages.push(language);
      const content = fragment(language, [...user.matchAll(HANDLE)].map((m) => m[1]!));
      const timer = setTimeout(() => {
        timers.delete(timer);
        send(res, 200, {
          id: `chatcmpl-markets-${languages.length}`,
          object: "chat.completion",
          created: Math.floor(Date.now() / 1000),
          model: body.model ?? "fake-llm",
          choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
          usage: { prompt_tokens: Math.ceil(user.length / 4), completion_tokens: 200, total_tokens: Math.ceil(user.length / 4) + 200 },
        });
      }, o.latencyMs);
      timers.add(timer);
    });
  });
  const url = await listenOnLoopback(server, o.port);
  return {
    baseUrl: `${url}/v1`,
    languages: () => [...languages],
    close: () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
