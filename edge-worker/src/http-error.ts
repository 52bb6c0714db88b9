/**
 * One error type for every expected refusal (bad input, unknown store, wrong method), and one
 * handler that turns errors into responses: known ones into a JSON body with the reason, anything
 * else into a logged, generic 500 — which the shopper's path avoids by degrading to the template.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const badRequest = (reason: string): HttpError => new HttpError(400, "bad_request", reason);
export const notFound = (reason: string): HttpError => new HttpError(404, "not_found", reason);
export const methodNotAllowed = (allow: readonly string[]): HttpError =>
  new HttpError(405, "method_not_allowed", `use ${allow.join(" or ")}`, { Allow: allow.join(", ") });

export function errorResponse(error: unknown, method = "GET"): Response {
  if (error instanceof HttpError) {
    const body = method === "HEAD" ? null : JSON.stringify({ error: error.code, reason: error.message });
    return new Response(body, {
      status: error.status,
      headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...error.headers },
    });
  }
  console.error("edge-worker: unhandled error", error);
  return new Response(method === "HEAD" ? null : JSON.stringify({ error: "internal_error", reason: "internal error" }), {
    status: 500,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
  });
}
