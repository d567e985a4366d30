import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import health from '../../../checks/etcd/health.js';
import { createCheckContext } from '../../helpers/check-context.js';
import { findClosedPort } from '../../helpers/http/servers.js';
import { startEtcdCluster, type EtcdCluster } from '../../helpers/etcd/cluster.js';

// A real three-member etcd cluster (Debian's etcd-server) on loopback ports.
let cluster: EtcdCluster;

beforeAll(async () => {
  cluster = await startEtcdCluster(3);
}, 40_000);
afterAll(() => cluster?.stop());

async function run(endpoints: string[], observe?: string) {
  const ctx = createCheckContext({ timeoutMs: 8000, observe });
  try {
    return await health.run(health.params.parse({ endpoints }), ctx);
  } finally {
    await ctx.close();
  }
}

describe('etcd.health', () => {
  it('sees three healthy members, a leader and quorum', async () => {
    const endpoint = [cluster.members[0]!.clientUrl];
    expect(await run(endpoint)).toMatchObject({
      observed: [
        { name: 'etcd-1', value: 'healthy' },
        { name: 'etcd-2', value: 'healthy' },
        { name: 'etcd-3', value: 'healthy' },
      ],
    });
    expect(await run(endpoint, 'members')).toMatchObject({ observed: 3 });
    expect(await run(endpoint, 'leader')).toMatchObject({ observed: true, outputs: { leader: expect.stringMatching(/^etcd-\d$/) } });
    expect(await run(endpoint, 'quorum')).toMatchObject({ observed: true });
    expect(typeof health.defaultExpect === 'function' && health.defaultExpect(undefined)).toBe('== healthy');
  });

  it('fails when no endpoint answers (the cluster itself is down)', async () => {
    const port = await findClosedPort();
    expect(await run([`http://127.0.0.1:${port}`])).toMatchObject({ status: 'fail', reasons: [expect.stringContaining('no endpoint answered')] });
  });

  it('with one member stopped: that member is unhealthy (fails == healthy), quorum and a leader remain; the next endpoint is tried', async () => {
    await cluster.members[0]!.stop();
    const endpoints = cluster.members.map((m) => m.clientUrl);
    const result = await run(endpoints);
    expect(result).toMatchObject({ observed: expect.arrayContaining([{ name: 'etcd-1', value: 'unhealthy' }, { name: 'etcd-2', value: 'healthy' }]) });
    expect(await run(endpoints, 'quorum')).toMatchObject({ observed: true, outputs: { members: 3, healthy: 2 } });
    expect(await run(endpoints, 'leader')).toMatchObject({ observed: true });
    // With two of three gone, quorum is lost.
    await cluster.members[1]!.stop();
    expect(await run(endpoints, 'quorum')).toMatchObject({ observed: false });
    expect(await run(endpoints, 'leader')).toMatchObject({ observed: false });
  }, 30_000);
});
