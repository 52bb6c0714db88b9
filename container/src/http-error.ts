/**
 * The generator's one error type: thrown anywhere in request handling, turned into a JSON response by
 * the single error handler in server.ts. Unknown errors become a logged, generic 500.
 */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    /** Stable machine-readable reason ("invalid_json", "invalid_request", "body_too_large"...). */
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
