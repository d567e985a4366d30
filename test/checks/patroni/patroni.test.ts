import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import cluster from '../../../checks/patroni/cluster.js';
import { judge, parseExpect } from '../../../src/expect/index.js';
import { createCheckContext } from '../../helpers/check-context.js';
import { findClosedPort } from '../../helpers/http/servers.js';
import { scenarioOf, startPatroniFixture, type PatroniFixture } from '../../helpers/patroni/server.mjs';

// patroni.cluster against the Patroni REST API fixture (Patroni's documented /cluster,
// /history, /health payloads on loopback; Patroni itself is not packaged here).
let patroni: PatroniFixture;

beforeAll(async () => {
  patroni = await startPatroniFixture({ scenario: 'healthy' });
});
afterAll(() => patroni?.close());
beforeEach(() => {
  patroni.setState(scenarioOf('healthy'));
  patroni.setMode('ok');
});

async function run(withParams: Record<string, unknown>, observe?: string, at?: Date) {
  const ctx = createCheckContext({ timeoutMs: 8000, observe, at });
  try {
    return await cluster.run(cluster.params.parse({ endpoints: [patroni.url], ...withParams }), ctx);
  } finally {
    await ctx.close();
  }
}

/** What the core would decide: the node's expect, or the kind's default for this observe. */
function verdictOf(result: Awaited<ReturnType<typeof run>>, expectText?: string, observe?: string) {
  if ('error' in result) return 'error';
  if ('status' in result) return result.status;
  const text = expectText ?? (typeof cluster.defaultExpect === 'function' ? cluster.defaultExpect(observe) : cluster.defaultExpect);
  const parsed = parseExpect(text!);
  if (!parsed.ok) throw new Error(parsed.message);
  return judge(parsed.expectation, result.observed, { unit: result.unit }).status;
}

describe('patroni.cluster on a healthy cluster', () => {
  it('sees three healthy members, one running leader, lag in bytes, no pending restart, no promotion in 30 days', async () => {
    const health = await run({});
    expect(health).toMatchObject({ observed: [{ name: 'pg-1', value: 'healthy' }, { name: 'pg-2', value: 'healthy' }, { name: 'pg-3', value: 'healthy' }], outputs: { members: 3, leader: 'pg-1', timeline: 4 } });
    expect(verdictOf(health)).toBe('pass');
    expect(verdictOf(await run({}, 'members'), '>= 3')).toBe('pass');
    expect(await run({}, 'leader')).toMatchObject({ observed: true });
    const lag = await run({}, 'lag');
    expect(lag).toMatchObject({ observed: [{ name: 'pg-2', value: 0 }, { name: 'pg-3', value: 4096 }], unit: 'bytes' });
    expect(verdictOf(lag, '<= 1MB')).toBe('pass');
    expect(verdictOf(await run({}, 'pendingRestart'), undefined, 'pendingRestart')).toBe('pass');
    const failovers = await run({ since: '30d' }, 'failovers');
    expect(failovers).toMatchObject({ observed: 0 });
    expect(verdictOf(failovers, undefined, 'failovers')).toBe('pass');
    // Without `since`, the whole history counts; with --at before the newest, that one is in the future.
    expect(await run({}, 'failovers')).toMatchObject({ observed: 3 });
    expect(await run({}, 'failovers', new Date(Date.now() - 50 * 86_400_000))).toMatchObject({ observed: 2 });
    // Every member was asked at its own api_url.
    expect(patroni.requests).toEqual(expect.arrayContaining(['/members/pg-1/health', '/members/pg-2/health', '/members/pg-3/health']));
  });

  it('tries the next endpoint when the first does not answer', async () => {
    const closed = `http://127.0.0.1:${await findClosedPort()}`;
    const ctx = createCheckContext({ timeoutMs: 8000 });
    const result = await cluster.run(cluster.params.parse({ endpoints: [closed, patroni.url] }), ctx);
    await ctx.close();
    expect(verdictOf(result)).toBe('pass');
  });
});

describe('patroni.cluster fails what an SRE fears', () => {
  it('no leader: health fails with (cluster) = no leader, leader is false', async () => {
    const state = scenarioOf('healthy');
    state.members[0]!.role = 'replica';
    state.members[0]!.state = 'streaming';
    patroni.setState(state);
    const health = await run({});
    expect(health).toMatchObject({ observed: expect.arrayContaining([{ name: '(cluster)', value: 'no leader' }]) });
    expect(verdictOf(health)).toBe('fail');
    const leader = await run({}, 'leader');
    expect(leader).toMatchObject({ observed: false });
    expect(verdictOf(leader, undefined, 'leader')).toBe('fail');
  });

  it('a replica not streaming (and a member whose PostgreSQL is down) is unhealthy', async () => {
    const state = scenarioOf('healthy');
    state.members[2]!.state = 'stopped';
    state.members[2]!.healthy = false;
    patroni.setState(state);
    const health = await run({});
    expect(health).toMatchObject({ observed: expect.arrayContaining([{ name: 'pg-3', value: 'stopped, not streaming; /health: HTTP 503' }, { name: 'pg-2', value: 'healthy' }]) });
    expect(verdictOf(health)).toBe('fail');
  });

  it('lag over the limit fails; a lag Patroni does not know is an error, never a pass', async () => {
    const state = scenarioOf('healthy');
    state.members[2]!.lag = 50 * 1024 * 1024;
    patroni.setState(state);
    expect(verdictOf(await run({}, 'lag'), '<= 1MB')).toBe('fail');
    state.members[2]!.lag = 'unknown';
    patroni.setState(state);
    expect(verdictOf(await run({}, 'lag'), '<= 1MB')).toBe('error');
  });

  it('a pending restart fails health and pendingRestart', async () => {
    const state = scenarioOf('healthy');
    state.members[1]!.pending_restart = true;
    patroni.setState(state);
    expect(await run({})).toMatchObject({ observed: expect.arrayContaining([{ name: 'pg-2', value: 'pending restart' }]) });
    const pending = await run({}, 'pendingRestart');
    expect(pending).toMatchObject({ observed: 1 });
    expect(verdictOf(pending, undefined, 'pendingRestart')).toBe('fail');
  });

  it('failovers in the window fail "zero unplanned failovers"; the broken scenario shows all of it', async () => {
    patroni.setState(scenarioOf('broken'));
    const failovers = await run({ since: '1h' }, 'failovers');
    expect(failovers).toMatchObject({ observed: 3, outputs: { failovers: expect.arrayContaining([expect.stringMatching(/^timeline 7 at /)]) } });
    expect(verdictOf(failovers, undefined, 'failovers')).toBe('fail');
    const health = await run({});
    expect(health).toMatchObject({ observed: expect.arrayContaining([{ name: 'pg-3', value: expect.stringMatching(/stopped, not streaming; timeline 6, leader on 7; pending restart/) }]) });
    const lag = await run({}, 'lag');
    expect(lag).toMatchObject({ observed: [{ name: 'pg-2', value: 268_435_456 }, { name: 'pg-3', value: 1_073_741_824 }] });
    expect(verdictOf(lag, '<= 1MB')).toBe('fail');
  });
});

describe('patroni.cluster fails closed', () => {
  it('down: no endpoint answering is an error naming the endpoint', async () => {
    const closed = `http://127.0.0.1:${await findClosedPort()}`;
    const ctx = createCheckContext({ timeoutMs: 8000 });
    const result = await cluster.run(cluster.params.parse({ endpoints: [closed] }), ctx);
    await ctx.close();
    expect(result).toMatchObject({ error: expect.stringContaining(`no Patroni endpoint answered: ${closed}/cluster: ECONNREFUSED`) });
  });

  // Each request is bounded at 5 s (or the node's timeout, if shorter): this waits those 5 s.
  it('an endpoint that accepts but never answers is an error naming the timeout (TimeoutError)', async () => {
    const { createServer } = await import('node:net');
    const held: import('node:net').Socket[] = [];
    const hung = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hung.address() as import('node:net').AddressInfo).port}`;
    const ctx = createCheckContext({ timeoutMs: 8000 });
    try {
      const result = await cluster.run(cluster.params.parse({ endpoints: [url] }), ctx);
      expect(result).toMatchObject({ error: `no Patroni endpoint answered: ${url}/cluster: TimeoutError` });
    } finally {
      await ctx.close();
      for (const socket of held) socket.destroy();
      hung.close();
    }
  }, 15_000);

  it('an answer that is not JSON is an error, for /cluster and /history', async () => {
    patroni.setMode('bad-json');
    expect(await run({})).toMatchObject({ error: expect.stringContaining('the answer is not JSON') });
    expect(await run({}, 'failovers')).toMatchObject({ error: expect.stringContaining('not JSON') });
  });

  it('a 5xx (the DCS unreachable) is an error for every observation', async () => {
    patroni.setMode('server-error');
    for (const observe of ['health', 'members', 'leader', 'lag', 'pendingRestart', 'failovers']) {
      expect(await run({}, observe)).toMatchObject({ error: expect.stringContaining('HTTP 503') });
    }
  });

  it('JSON of another shape, an empty member list and an undated history entry are errors', async () => {
    patroni.setState({ members: [], history: [[1, 100, 'no recovery target specified', 'not a time']] });
    expect(await run({})).toMatchObject({ error: expect.stringContaining('no members') });
    patroni.setState({ ...scenarioOf('healthy'), history: [[1, 100, 'no recovery target specified', 'not a time']] });
    expect(await run({}, 'failovers')).toMatchObject({ error: expect.stringContaining('without a timestamp') });
  });
});
