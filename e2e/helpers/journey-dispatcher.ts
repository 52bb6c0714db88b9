import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { listenOnLoopback } from "./loopback-server.ts";

/**
 * A pass-through in front of several generator processes, each request to the one with the fewest
 * requests in flight. In production every pool member has a generator container of its own; locally
 * the pool's ten members share what runs here, and a single Node process would finish their pages
 * one after another. Only the benchmarks use it (tests run one generator, as `npm start` does).
 */
export interface Dispatcher {
  url: string;
  close(): Promise<void>;
}

export async function startDispatcher(port: number, upstreamPorts: number[]): Promise<Dispatcher> {
  const inFlight = upstreamPorts.map(() => 0);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const index = inFlight.indexOf(Math.min(...inFlight));
    inFlight[index]!++;
    let released = false;
    const release = () => {
      if (!released) inFlight[index]!--;
      released = true;
    };
    const upstream = httpRequest(
      { host: "127.0.0.1", port: upstreamPorts[index], method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on("end", release);
      },
    );
    upstream.on("error", (error) => {
      release();
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `generator ${upstreamPorts[index]} unreachable: ${error.message}` }));
    });
    // The caller went away (the edge's timeout): so does the upstream request.
    res.on("close", () => {
      release();
      upstream.destroy();
    });
    req.pipe(upstream);
  });
  const url = await listenOnLoopback(server, port);
  return {
    url,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
