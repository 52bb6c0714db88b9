import express, { type ErrorRequestHandler, type Request } from "express";
import { PROMPT_VERSION } from "../../core/prompt-version.ts";
import type { GeneratorEnv } from "./env.ts";
import { generatePage } from "./generate.ts";
import { HttpError } from "./http-error.ts";
import type { LlmClient } from "./llm-client.ts";
import { BREAKER_HEADER, breakerStateOf, logEvent, logGeneration, type LogSink } from "./log.ts";
import { describeIssues, generateRequestSchema } from "./request-schema.ts";

/**
 * The generator's HTTP surface (DESIGN.md): `POST /generate` and `GET /healthz`. The same app runs in
 * tests (listening on port 0), under `npm start` and in the container image (main.ts).
 */

export interface AppDeps {
  env: GeneratorEnv;
  /** null: template mode (no LLM_API_KEY). */
  llm: LlmClient | null;
  log: LogSink;
}

/**
 * Request bodies above this are refused. A request carries one persona's bounded selection (at most
 * 60 products, core/selection.ts makes at most 24 with clipped descriptions), so a real one is a few
 * tens of KB whatever the catalog's size.
 */
export const MAX_BODY = "1mb";

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");

  app.get("/healthz", (_req, res) => {
    res.json({ ok: true, mode: deps.llm ? "llm" : "template", model: deps.llm?.model ?? null, promptVersion: PROMPT_VERSION });
  });

  app.post("/generate", express.json({ limit: MAX_BODY, strict: true }), async (req, res) => {
    const request = parseBody(req);
    // The edge gives up after its own timeout; then the tokens would be spent for nobody.
    const gone = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) gone.abort();
    });
    const { result, productsPlaced } = await generatePage(request, { llm: deps.llm, env: deps.env, signal: gone.signal });
    logGeneration(deps.log, request, result, { productsPlaced, breaker: breakerStateOf(req.header(BREAKER_HEADER)) });
    res.json(result);
  });

  app.use((req, _res, next) => next(new HttpError(404, "not_found", `No route for ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.log));
  return app;
}

function parseBody(req: Request): ReturnType<typeof generateRequestSchema.parse> {
  if (!req.is("application/json")) {
    throw new HttpError(400, "unsupported_content_type", "Send the request as JSON with Content-Type: application/json");
  }
  const parsed = generateRequestSchema.safeParse(req.body);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new HttpError(400, "invalid_request", `Invalid generate request: ${issues.slice(0, 5).join("; ")}`, issues);
  }
  return parsed.data;
}

/** body-parser's errors carry a `type`; they are the client's fault and become 400s with the reason. */
function bodyParserError(error: unknown): HttpError | null {
  if (typeof error !== "object" || error === null || !("type" in error) || typeof error.type !== "string") return null;
  const message = error instanceof Error ? error.message : String(error);
  switch (error.type) {
    case "entity.parse.failed":
      return new HttpError(400, "invalid_json", `The body is not valid JSON: ${message}`);
    case "entity.too.large":
      // 400 rather than 413 so every bad body is one status for the edge's client (issue #4).
      return new HttpError(400, "body_too_large", `The body is larger than ${MAX_BODY}`);
    case "encoding.unsupported":
    case "charset.unsupported":
    case "request.size.invalid":
    case "request.aborted":
      return new HttpError(400, "invalid_body", message);
    default:
      return null;
  }
}

function errorHandler(log: LogSink): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const known = error instanceof HttpError ? error : bodyParserError(error);
    if (known) {
      res.status(known.status).json({ error: known.code, message: known.message, ...(known.details ? { details: known.details } : {}) });
      return;
    }
    logEvent(log, "unhandled_error", { method: req.method, path: req.path, error: error instanceof Error ? error.stack ?? error.message : String(error) }, "error");
    res.status(500).json({ error: "internal", message: "Internal error" });
  };
}
