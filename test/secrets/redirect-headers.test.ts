import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { sendRequest } from '../../checks/http/client.js';

type Seen = Array<{ host: string; headers: http.IncomingHttpHeaders }>;

function listen(host: string, handler: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, host, () => resolve(server)));
}

const port = (server: http.Server) => (server.address() as AddressInfo).port;
const agents = { http: new http.Agent(), https: new (await import('node:https')).Agent() };

describe('a redirect to another host', () => {
  const servers: http.Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('carries no header that may hold a secret (X-Api-Key, Authorization, cookies), only content negotiation', async () => {
    const seen: Seen = [];
    const record = (host: string): http.RequestListener => (req, res) => {
      seen.push({ host, headers: req.headers });
      res.end('ok');
    };
    const other = await listen('127.0.0.2', record('127.0.0.2'));
    const origin = await listen('127.0.0.1', (req, res) => {
      seen.push({ host: '127.0.0.1', headers: req.headers });
      if (req.url === '/same') res.writeHead(302, { location: '/landed' }).end();
      else if (req.url === '/landed') res.end('ok');
      else res.writeHead(307, { location: `http://127.0.0.2:${port(other)}/elsewhere` }).end();
    });
    servers.push(origin, other);
    const headers = { 'X-Api-Key': 'k3y-s3cr3t-value', Authorization: 'Bearer t0k3n-value', Cookie: 'session=abc', 'X-Custom-Token': 'abcdefgh12', Accept: 'application/json' };
    const common = { method: 'GET', headers, rejectUnauthorized: true, followRedirects: true };
    const away = await sendRequest({ ...common, url: new URL(`http://127.0.0.1:${port(origin)}/start`) }, agents, new AbortController().signal);
    expect('status' in away && away.status).toBe(200);
    const atOther = seen.find((s) => s.host === '127.0.0.2')!.headers;
    expect(atOther['x-api-key']).toBeUndefined();
    expect(atOther['x-custom-token']).toBeUndefined();
    expect(atOther.authorization).toBeUndefined();
    expect(atOther.cookie).toBeUndefined();
    expect(atOther.accept).toBe('application/json');

    // The same origin keeps them: the credentials were written for it.
    seen.length = 0;
    await sendRequest({ ...common, url: new URL(`http://127.0.0.1:${port(origin)}/same`) }, agents, new AbortController().signal);
    expect(seen.at(-1)!.headers['x-api-key']).toBe('k3y-s3cr3t-value');
    expect(seen.at(-1)!.headers.authorization).toBe('Bearer t0k3n-value');
  });
});
