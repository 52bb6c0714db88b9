import { setTimeout as sleep } from "node:timers/promises";

/** A shopper's request to the edge, as the benches read it: cache layer, status, headers, body. */
export interface EdgeAnswer {
  cache: string | null;
  body: string;
  status: number;
  headers: [string, string][];
}

export async function get(url: string): Promise<EdgeAnswer> {
  const r = await fetch(url);
  const headers: [string, string][] = [];
  r.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers.push([name, value]);
  });
  for (const cookie of r.headers.getSetCookie()) headers.push(["set-cookie", cookie]);
  return { cache: r.headers.get("Wand-Cache"), body: await r.text(), status: r.status, headers };
}

/** The source a page says it came from (`<body data-wand-source="llm|template">`). */
export const pageSource = (html: string): string | null => /<body[^>]*\bdata-wand-source="([a-z]+)"/.exec(html)?.[1] ?? null;

/** Asks (every 20 ms) until the edge serves the page from a cache: a generation has finished. */
export async function waitForCached(url: string, attempts = 1500): Promise<EdgeAnswer> {
  for (let i = 0; i < attempts; i++) {
    const r = await get(url);
    if (r.status !== 200) throw new Error(`${url}: HTTP ${r.status} ${r.body.slice(0, 300)}`);
    if (r.cache !== "miss" && r.cache !== "stale") return r;
    await sleep(20);
  }
  throw new Error(`${url} was never generated`);
}
