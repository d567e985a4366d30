import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, test } from 'vitest';
import query from '../../../checks/prometheus/query.js';
import { findFreePort, startPrometheus, stopServer } from '../../helpers/prometheus/servers.js';
import { prometheusContext, runCheck, runCheckWindow } from '../../helpers/prometheus/context.js';
import { type LoopbackServer, makeCertificate, startAuthProxy, startLoopbackServer, startTlsProxy } from '../../helpers/prometheus/loopback.js';

const harness = inject('prometheus');
const at = new Date(harness.scenarios.healthy!);
const servers: LoopbackServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function loopback(handle: Parameters<typeof startLoopbackServer>[0]): Promise<LoopbackServer> {
  const server = await startLoopbackServer(handle);
  servers.push(server);
  return server;
}

describe('prometheus.query faults: every one is an error, never pass or fail', () => {
  test('a 500 from the server is an error carrying its status and body', async () => {
    const server = await loopback((_req, res) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('upstream exploded'));
    const result = await runCheck(query, { query: 'up' }, prometheusContext({ url: server.url }));
    expect(result).toMatchObject({ error: `Prometheus failed to answer (HTTP 500 at ${server.url}/api/v1/query): upstream exploded` });
  });

  test('a Prometheus-style 503 keeps Prometheus\' own message', async () => {
    const server = await loopback((_req, res) =>
      res.writeHead(503, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' })),
    );
    const result = await runCheck(query, { query: 'up' }, prometheusContext({ url: server.url }));
    expect(result).toMatchObject({ error: expect.stringContaining('HTTP 503') });
    expect((result as { error: string }).error).toMatch(/timeout: query timed out in expression evaluation$/);
  });

  test('a 200 that is not JSON (a login page) is an error, not an empty result', async () => {
    const server = await loopback((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>Sign in</html>'));
    const result = await runCheck(query, { query: 'up' }, prometheusContext({ url: server.url }));
    expect(result).toMatchObject({ error: expect.stringContaining('unparsable response') });
  });

  test('a hang past the connection timeout is an error within that timeout', async () => {
    const server = await loopback(() => {});
    const startedAt = performance.now();
    const result = await runCheck(query, { query: 'up' }, prometheusContext({ url: server.url, timeout: '300ms' }));
    expect(result).toMatchObject({ error: `no answer from ${server.url}/api/v1/query within 300 ms (the connection's timeout)` });
    expect(performance.now() - startedAt).toBeLessThan(2000);
  });

  test('an answer that stalls half-way through its body is an error, not a short result', async () => {
    const server = await loopback((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"status":"success","data":{"resultType":"vector","result":[');
    });
    const result = await runCheck(query, { query: 'up' }, prometheusContext({ url: server.url, timeout: '300ms' }));
    expect(result).toMatchObject({ error: `no answer from ${server.url}/api/v1/query within 300 ms (the connection's timeout)` });
  });

  test('an answer cut off by the server closing the connection is an error', async () => {
    const server = await loopback((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"status":"success","data":{"resultType":"vector","result":[', () => res.socket?.destroy());
    });
    const result = await runCheck(query, { query: 'up' }, prometheusContext({ url: server.url }));
    expect(result).toMatchObject({ error: `the answer from ${server.url}/api/v1/query was cut off before its end` });
  });

  test('a hang past the attempt\'s timeout is stopped by ctx.signal', async () => {
    const server = await loopback(() => {});
    const startedAt = performance.now();
    const result = await runCheck(query, { query: 'up' }, prometheusContext({ url: server.url }, { timeoutMs: 400 }));
    expect(result).toMatchObject({ error: expect.stringContaining("the attempt's timeout (400 ms) ran out") });
    expect(performance.now() - startedAt).toBeLessThan(2000);
  });

  test('a refused connection is an error naming the server', async () => {
    const port = await findFreePort();
    const result = await runCheck(query, { query: 'up' }, prometheusContext({ url: `http://127.0.0.1:${port}` }));
    expect(result).toMatchObject({ error: `cannot reach Prometheus at http://127.0.0.1:${port}: connection refused (is it running, on this port?)` });
  });

  test('an environment without a prometheus connection is an error', async () => {
    const result = await runCheck(query, { query: 'up' }, prometheusContext({}));
    expect(result).toMatchObject({ error: expect.stringContaining('prometheus connection') });
  });

  test('bad PromQL that reaches the server: 400 with Prometheus\' parse error and position', async () => {
    const result = await runCheck(query, { query: 'sum(rate(http_requests_total[5m])' }, prometheusContext({ url: harness.historyUrl }, { at }));
    expect(result).toMatchObject({ error: expect.stringMatching(/^Prometheus rejected the request \(HTTP 400\): bad_data: .*1:\d+: parse error/) });
    expect(result).toMatchObject({ details: { query: 'sum(rate(http_requests_total[5m])' } });
  });

  test('a type error the grammar cannot see is rejected by the server with its message', async () => {
    const params = query.params.parse({ query: 'rate(http_requests_total)' });
    expect(query.validate!(params)).toEqual([]);
    const result = await runCheck(query, params, prometheusContext({ url: harness.historyUrl }, { at }));
    expect(result).toMatchObject({ error: expect.stringContaining('expected type range vector in call to function "rate"') });
  });
});

describe('connection settings', () => {
  test('headers are sent (an auth proxy), a missing token is a clear error, and the password in the URL is masked', async () => {
    const token = 'tok-9f8e7d6c5b4a';
    const proxy = await startAuthProxy(harness.historyUrl, token);
    servers.push(proxy);
    const ok = await runCheck(query, { query: 'vector(1)' }, prometheusContext({ url: proxy.url, headers: { Authorization: `Bearer ${token}` } }, { at }));
    expect(ok).toMatchObject({ observed: 1 });
    const withPassword = proxy.url.replace('http://', 'http://ops:hunter2hunter2@');
    const refused = await runCheck(query, { query: 'vector(1)' }, prometheusContext({ url: withPassword }, { at }));
    expect(refused).toMatchObject({ error: expect.stringContaining('refused the credentials (HTTP 401') });
    expect(JSON.stringify(refused)).toContain('ops:***@127.0.0.1');
    expect(JSON.stringify(refused)).not.toContain('hunter2');
  });

  test('one keep-alive agent per run: many queries share one connection', async () => {
    const proxy = await startAuthProxy(harness.historyUrl, 'tok-keepalive-123');
    servers.push(proxy);
    const ctx = prometheusContext({ url: proxy.url, headers: { Authorization: 'Bearer tok-keepalive-123' } }, { at });
    for (let i = 0; i < 5; i++) {
      const result = await query.run(query.params.parse({ query: `vector(${i})` }), ctx);
      expect(result).toMatchObject({ observed: i });
    }
    await ctx.close();
    expect(proxy.requests()).toBe(5);
    expect(proxy.connections()).toBe(1);
  });

  test('TLS: an unknown CA is an error that says what to set; tls.ca (PEM text or file) and insecureSkipVerify connect', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-prometheus-tls-'));
    try {
      const certificate = await makeCertificate(dir);
      const proxy = await startTlsProxy(harness.historyUrl, certificate);
      servers.push(proxy);
      const untrusted = await runCheck(query, { query: '1' }, prometheusContext({ url: proxy.url }));
      expect(untrusted).toMatchObject({ error: expect.stringContaining('TLS certificate not trusted (DEPTH_ZERO_SELF_SIGNED_CERT): set tls.ca') });
      for (const tls of [{ ca: certificate.cert }, { ca: 'cert.pem' }, { insecureSkipVerify: true }]) {
        const result = await runCheck(query, { query: '1' }, prometheusContext({ url: proxy.url, tls }, { cwd: dir }));
        expect(result).toMatchObject({ observed: 1 });
      }
      const missing = await runCheck(query, { query: '1' }, prometheusContext({ url: proxy.url, tls: { ca: 'nope.pem' } }, { cwd: dir }));
      expect(missing).toMatchObject({ error: expect.stringContaining(`cannot read tls.ca ${dir}/nope.pem`) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a path prefix in the URL is kept (Prometheus behind /prometheus)', async () => {
    const server = await loopback((req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [0, req.url === '/prometheus/api/v1/query' ? '1' : '0'] } })));
    const result = await runCheck(query, { query: '1' }, prometheusContext({ url: `${server.url}/prometheus/` }));
    expect(result).toMatchObject({ observed: 1 });
  });
});

describe('a Prometheus stopped in the middle of a run', () => {
  test('the next query and window are errors, not hangs or empty results', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-prometheus-stop-'));
    const configFile = join(dir, 'prometheus.yml');
    writeFileSync(configFile, 'global: {}\n');
    const server = await startPrometheus({ dir, configFile, dataDir: join(dir, 'data'), name: 'stopped' });
    try {
      const ctx = prometheusContext({ url: server.url, timeout: '5s' });
      const before = await query.run(query.params.parse({ query: 'vector(42)' }), ctx);
      expect(before).toMatchObject({ observed: 42 });
      await stopServer(server);
      const after = await query.run(query.params.parse({ query: 'vector(42)' }), ctx);
      expect(after).toEqual({ error: expect.stringMatching(/^cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: (connection refused|connection reset)/), details: { query: 'vector(42)' } });
      const now = new Date();
      const window = await runCheckWindow(query, { query: 'vector(42)' }, ctx, { from: new Date(now.getTime() - 300_000), to: now, stepMs: 15_000 });
      expect(window).toMatchObject({ error: expect.stringContaining('cannot reach Prometheus') });
    } finally {
      await stopServer(server);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
