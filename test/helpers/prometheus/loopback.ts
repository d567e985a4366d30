import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';

export interface LoopbackServer {
  url: string;
  /** TCP connections accepted so far: shows whether keep-alive sockets were reused. */
  connections(): number;
  /** Requests seen so far. */
  requests(): number;
  close(): Promise<void>;
}

/** A tiny HTTP server on a random loopback port, for the faults a real Prometheus will not stage. */
export async function startLoopbackServer(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<LoopbackServer> {
  let connections = 0;
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    handle(req, res);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** An auth proxy in front of a real Prometheus, as many teams run one: no token, 401. */
export function startAuthProxy(targetUrl: string, token: string): Promise<LoopbackServer> {
  const target = new URL(targetUrl);
  return startLoopbackServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end('Unauthorized');
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
}
