import { createServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tlsCheck from '../../../checks/tls/index.js';
import { createCheckContext } from '../../helpers/check-context.js';
import { createPki, type KeyPair, type TestPki } from '../../helpers/tls/certificates.js';
import { findClosedPort } from '../../helpers/http/servers.js';

// Real TLS servers (node:tls) on loopback ports, with certificates openssl makes in this test.
let pki: TestPki;
const servers: Server[] = [];
const ports: Record<string, number> = {};

async function serve(pair: KeyPair, options: { legacy?: boolean } = {}): Promise<number> {
  const server = createServer({
    key: pair.key,
    cert: pair.cert,
    ...(options.legacy ? { minVersion: 'TLSv1' as const, ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
  });
  server.on('secureConnection', (socket) => socket.end());
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  pki = await createPki();
  const names = ['localhost', '127.0.0.1'];
  ports.good = await serve(await pki.issue('localhost', names));
  ports.self = await serve(await pki.selfSigned('localhost', names));
  ports.expired = await serve(await pki.issue('localhost', names, new Date('2024-01-01T00:00:00Z'), new Date('2024-02-01T00:00:00Z')));
  ports.wrongName = await serve(await pki.issue('other.example', ['other.example']));
  ports.legacy = await serve(await pki.issue('localhost', names), { legacy: true });
}, 30_000);

afterAll(async () => {
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
  await pki?.remove();
});

async function probe(port: number, observe?: string, extra: Record<string, unknown> = {}) {
  const ctx = createCheckContext({ timeoutMs: 5000, observe });
  try {
    return await tlsCheck.run(tlsCheck.params.parse({ host: 'localhost', port, ca: pki.ca.certPath, ...extra }), ctx);
  } finally {
    await ctx.close();
  }
}

describe('tls', () => {
  it('observes the days left of a CA-signed certificate (default expect >= 14), which verifies and is not self-signed', async () => {
    const days = await probe(ports.good!);
    expect(days).toMatchObject({ outputs: { selfSigned: false, hostnameMatches: true, verified: true } });
    expect((days as { observed: number }).observed).toBeGreaterThan(58);
    expect((days as { observed: number }).observed).toBeLessThan(61);
    expect(typeof tlsCheck.defaultExpect === 'function' && tlsCheck.defaultExpect(undefined)).toBe('>= 14');
    expect(await probe(ports.good!, 'issuer')).toMatchObject({ observed: 'CN=Rollout Test CA' });
  });

  it('sees a self-signed certificate as selfSigned, and not verified against the CA', async () => {
    expect(await probe(ports.self!, 'selfSigned')).toMatchObject({ observed: true });
    expect(await probe(ports.self!, 'verified')).toMatchObject({ observed: false });
    expect(await probe(ports.good!, 'selfSigned')).toMatchObject({ observed: false });
    expect(typeof tlsCheck.defaultExpect === 'function' && tlsCheck.defaultExpect('selfSigned')).toBe('== false');
  });

  it('observes negative days for an expired certificate, and the chain no longer verifies', async () => {
    const result = (await probe(ports.expired!)) as { observed: number; details: { notes: string[] } };
    expect(result.observed).toBeLessThan(-300);
    expect(await probe(ports.expired!, 'verified')).toMatchObject({ observed: false });
    expect(result.details.notes.join('\n')).toContain('CERT_HAS_EXPIRED');
  });

  it('reports a certificate for another name as hostnameMatches false, and the matching one as true', async () => {
    expect(await probe(ports.wrongName!, 'hostnameMatches')).toMatchObject({ observed: false });
    expect(await probe(ports.good!, 'hostnameMatches')).toMatchObject({ observed: true });
    expect(await probe(ports.wrongName!, 'hostnameMatches', { servername: 'other.example' })).toMatchObject({ observed: true });
  });

  it('lists TLS 1.0 and 1.1 as accepted by a server that allows them and refused by one that does not', async () => {
    expect(await probe(ports.legacy!, 'legacyProtocols')).toMatchObject({ observed: [{ name: 'TLSv1', value: 'accepted' }, { name: 'TLSv1.1', value: 'accepted' }] });
    expect(await probe(ports.good!, 'legacyProtocols')).toMatchObject({ observed: [{ name: 'TLSv1', value: 'refused' }, { name: 'TLSv1.1', value: 'refused' }] });
  });

  it('fails when nothing listens (the service itself is down), for every observation', async () => {
    const port = await findClosedPort();
    expect(await probe(port)).toMatchObject({ status: 'fail', reasons: [expect.stringContaining('ECONNREFUSED')] });
    expect(await probe(port, 'legacyProtocols')).toMatchObject({ status: 'fail' });
  });

  it('is an error when the ca file cannot be read', async () => {
    expect(await probe(ports.good!, undefined, { ca: '/nonexistent/ca.pem' })).toMatchObject({ error: expect.stringContaining('cannot read ca') });
  });
});
