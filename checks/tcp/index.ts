import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';
import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';

const params = z.strictObject({
  host: z.string().min(1).describe('Name or IP address to connect to.'),
  // A port from `${env:PORT}` or `${vars.port}` set from the environment arrives as text.
  port: z.union([z.number(), z.string().regex(/^\d+$/, 'expected a port number').transform(Number)]).pipe(z.number().int().min(1).max(65535)).describe('TCP port (a number, or its digits as text: `${env:PORT}`).'),
  connectTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(3000)
    .describe('How long to wait for an answer: no answer in this time is `filtered` (observed as `closed`). Bounded by the node timeout.'),
});

type Params = z.output<typeof params>;

/** Refused, or silently dropped, or rejected by a firewall with ICMP: the port cannot be reached. */
const CLOSED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH']);

type Attempt = { state: 'open'; connectMs: number; address: string } | { state: 'closed'; why: string; address: string } | { error: string };

export default defineCheck({
  kind: 'tcp',
  summary: 'A TCP port is open or closed (refused or filtered); connect time',
  description:
    'Opens one TCP connection and closes it; nothing is sent. `state` is `open` or `closed` (refused, ' +
    'rejected by ICMP host-unreachable, or no answer within connectTimeoutMs). A host that does not ' +
    'resolve, or any other network error, is `error` — never `closed`, so `expect: "== closed"` passes ' +
    'only for a port something actually refused or dropped.',
  params,
  observes: 'any',
  observeChoices: {
    default: 'state',
    patterns: [/^state$/, /^connectTime$/],
    help: ['state (default; open or closed)', 'connectTime (seconds to connect; a closed port is fail)'],
  },
  defaultExpect: (observe) => (observe === 'connectTime' ? undefined : '== open'),
  mutates: false,
  examples: [
    '- id: postgres-reachable\n  uses: tcp\n  with: { host: db.internal, port: 5432 }',
    '- id: firewall-blocks-es\n  uses: tcp\n  with: { host: public.example.com, port: 9200 }\n  expect: "== closed"',
    '- id: fast-connect\n  uses: tcp\n  with: { host: db.internal, port: 5432 }\n  observe: connectTime\n  expect: "<= 50ms"',
  ],
  async run(p, ctx) {
    const attempt = await attemptConnect(p, Math.min(p.connectTimeoutMs, ctx.timeoutMs), ctx.signal);
    if ('error' in attempt) return attempt;
    const target = `${p.host}:${p.port} (${attempt.address})`;
    if (ctx.observe === 'connectTime') {
      if (attempt.state === 'closed') return { status: 'fail', reasons: [`${target}: ${attempt.why}`] };
      return { observed: attempt.connectMs / 1000, unit: 'seconds', details: { notes: [`${target}: open in ${attempt.connectMs}ms`] } };
    }
    const note = attempt.state === 'open' ? `${target}: open in ${attempt.connectMs}ms` : `${target}: closed — ${attempt.why}`;
    ctx.log(note);
    return { observed: attempt.state, details: { notes: [note] }, outputs: { state: attempt.state } };
  },
});

async function attemptConnect(p: Params, timeoutMs: number, signal: AbortSignal): Promise<Attempt> {
  let address: string;
  try {
    address = (await lookup(p.host)).address;
  } catch (error) {
    return { error: `${p.host}: does not resolve (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); a name that does not resolve says nothing about the port` };
  }
  return new Promise((resolve) => {
    const startedAt = performance.now();
    const socket = connect({ host: address, port: p.port });
    const finish = (attempt: Attempt): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(attempt);
    };
    const onAbort = (): void => finish({ error: `${p.host}:${p.port}: the node timed out before connectTimeoutMs` });
    const timer = setTimeout(() => finish({ state: 'closed', why: `filtered: no answer within ${timeoutMs}ms`, address }), timeoutMs);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ state: 'open', connectMs: Math.round((performance.now() - startedAt) * 100) / 100, address }));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      if (CLOSED_CODES.has(code)) finish({ state: 'closed', why: `${code === 'ECONNREFUSED' ? 'refused' : 'rejected (host unreachable)'}`, address });
      else finish({ error: `${p.host}:${p.port}: ${code || error.message}` });
    });
  });
}
