import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import httpCheck from '../../../checks/http/index.js';
import { createCheckContext, type TestContextOptions } from '../../helpers/check-context.js';
import { createCertificate, findClosedPort, startServer, type Certificate, type TestServer } from '../../helpers/http/servers.js';
import { HEALTH, createHealthService, type RecordedRequest } from '../../helpers/http/health-service.js';

let server: TestServer;
let tlsServer: TestServer;
let cert: Certificate;

let requests: RecordedRequest[];
let route: ReturnType<typeof createHealthService>['route'];

beforeAll(async () => {
  ({ route, requests } = createHealthService());
  cert = await createCertificate(30);
  server = await startServer(route);
  tlsServer = await startServer(route, cert);
});

afterAll(async () => {
  await server?.close();
  await tlsServer?.close();
  await cert?.remove();
});

async function probe(withParams: Record<string, unknown>, options: TestContextOptions = {}) {
  const ctx = createCheckContext({ timeoutMs: 5000, ...options });
  try {
    return await httpCheck.run(httpCheck.params.parse(withParams), ctx);
  } finally {
    await ctx.close();
  }
}

describe('http: status', () => {
  it('observes 200 from a healthy endpoint, with the default expectation == 200 and the body as an output', async () => {
    const result = await probe({ url: `${server.url}/health` });
    expect(result).toMatchObject({ observed: 200, outputs: { status: 200, body: HEALTH } });
    expect(typeof httpCheck.defaultExpect === 'function' && httpCheck.defaultExpect(undefined)).toBe('== 200');
  });

  it('observes 503 (a failing gate under == 200) and keeps the body excerpt as evidence', async () => {
    const result = await probe({ url: `${server.url}/down` });
    expect(result).toMatchObject({ observed: 503, details: { excerpt: 'upstream database unavailable' } });
  });

  it('returns the redirect itself unless followRedirects is set', async () => {
    expect(await probe({ url: `${server.url}/moved` })).toMatchObject({ observed: 302 });
    expect(await probe({ url: `${server.url}/moved`, followRedirects: true })).toMatchObject({ observed: 200 });
  });
});

describe('http: json paths', () => {
  const json = (path: string) => probe({ url: `${server.url}/health` }, { observe: `json:${path}` });

  it('reads nested keys and array indexes', async () => {
    expect(await json('$.checks.database')).toMatchObject({ observed: 'ok' });
    expect(await json('$.items[1].id')).toMatchObject({ observed: 2 });
    expect(await json("$['version']")).toMatchObject({ observed: '2.3.1' });
  });

  it('turns [*] and arrays of scalars into lists judged element by element', async () => {
    expect(await json('$.checks[*]')).toMatchObject({
      observed: [
        { name: '$.checks.database', value: 'ok' },
        { name: '$.checks.cache', value: 'degraded' },
      ],
    });
    expect(await json('$.items[*].id')).toMatchObject({ observed: [{ value: 1 }, { value: 2 }] });
    expect(await json('$.replicas')).toMatchObject({ observed: [{ name: '$.replicas[0]', value: 3 }, { value: 3 }, { value: 2 }] });
  });

  it('observes no data for a missing key or a JSON null, so the core makes it error', async () => {
    expect(await json('$.checks.queue')).toMatchObject({ observed: null });
    expect(await json('$.nothing')).toMatchObject({ observed: null });
  });

  it('is an error on an object, and on a body that is not JSON', async () => {
    expect(await json('$.checks')).toMatchObject({ error: expect.stringContaining('is an object') });
    const text = await probe({ url: `${server.url}/down` }, { observe: 'json:$.status' });
    expect(text).toMatchObject({ error: expect.stringContaining('is not JSON') });
    expect((text as { error: string }).error).toContain('503');
  });

  it('accepts only the supported JSONPath syntax in observe', () => {
    const accepts = (observe: string) => httpCheck.observeChoices!.patterns.some((pattern) => pattern.test(observe));
    expect(accepts('json:$.a.b[0].c')).toBe(true);
    expect(accepts('json:$.items[*].id')).toBe(true);
    expect(accepts('json:a.b')).toBe(false);
    expect(accepts('json:$..a')).toBe(false);
    expect(accepts('header:Strict-Transport-Security')).toBe(true);
    expect(accepts('header:bad name')).toBe(false);
  });
});

describe('http: headers', () => {
  it('observes HSTS and CSP header values, case-insensitively', async () => {
    expect(await probe({ url: `${server.url}/health` }, { observe: 'header:Strict-Transport-Security' })).toMatchObject({
      observed: 'max-age=31536000; includeSubDomains',
    });
    expect(await probe({ url: `${server.url}/health` }, { observe: 'header:content-security-policy' })).toMatchObject({
      observed: "default-src 'self'",
    });
  });

  it('observes no data when the header is absent', async () => {
    expect(await probe({ url: `${server.url}/down` }, { observe: 'header:Strict-Transport-Security' })).toMatchObject({ observed: null });
  });
});

describe('http: TLS', () => {
  it('observes the days left on a certificate valid for 30 days', async () => {
    const result = await probe({ url: `${tlsServer.url}/health`, tls: { ca: cert.certPath } }, { observe: 'tlsDaysLeft' });
    const days = (result as { observed: number }).observed;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30.01);
  });

  it('counts from --at: 40 days ahead the same certificate has -10 days left', async () => {
    const at = new Date(Date.now() + 40 * 86_400_000);
    const result = await probe({ url: `${tlsServer.url}/`, tls: { ca: cert.cert } }, { observe: 'tlsDaysLeft', at });
    expect((result as { observed: number }).observed).toBeCloseTo(-10, 1);
  });

  it('fails when the certificate is not trusted, and passes with tls.ca or insecureSkipVerify', async () => {
    const untrusted = await probe({ url: `${tlsServer.url}/health` });
    expect(untrusted).toMatchObject({ status: 'fail', reasons: [expect.stringContaining('tls.ca')] });
    expect(await probe({ url: `${tlsServer.url}/health` }, { observe: 'tlsDaysLeft' })).toMatchObject({ status: 'fail' });
    expect(await probe({ url: `${tlsServer.url}/health`, tls: { ca: cert.certPath } })).toMatchObject({ observed: 200 });
    expect(await probe({ url: `${tlsServer.url}/health`, tls: { insecureSkipVerify: true } })).toMatchObject({ observed: 200 });
  });

  it('is an error to ask for tlsDaysLeft of a plain http URL', async () => {
    expect(await probe({ url: `${server.url}/health` }, { observe: 'tlsDaysLeft' })).toMatchObject({ error: expect.stringContaining('https') });
  });
});

describe('http: down is fail, a timeout is error', () => {
  it('returns a fail verdict for a refused connection, with the password masked', async () => {
    const port = await findClosedPort();
    const result = await probe({ url: `http://probe:s3cret-pw@127.0.0.1:${port}/health` });
    expect(result).toMatchObject({ status: 'fail', reasons: [expect.stringContaining('connection refused')] });
    expect(JSON.stringify(result)).not.toContain('s3cret-pw');
  });

  it('returns a fail verdict for a host that does not resolve', async () => {
    const result = await probe({ url: 'http://rollout-test-host.invalid/health' });
    expect(result).toMatchObject({ status: 'fail', reasons: [expect.stringContaining('host not found')] });
  });

  it('returns an error when the service hangs past the timeout', async () => {
    const startedAt = Date.now();
    const result = await probe({ url: `${server.url}/hang` }, { timeoutMs: 300 });
    expect(result).toMatchObject({ error: expect.stringContaining('no response within 300ms') });
    expect(Date.now() - startedAt).toBeLessThan(2000);
  });
});

describe('http: methods and connections', () => {
  it('mutates for POST/PUT/DELETE, not for GET/HEAD', () => {
    const mutates = (method?: string) => (httpCheck.mutates as (p: unknown) => boolean)(httpCheck.params.parse({ url: server.url, method }));
    expect(mutates()).toBe(false);
    expect(mutates('head')).toBe(false);
    expect(mutates('POST')).toBe(true);
    expect(mutates('delete')).toBe(true);
  });

  it('sends an object body as JSON and a string body as is', async () => {
    const json = await probe({ url: `${server.url}/echo`, method: 'POST', body: { paths: ['/*'] } });
    expect(json).toMatchObject({ observed: 201, outputs: { body: { method: 'POST', contentType: 'application/json', body: '{"paths":["/*"]}' } } });
    const text = await probe({ url: `${server.url}/echo`, method: 'PUT', body: 'drain=true', headers: { 'Content-Type': 'text/plain' } });
    expect(text).toMatchObject({ outputs: { body: { method: 'PUT', contentType: 'text/plain', body: 'drain=true' } } });
  });

  it('reuses one keep-alive connection across the nodes of a run', async () => {
    const ctx = createCheckContext({ timeoutMs: 5000 });
    const before = server.connections();
    const params = httpCheck.params.parse({ url: `${server.url}/health` });
    expect(await httpCheck.run(params, ctx)).toMatchObject({ observed: 200 });
    expect(await httpCheck.run(params, { ...ctx, observe: 'json:$.status' })).toMatchObject({ observed: 'ok' });
    expect(server.connections() - before).toBe(1);
    await ctx.close();
  });

  it('preflight opens a TCP connection without sending the request', async () => {
    requests.length = 0;
    const ctx = createCheckContext({ timeoutMs: 5000 });
    const live = await httpCheck.preflight!(httpCheck.params.parse({ url: `${server.url}/echo`, method: 'POST' }), ctx);
    expect(live).toMatchObject({ ok: true });
    const port = await findClosedPort();
    const dead = await httpCheck.preflight!(httpCheck.params.parse({ url: `http://127.0.0.1:${port}/`, method: 'POST' }), ctx);
    expect(dead).toMatchObject({ ok: false, message: expect.stringContaining('connection refused') });
    const unknown = await httpCheck.preflight!(httpCheck.params.parse({ url: 'https://rollout-test-host.invalid/' }), ctx);
    expect(unknown).toMatchObject({ ok: false, message: expect.stringContaining('host not found') });
    await ctx.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requests).toEqual([]);
  });
});

describe('http: params', () => {
  it('rejects a URL that is not http(s) and unknown keys', () => {
    expect(httpCheck.params.safeParse({ url: 'ftp://example.com/' }).success).toBe(false);
    expect(httpCheck.params.safeParse({ url: 'https://example.com/', timeout: 5 }).success).toBe(false);
  });

  it('flags tls on a plain http URL and a body on a GET at validate time', () => {
    const problems = (params: Record<string, unknown>) => httpCheck.validate!(httpCheck.params.parse(params)).map((problem) => problem.path.join('.'));
    expect(problems({ url: 'http://example.com/', tls: { insecureSkipVerify: true } })).toEqual(['tls']);
    expect(problems({ url: 'https://example.com/', body: { a: 1 } })).toEqual(['body']);
    expect(problems({ url: 'https://example.com/', method: 'post', body: { a: 1 }, tls: { ca: './ca.pem' } })).toEqual([]);
  });
});
