import { describe, expect, it } from 'vitest';
import query from '../../../checks/postgres/query.js';
import version from '../../../checks/postgres/version.js';
import { findFreePort, TEST_PASSWORD } from '../../helpers/postgres/server.js';
import { createCheckContext } from '../../helpers/check-context.js';
import { cluster, runKind } from '../../helpers/postgres/index.js';

describe('postgres connection faults are errors with clear, password-free messages', () => {
  it('server down: connection refused', async () => {
    const port = await findFreePort();
    const result = await runKind(version, {}, { url: `postgres://rollout_test:${TEST_PASSWORD}@127.0.0.1:${port}/postgres` });
    expect(result.error).toBe(`cannot connect to postgres://rollout_test:***@127.0.0.1:${port}/postgres: connection refused (is the server running and listening there?)`);
  });

  it('wrong password: authentication failed, the password never printed', async () => {
    const wrong = 'Wrong-Password-123';
    const result = await runKind(version, {}, { url: `postgres://rollout_test:${wrong}@127.0.0.1:${cluster().primary.port}/postgres` });
    expect(result.error).toMatch(/password authentication failed for user "rollout_test" on postgres:\/\/rollout_test:\*\*\*@127.0.0.1:\d+\/postgres: check the password/);
    expect(JSON.stringify(result)).not.toContain(wrong);
  });

  it('a database that does not exist is an error naming it', async () => {
    const url = cluster().primary.url.replace(/\/postgres$/, '/nope');
    expect((await runKind(version, {}, { url })).error).toMatch(/database "nope" does not exist/);
  });

  it('sslmode require against a server without SSL is an error', async () => {
    const result = await runKind(version, {}, { connections: { postgres: { url: cluster().primary.url, sslmode: 'require' } } });
    expect(result.error).toMatch(/does not support SSL/);
    expect(JSON.stringify(result)).not.toContain(TEST_PASSWORD);
  });

  it('a url that is not a postgres URL is an error, masked', async () => {
    const result = await runKind(version, {}, { url: `mysql://u:${TEST_PASSWORD}@h/db` });
    expect(result.error).toBe('postgres url must start with postgres:// or postgresql://, got mysql://u:***@h/db');
  });

  it('no postgres connection in the environment is an error saying what to add', async () => {
    expect((await runKind(version, {}, {})).error).toMatch(/add `postgres: \{ url: \.\.\. \}` to the environment/);
  });

  it('one pool per connection per run: nodes of a run share connections, closed at run end', async () => {
    const ctx = createCheckContext({ connections: { postgres: { url: cluster().primary.url, applicationName: 'pool-probe' } } });
    const params = query.params.parse({ sql: "SELECT count(*)::int FROM pg_stat_activity WHERE application_name = 'pool-probe'" });
    const counts = [];
    for (let i = 0; i < 5; i++) counts.push((await query.run(params, ctx)) as { observed: number });
    expect(counts.map((c) => c.observed)).toEqual([1, 1, 1, 1, 1]);
    await ctx.close();
    const after = await runKind(query, { sql: "SELECT count(*)::int FROM pg_stat_activity WHERE application_name = 'pool-probe'" }, { url: cluster().primary.url });
    expect(after.observed).toBe(0);
  });

  it('Ctrl-C (abort) while a query runs stops it at once', async () => {
    const ctx = createCheckContext({ connections: { postgres: { url: cluster().primary.url } }, timeoutMs: 30_000 });
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort('interrupted (Ctrl-C)'), 300);
    const pending = query.run(query.params.parse({ sql: 'SELECT pg_sleep(20)' }), { ...ctx, signal: interrupt.signal });
    const startedAt = Date.now();
    const result = (await pending) as { error: string };
    expect(Date.now() - startedAt).toBeLessThan(3000);
    expect(result.error).toMatch(/^query cancelled: interrupted \(Ctrl-C\)/);
    await ctx.close();
  });
});

describe('TLS (the sandbox serves a self-signed certificate)', () => {
  const on = (settings: Record<string, unknown>) => ({ connections: { postgres: { url: cluster().sandbox.url, ...settings } } });
  const sslQuery = { sql: 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()' };

  it('sslmode require encrypts without checking the certificate ("SSL enforced" as a gate)', async () => {
    expect((await runKind(query, sslQuery, on({ sslmode: 'require' }))).observed).toBe(true);
    expect((await runKind(query, sslQuery, on({}))).observed).toBe(false);
  });

  it('verify-full checks the certificate against sslrootcert; without it the self-signed one is refused', async () => {
    expect((await runKind(query, sslQuery, on({ sslmode: 'verify-full', sslrootcert: cluster().sandboxCaFile }))).observed).toBe(true);
    const refused = await runKind(query, sslQuery, on({ sslmode: 'verify-full' }));
    expect(refused.error).toMatch(/self[- ]signed certificate/);
    expect(JSON.stringify(refused)).not.toContain(TEST_PASSWORD);
  });

  it('?sslmode= in the url is honoured; verify-ca without a CA file says what is missing', async () => {
    const url = `${cluster().sandbox.url}?sslmode=require`;
    expect((await runKind(query, sslQuery, { url })).observed).toBe(true);
    expect((await runKind(query, sslQuery, on({ sslmode: 'verify-ca' }))).error).toBe('sslmode verify-ca needs sslrootcert (the CA certificate file)');
  });
});

describe('a server that accepts TCP but never answers', () => {
  it('connectTimeout bounds the connection; the node timeout bounds it too', async () => {
    const { createServer } = await import('node:net');
    const sockets: Array<import('node:net').Socket> = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const url = `postgres://rollout_test:${TEST_PASSWORD}@127.0.0.1:${port}/postgres`;
    try {
      const byConnectTimeout = await runKind(version, {}, { connections: { postgres: { url, connectTimeout: 300 } }, timeoutMs: 10_000 });
      expect(byConnectTimeout.error).toBe(`cannot connect to postgres://rollout_test:***@127.0.0.1:${port}/postgres: connection timed out`);
      const startedAt = Date.now();
      const byNodeTimeout = await runKind(version, {}, { url, timeoutMs: 400 });
      expect(Date.now() - startedAt).toBeLessThan(2000);
      expect(byNodeTimeout.error).toMatch(/^cannot connect to postgres:\/\/rollout_test:\*\*\*@127\.0\.0\.1:\d+\/postgres in time: the node's timeout \(400ms\) ran out$/);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

describe('preflight (rollback --dry-run) of the mutating kinds changes nothing', () => {
  it('reports a reachable server and its state, and an unreachable one as not runnable', async () => {
    const { default: exec } = await import('../../../checks/postgres/exec.js');
    const { default: writeProbe } = await import('../../../checks/postgres/write-probe.js');
    const ctx = createCheckContext({ connections: { postgres: { url: cluster().standby.url } } });
    const standby = await writeProbe.preflight!(writeProbe.params.parse({}), ctx);
    expect(standby).toEqual({ ok: true, message: expect.stringMatching(/^postgres:\/\/rollout_test:\*\*\*@127\.0\.0\.1:\d+\/postgres answers: PostgreSQL 15\.\d+ .* as rollout_test, a standby \(read-only\)$/) });
    await ctx.close();
    const port = await findFreePort();
    const down = createCheckContext({ connections: { postgres: { url: `postgres://rollout_test:${TEST_PASSWORD}@127.0.0.1:${port}/postgres` } } });
    const result = await exec.preflight!(exec.params.parse({ statements: ['SELECT 1'] }), down);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/connection refused/);
    await down.close();
  });
});
