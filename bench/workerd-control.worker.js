// The bench's control worker on the production-runtime harness (bench/workerd-config.ts): it shares
// the edge's D1, KV and R2 namespaces and has a service binding to the edge's EdgeApi entrypoint, so
// the bench seeds stores and drives syncs and webhooks the way the admin app does — through RPC and
// the real bindings — on a socket of its own, never through the measured one.
//
//   POST /sql      { statements: string[] }                  each run in order (migrations)
//   POST /batch    { statements: { sql, params }[] }         one D1 batch; the results' meta
//   POST /query    { sql, params }                           .all() rows
//   POST /kv/put   { entries: { key, value, metadata }[] }
//   POST /kv/get   { key }                                   { value, metadata } (null value when absent)
//   POST /kv/list  { prefix, cursor }                        KV list result
//   POST /kv/delete { key }
//   POST /rpc/<m>  [arg, …]                                  env.EDGE[m](…args), JSON result
//
// Plain JavaScript: it runs as is in workerd, with no build step of its own.

async function json(request) {
  return JSON.parse(await request.text());
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    try {
      if (request.method !== "POST") return new Response("POST only", { status: 405 });
      if (url.pathname === "/sql") {
        const { statements } = await json(request);
        for (const sql of statements) await env.DB.prepare(sql).run();
        return Response.json({ ok: true, statements: statements.length });
      }
      if (url.pathname === "/batch") {
        const { statements } = await json(request);
        const results = await env.DB.batch(statements.map((s) => env.DB.prepare(s.sql).bind(...(s.params ?? []))));
        return Response.json(results.map((r) => ({ meta: r.meta })));
      }
      if (url.pathname === "/query") {
        const { sql, params } = await json(request);
        const { results } = await env.DB.prepare(sql).bind(...(params ?? [])).all();
        return Response.json(results);
      }
      if (url.pathname === "/kv/put") {
        const { entries } = await json(request);
        for (const e of entries) await env.CACHE.put(e.key, e.value, e.metadata === undefined ? {} : { metadata: e.metadata });
        return Response.json({ ok: true, entries: entries.length });
      }
      if (url.pathname === "/kv/get") {
        const { key } = await json(request);
        const { value, metadata } = await env.CACHE.getWithMetadata(key, "text");
        return Response.json({ value, metadata });
      }
      if (url.pathname === "/kv/list") {
        const { prefix, cursor } = await json(request);
        return Response.json(await env.CACHE.list(cursor ? { prefix, cursor } : { prefix }));
      }
      if (url.pathname === "/kv/delete") {
        const { key } = await json(request);
        await env.CACHE.delete(key);
        return Response.json({ ok: true });
      }
      if (url.pathname.startsWith("/rpc/")) {
        const method = url.pathname.slice("/rpc/".length);
        const args = await json(request);
        const result = await env.EDGE[method](...args);
        return Response.json({ result: result === undefined ? null : result });
      }
      return new Response("no such control route", { status: 404 });
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return new Response(message, { status: 500 });
    }
  },
};
