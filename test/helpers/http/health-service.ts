import type { IncomingMessage, ServerResponse } from 'node:http';

/** The health document the fixture service serves at /health. */
export const HEALTH = {
  status: 'ok',
  version: '2.3.1',
  checks: { database: 'ok', cache: 'degraded' },
  items: [{ id: 1 }, { id: 2 }],
  replicas: [3, 3, 2],
  nothing: null,
};

export interface RecordedRequest {
  method: string;
  url: string;
  contentType?: string;
  body: string;
}

/**
 * A small web service with the endpoints a playbook probes: /health (JSON, HSTS, CSP),
 * /down (503), /hang (never answers), /moved (302), /echo (reflects the request).
 */
export function createHealthService(): { route: (req: IncomingMessage, res: ServerResponse) => void; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const route = (req: IncomingMessage, res: ServerResponse): void => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'], body });
      if (req.url === '/health' || req.url === '/') {
        res.writeHead(200, {
          'content-type': 'application/json',
          'strict-transport-security': 'max-age=31536000; includeSubDomains',
          'content-security-policy': "default-src 'self'",
        });
        res.end(JSON.stringify(HEALTH));
      } else if (req.url === '/down') {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('upstream database unavailable');
      } else if (req.url === '/hang') {
        // Never answers: only the caller's timeout ends this.
      } else if (req.url === '/moved') {
        res.writeHead(302, { location: '/health' });
        res.end();
      } else if (req.url === '/echo') {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, contentType: req.headers['content-type'] ?? null, body }));
      } else {
        res.writeHead(404);
        res.end('not found');
      }
    });
  };
  return { route, requests };
}
