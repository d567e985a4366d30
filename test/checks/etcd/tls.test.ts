import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import health from '../../../checks/etcd/health.js';
import { createCheckContext } from '../../helpers/check-context.js';
import { startEtcdCluster, type EtcdCluster } from '../../helpers/etcd/cluster.js';
import { createPki, type KeyPair, type TestPki } from '../../helpers/tls/certificates.js';

// etcd.health over https:// against a real etcd (Debian) that requires client certificates
// (--cert-file, --key-file, --trusted-ca-file, --client-cert-auth), certificates made in the test.
let pki: TestPki;
let other: TestPki;
let client: KeyPair;
let foreign: KeyPair;
let cluster: EtcdCluster;

beforeAll(async () => {
  [pki, other] = await Promise.all([createPki(), createPki()]);
  const server = await pki.issue('127.0.0.1', ['127.0.0.1', 'localhost']);
  client = await pki.issue('rollout', ['rollout']);
  foreign = await other.issue('intruder', ['intruder']);
  cluster = await startEtcdCluster(1, { certFile: server.certPath, keyFile: server.certPath.replace(/\.pem$/, '.key'), caFile: pki.ca.certPath, client });
}, 40_000);
afterAll(async () => {
  await cluster?.stop();
  await pki?.remove();
  await other?.remove();
});

async function run(withParams: Record<string, unknown>, observe?: string) {
  const ctx = createCheckContext({ timeoutMs: 8000, observe });
  try {
    return await health.run(health.params.parse({ endpoints: [cluster.members[0]!.clientUrl], ...withParams }), ctx);
  } finally {
    await ctx.close();
  }
}

describe('etcd.health over TLS', () => {
  it('with the CA and a client certificate: the member is healthy and leads', async () => {
    const tls = { ca: pki.ca.certPath, cert: client.certPath, key: client.key };
    expect(cluster.members[0]!.clientUrl).toMatch(/^https:/);
    expect(await run({ tls })).toMatchObject({ observed: [{ name: 'etcd-1', value: 'healthy' }] });
    expect(await run({ tls }, 'leader')).toMatchObject({ observed: true, outputs: { leader: 'etcd-1' } });
  });

  it('a server certificate the CA did not issue is an error (nothing could be trusted), never a pass', async () => {
    expect(await run({ tls: { ca: other.ca.certPath, cert: client.certPath, key: client.key } })).toMatchObject({ error: expect.stringMatching(/no endpoint could be trusted: .*(UNABLE_TO_VERIFY|SELF_SIGNED|CERT)/) });
  });

  it('without a client certificate, or with a foreign one, etcd refuses: not a pass', async () => {
    for (const tls of [{ ca: pki.ca.certPath }, { ca: pki.ca.certPath, cert: foreign.certPath, key: foreign.key }]) {
      const result = await run({ tls });
      expect(result).not.toHaveProperty('observed');
      expect('error' in result || ('status' in result && result.status === 'fail')).toBe(true);
    }
  });

  it('refuses a half client certificate at validation', () => {
    expect(health.params.safeParse({ endpoints: ['https://127.0.0.1:2379'], tls: { cert: 'c.pem' } }).success).toBe(false);
  });
});
