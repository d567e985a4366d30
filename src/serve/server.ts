import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Admission } from './admission.js';
import { loadCatalog, type Catalog } from './catalog.js';
import { bearerToken, HttpError, sendJson } from './http-io.js';
import { createServeMetrics } from './metrics.js';
import { ROUTES, type RouteContext } from './routes.js';
import { TokenFile } from './tokens.js';

export interface ServeConfig {
  host: string;
  port: number;
  playbooksDir: string;
  tokenFile: string;
  tls?: { cert: string; key: string };
  maxRuns: number;
  maxQueued: number;
  requestTimeoutMs: number;
  shutdownGraceMs: number;
  /** `--evidence-store`/`--evidence-dir`; absent: what the session picks. */
  evidenceStore?: string;
  githubWebhookSecretFile?: string;
  githubTokenFile?: string;
  log(line: string): void;
}

const readSecretFile = (file: string | undefined) => () => {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
};

export interface RunningServer {
  url: string;
  /** Stop accepting, let runs finish within the grace (then stop them: they still write evidence). */
  drain(): Promise<void>;
  /** Re-read the playbooks; an invalid set is refused and the old one kept. */
  reload(): Promise<string[]>;
}

export async function startServer(config: ServeConfig): Promise<{ ok: true; server: RunningServer } | { ok: false; problems: string[] }> {
  const loaded = await loadCatalog(config.playbooksDir);
  if (!loaded.ok) return loaded;
  let catalog: Catalog = loaded.catalog;
  const shutdown = new AbortController();
  const metrics = createServeMetrics();
  const admission = new Admission(config.maxRuns, config.maxQueued, Math.max(1, Math.ceil(config.requestTimeoutMs / 1000 / 2)));
  const context: RouteContext = {
    get files() {
      return catalog.files;
    },
    ...(config.evidenceStore !== undefined ? { evidenceStore: config.evidenceStore } : {}),
    requestTimeoutMs: config.requestTimeoutMs,
    admission,
    shutdown: shutdown.signal,
    log: config.log,
    tokens: new TokenFile(config.tokenFile),
    metrics,
    githubSecret: readSecretFile(config.githubWebhookSecretFile),
    githubToken: readSecretFile(config.githubTokenFile),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    // Paths only: a Flagger `?token=` must never reach a log line.
    const url = new URL(req.url ?? '/', 'http://rollout.invalid');
    let route = 'unknown';
    let status = 500;
    try {
      if (url.pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
        route = '/healthz';
        status = 200;
        return sendJson(res, 200, { ok: true, playbooks: [...catalog.files.keys()] });
      }
      if (url.pathname === '/metrics' && req.method === 'GET') {
        route = '/metrics';
        if (!context.tokens.identify(bearerToken(req))) throw new HttpError(401, 'a valid bearer token is required', { 'www-authenticate': 'Bearer' });
        const text = await metrics.registry.metrics();
        status = 200;
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        return res.end(text);
      }
      for (const candidate of ROUTES) {
        const match = candidate.pattern.exec(url.pathname);
        if (!match) continue;
        route = candidate.name;
        if (!candidate.method.includes(req.method ?? '')) throw new HttpError(405, `${req.method} is not allowed here`, { allow: candidate.method.join(', ') });
        const reply = await candidate.handler(req, url, context, match.slice(1).map(decodeURIComponent));
        status = reply.status;
        return sendJson(res, reply.status, reply.body, reply.headers);
      }
      throw new HttpError(404, `no route for ${req.method} ${url.pathname}`);
    } catch (error) {
      status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof HttpError ? error.message : `internal error: ${(error as Error).message}`;
      if (!res.headersSent) sendJson(res, status, { error: message }, error instanceof HttpError ? error.headers : {});
      else res.destroy();
    } finally {
      metrics.requests.inc({ route, code: String(status) });
      config.log(`${req.method} ${url.pathname} ${status} ${Date.now() - started}ms`);
    }
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
  const server: Server = config.tls ? createHttpsServer({ cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) }, listener) : createHttpServer(listener);
  server.requestTimeout = config.requestTimeoutMs + 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${config.tls ? 'https' : 'http'}://${host}:${address.port}`;

  return {
    ok: true,
    server: {
      url,
      async drain() {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = Date.now() + config.shutdownGraceMs;
        while (admission.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        if (admission.active > 0) {
          config.log(`shutdown: ${admission.active} run(s) past the grace period: stopping them (their evidence is written)`);
          shutdown.abort();
          while (admission.active > 0) await new Promise((r) => setTimeout(r, 50));
        }
        server.closeAllConnections();
        await closed;
      },
      async reload() {
        const next = await loadCatalog(config.playbooksDir);
        if (!next.ok) return next.problems;
        catalog = next.catalog;
        return [];
      },
    },
  };
}
