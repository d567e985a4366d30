import { Resolver } from 'node:dns/promises';
import { z } from 'zod';
import { defineCheck, type LabelledValue } from '../../src/sdk/index.js';

const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'MX'] as const;
/** Answers meaning "this name has no such record": an empty list, not an error. */
const NO_RECORD_CODES = new Set(['ENOTFOUND', 'ENODATA']);

const params = z.strictObject({
  name: z.string().min(1).describe('The name to look up, e.g. api.example.com.'),
  type: z.enum(RECORD_TYPES).default('A').describe('Record type: A, AAAA, CNAME, TXT or MX (default A).'),
  server: z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[\d.]+)(:\d+)?$/, 'expected an IP address, optionally with :port (e.g. 10.0.0.2 or 127.0.0.1:5353)')
    .optional()
    .describe("A DNS server to ask (IP[:port]); default: the system's resolvers from /etc/resolv.conf."),
  quantifier: z.enum(['all', 'any']).default('all').describe('Must every record meet `expect` (all, default) or one of them (any: one TXT among several)?'),
});

type Params = z.output<typeof params>;

export default defineCheck({
  kind: 'dns',
  summary: 'The DNS records of a name (A, AAAA, CNAME, TXT, MX), observed as a list',
  description:
    'Asks a DNS server (the given one or the system resolvers) for one record type and observes every ' +
    'answer as a list, judged element by element. A name with no such record is an empty list (no data: ' +
    '`error`, or what `onEmpty:` says). A server that does not answer is `error` (a measurement source).',
  params,
  observes: 'list',
  mutates: false,
  outputs: { records: 'the answers as strings (MX as "priority exchange")' },
  examples: [
    '- id: api-points-at-new-lb\n  uses: dns\n  with: { name: api.example.com }\n  expect: "== \'203.0.113.10\'"\n  onEmpty: fail',
    '- id: spf-present\n  uses: dns\n  with: { name: example.com, type: TXT, quantifier: any }\n  expect: "=~ /^v=spf1 /"',
  ],
  async run(p, ctx) {
    const resolver = new Resolver({ timeout: Math.max(100, Math.min(2000, ctx.timeoutMs)), tries: 2 });
    if (p.server) resolver.setServers([p.server]);
    const onAbort = (): void => resolver.cancel();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const asked = `${p.type} ${p.name}${p.server ? ` @${p.server}` : ''}`;
    try {
      const records = await resolve(resolver, p);
      const observed: LabelledValue[] = records.map((value) => ({ name: `${p.type} ${p.name}`, value }));
      ctx.log(`${asked}: ${records.length ? records.join(', ') : 'no records'}`);
      return { observed, quantifier: p.quantifier, details: { notes: [`${asked}: ${records.length ? records.join(', ') : 'no records'}`] }, outputs: { records } };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (NO_RECORD_CODES.has(code)) {
        ctx.log(`${asked}: no records (${code})`);
        return { observed: [], details: { notes: [`${asked}: no records (${code === 'ENOTFOUND' ? 'the name does not exist' : 'no record of this type'})`] }, outputs: { records: [] } };
      }
      return { error: `${asked}: ${code || (error as Error).message}` };
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  },
});

async function resolve(resolver: Resolver, p: Params): Promise<string[]> {
  switch (p.type) {
    case 'A':
      return resolver.resolve4(p.name);
    case 'AAAA':
      return resolver.resolve6(p.name);
    case 'CNAME':
      return resolver.resolveCname(p.name);
    case 'TXT':
      return (await resolver.resolveTxt(p.name)).map((chunks) => chunks.join(''));
    case 'MX':
      return (await resolver.resolveMx(p.name)).sort((a, b) => a.priority - b.priority).map((mx) => `${mx.priority} ${mx.exchange}`);
  }
}
