import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ping from '../../../checks/redis/ping.js';
import config from '../../../checks/redis/config.js';
import replication from '../../../checks/redis/replication.js';
import memory from '../../../checks/redis/memory.js';
import type { CheckDefinition } from '../../../src/sdk/index.js';
import { createCheckContext } from '../../helpers/check-context.js';
import { findClosedPort } from '../../helpers/http/servers.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server.js';

// Real redis-server (Debian): a password-protected primary with maxmemory and one replica,
// and an open one with no password and no maxmemory (the "not hardened" case).
const PASSWORD = 'sw0rdfish-redis-test';
let primary: RedisServer;
let replica: RedisServer;
let open: RedisServer;

beforeAll(async () => {
  primary = await startRedis(['--requirepass', PASSWORD, '--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']);
  replica = await startRedis(['--requirepass', PASSWORD, '--masterauth', PASSWORD, '--replicaof', '127.0.0.1', String(primary.port)]);
  open = await startRedis(['--protected-mode', 'no']);
  // Wait until the primary sees its replica online.
  for (let i = 0; i < 100; i++) {
    const result = await run(replication, { url: primary.url, password: PASSWORD }, 'connectedReplicas');
    if ('observed' in result && result.observed === 1) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 30_000);

afterAll(async () => {
  await replica?.stop();
  await primary?.stop();
  await open?.stop();
});

async function run(kind: CheckDefinition, params: Record<string, unknown>, observe?: string) {
  const ctx = createCheckContext({ timeoutMs: 5000, observe });
  try {
    return await kind.run(kind.params.parse(params), ctx);
  } finally {
    await ctx.close();
  }
}

describe('redis.ping', () => {
  it('observes PONG after AUTH (default expect == PONG)', async () => {
    expect(await run(ping, { url: primary.url, password: PASSWORD })).toMatchObject({ observed: 'PONG' });
    expect(ping.defaultExpect).toBe('== PONG');
  });

  it('fails when Redis is down, and is an error when AUTH is refused — never showing the password', async () => {
    const port = await findClosedPort();
    expect(await run(ping, { url: `redis://127.0.0.1:${port}` })).toMatchObject({ status: 'fail', reasons: [expect.stringContaining('ECONNREFUSED')] });
    const wrong = await run(ping, { url: `redis://:${PASSWORD}x@127.0.0.1:${primary.port}` });
    expect(wrong).toMatchObject({ error: expect.stringContaining('AUTH refused') });
    expect(JSON.stringify(wrong)).not.toContain(PASSWORD);
    // Without AUTH, Redis answers NOAUTH: not PONG.
    expect(await run(ping, { url: primary.url })).toMatchObject({ error: expect.stringContaining('NOAUTH') });
  });
});

describe('redis.config', () => {
  it('reads protected-mode and maxmemory-policy; requirepass only as set or unset', async () => {
    expect(await run(config, { url: primary.url, password: PASSWORD, parameter: 'maxmemory-policy' })).toMatchObject({ observed: 'allkeys-lru' });
    expect(await run(config, { url: primary.url, password: PASSWORD, parameter: 'protected-mode' })).toMatchObject({ observed: 'yes' });
    expect(await run(config, { url: open.url, parameter: 'protected-mode' })).toMatchObject({ observed: 'no' });
    const secret = await run(config, { url: primary.url, password: PASSWORD, parameter: 'requirepass' });
    expect(secret).toMatchObject({ observed: 'set' });
    expect(JSON.stringify(secret)).not.toContain(PASSWORD);
    expect(await run(config, { url: open.url, parameter: 'requirepass' })).toMatchObject({ observed: 'unset' });
  });

  it('an unknown parameter is no data; Redis down is an error', async () => {
    expect(await run(config, { url: open.url, parameter: 'no-such-setting' })).toMatchObject({ observed: null });
    const port = await findClosedPort();
    expect(await run(config, { url: `redis://127.0.0.1:${port}`, parameter: 'protected-mode' })).toHaveProperty('error');
  });
});

describe('redis.replication', () => {
  it('sees the primary with one replica and its lag, and the replica as slave', async () => {
    expect(await run(replication, { url: primary.url, password: PASSWORD })).toMatchObject({ observed: 'master' });
    expect(await run(replication, { url: primary.url, password: PASSWORD }, 'connectedReplicas')).toMatchObject({ observed: 1 });
    const lag = await run(replication, { url: primary.url, password: PASSWORD }, 'lag');
    expect(lag).toMatchObject({ unit: 'seconds', observed: [{ name: expect.stringContaining(`127.0.0.1:${replica.port}`), value: expect.any(Number) }] });
    expect(await run(replication, { url: replica.url, password: PASSWORD })).toMatchObject({ observed: 'slave' });
    expect(await run(replication, { url: open.url }, 'connectedReplicas')).toMatchObject({ observed: 0 });
    expect(await run(replication, { url: open.url }, 'lag')).toMatchObject({ observed: [] });
  });
});

describe('redis.memory', () => {
  it('observes used / maxmemory as a ratio, used bytes with a unit, and no data without maxmemory', async () => {
    const ratio = (await run(memory, { url: primary.url, password: PASSWORD })) as { observed: number; outputs: { maxmemoryBytes: number } };
    expect(ratio.observed).toBeGreaterThan(0);
    expect(ratio.observed).toBeLessThan(0.5);
    expect(ratio.outputs.maxmemoryBytes).toBe(64 * 1024 * 1024);
    expect(await run(memory, { url: primary.url, password: PASSWORD }, 'usedBytes')).toMatchObject({ unit: 'bytes', observed: expect.any(Number) });
    expect(await run(memory, { url: open.url })).toMatchObject({ observed: null });
  });
});
