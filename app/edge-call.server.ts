/**
 * Calls into the edge worker (RPC) from a page: the page still renders when the edge is down or
 * refuses, with the reason shown instead of the figures.
 */
export type EdgeOutcome<T> = { ok: true; value: T } | { ok: false; error: string };

export async function tryEdge<T>(call: () => Promise<T>): Promise<EdgeOutcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    console.error("edge RPC failed", error);
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
