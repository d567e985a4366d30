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

/** A self-signed certificate for 127.0.0.1, made by openssl in `dir` (never committed). */
export async function makeCertificate(dir: string): Promise<{ key: string; cert: string; certFile: string }> {
  const { runProcess } = await import('../../../src/sdk/index.js');
  const { readFileSync } = await import('node:fs');
  const keyFile = `${dir}/key.pem`;
  const certFile = `${dir}/cert.pem`;
  const made = await runProcess(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  if (made.exitCode !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

/** An HTTPS front for a real Prometheus, with the given certificate. */
export async function startTlsProxy(targetUrl: string, tls: { key: string; cert: string }): Promise<LoopbackServer> {
  const { createServer: createHttpsServer } = await import('node:https');
  const target = new URL(targetUrl);
  const server = createHttpsServer(tls, (req, res) => {
    const upstream = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  let connections = 0;
  let requests = 0;
  server.on('secureConnection', () => connections++);
  server.on('request', () => requests++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    connections: () => connections,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
