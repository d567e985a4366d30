import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ping from '../../../checks/redis/ping.js';
import config from '../../../checks/redis/config.js';
import type { CheckDefinition } from '../../../src/sdk/index.js';
import { createCheckContext } from '../../helpers/check-context.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server.js';
import { createPki, type KeyPair, type TestPki } from '../../helpers/tls/certificates.js';
import { findFreePort } from '../../helpers/prometheus/servers.js';

// rediss:// against a real redis-server that speaks only TLS (`--port 0 --tls-port`) and
// requires client certificates, with a CA, server and client certificates made in the test.
const PASSWORD = 'tls-redis-S3cret-pw';
let pki: TestPki;
let other: TestPki;
let client: KeyPair;
let foreignClient: KeyPair;
let redis: RedisServer;
let tlsPort: number;

beforeAll(async () => {
  [pki, other] = await Promise.all([createPki(), createPki()]);
  const server = await pki.issue('localhost', ['localhost', '127.0.0.1']);
  client = await pki.issue('rollout-client', ['rollout-client']);
  foreignClient = await other.issue('intruder', ['intruder']);
  tlsPort = await findFreePort();
  // The helper's plain port stays up (it waits on it); the checks below use only the TLS port.
  redis = await startRedis(['--requirepass', PASSWORD, '--tls-port', String(tlsPort), '--tls-cert-file', server.certPath,
    '--tls-key-file', server.certPath.replace(/\.pem$/, '.key'), '--tls-ca-cert-file', pki.ca.certPath, '--tls-auth-clients', 'yes']);
}, 30_000);

afterAll(async () => {
  await redis?.stop();
  await pki?.remove();
  await other?.remove();
});

async function run(kind: CheckDefinition, params: Record<string, unknown>) {
  const ctx = createCheckContext({ timeoutMs: 5000 });
  try {
    return await kind.run(kind.params.parse(params), ctx);
  } finally {
    await ctx.close();
  }
}

describe('redis.* over rediss://', () => {
  it('pings and reads CONFIG over TLS with the CA and a client certificate (redis.ping, redis.config)', async () => {
    const tls = { ca: pki.ca.certPath, cert: client.certPath, key: client.key };
    expect(await run(ping, { url: `rediss://localhost:${tlsPort}`, password: PASSWORD, tls })).toMatchObject({ observed: 'PONG' });
    expect(await run(config, { url: `rediss://127.0.0.1:${tlsPort}`, password: PASSWORD, tls: { ...tls, servername: 'localhost' }, parameter: 'tls-auth-clients' })).toMatchObject({ observed: 'yes' });
  });

  it('a server certificate from another CA is an error, never a pass', async () => {
    const result = await run(ping, { url: `rediss://localhost:${tlsPort}`, password: PASSWORD, tls: { ca: other.ca.certPath, cert: client.certPath, key: client.key } });
    expect(result).toMatchObject({ error: expect.stringMatching(/TLS: .*(UNABLE_TO_VERIFY|SELF_SIGNED|CERT)/) });
  });

  it('without a client certificate, or with one from a foreign CA, Redis refuses: error', async () => {
    for (const tls of [{ ca: pki.ca.certPath }, { ca: pki.ca.certPath, cert: foreignClient.certPath, key: foreignClient.key }]) {
      const result = await run(ping, { url: `rediss://localhost:${tlsPort}`, password: PASSWORD, tls });
      expect(result).not.toHaveProperty('observed');
      expect('error' in result || ('status' in result && result.status === 'fail')).toBe(true);
    }
  });

  it('plain redis:// to the TLS port does not pass, and `tls` with redis:// is refused rather than sent in clear', async () => {
    expect(await run(ping, { url: `redis://127.0.0.1:${tlsPort}`, password: PASSWORD })).not.toHaveProperty('observed', 'PONG');
    expect(await run(ping, { url: `redis://127.0.0.1:${redis.port}`, password: PASSWORD, tls: { ca: pki.ca.certPath } })).toMatchObject({ error: expect.stringContaining('write rediss://') });
    expect(ping.params.safeParse({ url: `rediss://localhost:${tlsPort}`, tls: { cert: client.certPath } }).success).toBe(false);
  });

  it('the password and the client key never appear in what the check returns', async () => {
    const result = await run(ping, { url: `rediss://localhost:${tlsPort}`, password: 'wrong-password-123', tls: { ca: pki.ca.certPath, cert: client.certPath, key: client.key } });
    const text = JSON.stringify(result);
    expect(text).not.toContain('wrong-password-123');
    expect(text).not.toContain('PRIVATE KEY');
  });
});
