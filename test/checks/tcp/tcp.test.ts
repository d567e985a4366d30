import { createServer, type Server, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tcpCheck from '../../../checks/tcp/index.js';
import { createCheckContext } from '../../helpers/check-context.js';
import { findClosedPort } from '../../helpers/http/servers.js';

let server: Server;
let openPort: number;

beforeAll(async () => {
  server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  openPort = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function probe(params: Record<string, unknown>, observe?: string, timeoutMs = 5000) {
  const ctx = createCheckContext({ timeoutMs, observe });
  try {
    return await tcpCheck.run(tcpCheck.params.parse(params), ctx);
  } finally {
    await ctx.close();
  }
}

describe('tcp', () => {
  it('observes open for a listening port (default expect == open) and its connect time in seconds', async () => {
    expect(await probe({ host: '127.0.0.1', port: openPort })).toMatchObject({ observed: 'open' });
    expect(typeof tcpCheck.defaultExpect === 'function' && tcpCheck.defaultExpect(undefined)).toBe('== open');
    const time = (await probe({ host: 'localhost', port: openPort }, 'connectTime')) as { observed: number; unit: string };
    expect(time.unit).toBe('seconds');
    expect(time.observed).toBeGreaterThanOrEqual(0);
    expect(time.observed).toBeLessThan(1);
  });

  it('takes a port given as text (from ${env:PORT}) and refuses text that is not a port', async () => {
    expect(await probe({ host: '127.0.0.1', port: String(openPort) })).toMatchObject({ observed: 'open' });
    expect(tcpCheck.params.safeParse({ host: '127.0.0.1', port: '54x' }).success).toBe(false);
    expect(tcpCheck.params.safeParse({ host: '127.0.0.1', port: '70000' }).success).toBe(false);
  });

  it('observes closed for a refused port (the firewall case, expect == closed)', async () => {
    const port = await findClosedPort();
    expect(await probe({ host: '127.0.0.1', port })).toMatchObject({ observed: 'closed', details: { notes: [expect.stringContaining('refused')] } });
    expect(await probe({ host: '127.0.0.1', port }, 'connectTime')).toMatchObject({ status: 'fail' });
  });

  it('observes closed (filtered) when nothing answers within connectTimeoutMs', async () => {
    // 192.0.2.0/24 is TEST-NET-1: documentation only, routed nowhere, so SYNs go unanswered
    // (or the kernel says unreachable): either way the port cannot be reached.
    const result = await probe({ host: '192.0.2.1', port: 9200, connectTimeoutMs: 300 });
    expect(result).toMatchObject({ observed: 'closed' });
  });

  it('is an error, never closed, when the host does not resolve', async () => {
    const result = await probe({ host: 'no-such-host.invalid', port: 5432 });
    expect(result).toMatchObject({ error: expect.stringContaining('does not resolve') });
    expect(result).not.toHaveProperty('observed');
  });
});
