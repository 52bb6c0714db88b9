import { data } from "@remix-run/cloudflare";

/**
 * The admin's one error type for pages: thrown from a loader or action with a status and a message
 * for the merchant. It travels as data, never as HTML: Shopify's error boundary puts a thrown
 * Response's body into the page as HTML (it is meant for the library's App Bridge responses), so a
 * message that echoes the request would otherwise be markup. AppErrorBoundary shows it as text.
 */
export interface AppErrorData {
  wandError: string;
}

export function httpError(status: number, message: string) {
  return data<AppErrorData>({ wandError: message }, { status });
}

export function isAppErrorData(value: unknown): value is AppErrorData {
  return typeof value === "object" && value !== null && typeof (value as { wandError?: unknown }).wandError === "string";
}
