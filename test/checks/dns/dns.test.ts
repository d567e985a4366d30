import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dnsCheck from '../../../checks/dns/index.js';
import { createCheckContext } from '../../helpers/check-context.js';
import { startDnsServer, type DnsServer } from '../../helpers/dns/server.js';
import { findClosedPort } from '../../helpers/http/servers.js';

// A real UDP DNS server in the test (node:dgram, RFC 1035 wire format) on a loopback port.
let dns: DnsServer;

beforeAll(async () => {
  dns = await startDnsServer({
    'api.example.test': { A: ['203.0.113.10', '203.0.113.11'], AAAA: ['2001:db8::10'], TXT: ['v=spf1 -all', 'site-verification=abc'], MX: ['20 mx2.example.test', '10 mx1.example.test'] },
    'www.example.test': { CNAME: ['api.example.test'] },
  });
});
afterAll(() => dns?.close());

async function lookup(params: Record<string, unknown>, timeoutMs = 5000) {
  const ctx = createCheckContext({ timeoutMs });
  try {
    return await dnsCheck.run(dnsCheck.params.parse({ server: dns.address, ...params }), ctx);
  } finally {
    await ctx.close();
  }
}

describe('dns', () => {
  it('observes every A record as a list, and AAAA, CNAME, MX (by priority) and TXT', async () => {
    expect(await lookup({ name: 'api.example.test' })).toMatchObject({
      observed: [{ value: '203.0.113.10' }, { value: '203.0.113.11' }],
      quantifier: 'all',
      outputs: { records: ['203.0.113.10', '203.0.113.11'] },
    });
    expect(await lookup({ name: 'api.example.test', type: 'AAAA' })).toMatchObject({ observed: [{ value: '2001:db8::10' }] });
    expect(await lookup({ name: 'www.example.test', type: 'CNAME' })).toMatchObject({ observed: [{ value: 'api.example.test' }] });
    expect(await lookup({ name: 'api.example.test', type: 'MX' })).toMatchObject({ observed: [{ value: '10 mx1.example.test' }, { value: '20 mx2.example.test' }] });
    expect(await lookup({ name: 'api.example.test', type: 'TXT', quantifier: 'any' })).toMatchObject({ observed: [{ value: 'v=spf1 -all' }, { value: 'site-verification=abc' }], quantifier: 'any' });
  });

  it('observes an empty list (no data, error unless onEmpty) for an unknown name or a missing type', async () => {
    expect(await lookup({ name: 'gone.example.test' })).toMatchObject({ observed: [], details: { notes: [expect.stringContaining('does not exist')] } });
    expect(await lookup({ name: 'www.example.test', type: 'MX' })).toMatchObject({ observed: [] });
  });

  it('is an error when the DNS server does not answer (a measurement source)', async () => {
    const port = await findClosedPort();
    const result = await lookup({ name: 'api.example.test', server: `127.0.0.1:${port}` });
    expect(result).toHaveProperty('error');
  });

  it('refuses a server that is not an address', () => {
    expect(dnsCheck.params.safeParse({ name: 'x', server: 'dns.example.com' }).success).toBe(false);
  });
});
