import { request as requestHttp, Agent as HttpAgent } from 'node:http';
import { request as requestHttps, Agent as HttpsAgent } from 'node:https';
import { z } from 'zod';
import { defineCheck, loadCa, type CheckContext, type LabelledValue } from '../../src/sdk/index.js';

const params = z.strictObject({
  endpoints: z
    .array(z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// client URL, e.g. https://etcd-1:2379' }))
    .min(1)
    .describe('Client URLs to ask for the member list (the first that answers is used); every member is then asked at its own client URL.'),
  tls: z
    .strictObject({
      ca: z.string().optional().describe("The CA etcd's server certificates are verified against (etcd's --trusted-ca-file): PEM text or a path relative to the playbook."),
      cert: z.string().optional().describe('A client certificate (PEM text or path), for etcd with --client-cert-auth.'),
      key: z.string().optional().describe('Its private key (PEM text, e.g. "${secret:ETCD_CLIENT_KEY}", or a path).'),
      insecureSkipVerify: z.boolean().optional().describe('Accept any server certificate (a lab cluster).'),
    })
    .refine((t) => (t.cert === undefined) === (t.key === undefined), 'a client certificate needs both `cert` and `key`')
    .optional()
    .describe('For https:// endpoints: the CA, a client certificate and its key.'),
});

/** One connection pool for this node's requests, plain or with the node's TLS settings. */
type Transport = { agent: HttpAgent | HttpsAgent; secure: boolean };

type Params = z.output<typeof params>;

interface Member {
  id: string;
  name: string;
  clientUrl?: string;
  healthy: boolean;
  leaderId?: string;
  why?: string;
}

const OBSERVES = ['health', 'members', 'leader', 'quorum'] as const;

export default defineCheck({
  kind: 'etcd.health',
  summary: 'An etcd cluster: health per member, member count, a leader, quorum',
  description:
    "Reads the member list (v3 JSON gateway, `/v3/cluster/member/list`) from the first endpoint that answers, then asks every member's client URL for `/health` and `/v3/maintenance/status`. " +
    'Probes the service itself: no endpoint answering is `fail`; a member that does not answer is observed as `unhealthy`.',
  params,
  observes: 'any',
  observeChoices: {
    default: 'health',
    patterns: OBSERVES.map((name) => new RegExp(`^${name}$`)),
    help: ['health (default; healthy or unhealthy per member, a list)', 'members (number of members)', 'leader (true when the healthy members agree on a leader that is a member)', 'quorum (true when more than half the members are healthy)'],
  },
  defaultExpect: (observe) => ({ health: '== healthy', leader: '== true', quorum: '== true' } as Record<string, string>)[observe ?? 'health'],
  mutates: false,
  outputs: { members: 'member count', healthy: 'healthy member count', leader: 'the leader\'s name, when agreed' },
  examples: [
    '- id: etcd-healthy\n  uses: etcd.health\n  with: { endpoints: ["http://etcd-1:2379", "http://etcd-2:2379"] }',
    '- id: etcd-three-members\n  uses: etcd.health\n  with: { endpoints: ["http://etcd-1:2379"] }\n  observe: members\n  expect: ">= 3"',
  ],
  async run(p, ctx) {
    const transport = await openTransport(p, ctx);
    if ('error' in transport) return transport;
    try {
      return await observeCluster(p, ctx, transport);
    } finally {
      transport.plain.agent.destroy();
      transport.secure.agent.destroy();
    }
  },
});

async function openTransport(p: Params, ctx: CheckContext): Promise<Transports | { error: string }> {
  const plain = { agent: new HttpAgent({ keepAlive: true }), secure: false };
  const files: Record<string, string | undefined> = {};
  for (const field of ['ca', 'cert', 'key'] as const) {
    const text = await loadCa(p.tls?.[field], ctx.cwd, `tls.${field}`);
    if (typeof text === 'object') return text;
    files[field] = text;
  }
  const secure = { agent: new HttpsAgent({ keepAlive: true, ca: files.ca, cert: files.cert, key: files.key, rejectUnauthorized: p.tls?.insecureSkipVerify !== true }), secure: true };
  return { plain, secure };
}

async function observeCluster(p: Params, ctx: CheckContext, transports: Transports) {
  const listed = await listMembers(p, ctx, transports);
  if ('down' in listed) return { status: 'fail' as const, reasons: [listed.down] };
  if ('error' in listed) return listed;
  const members = await Promise.all(listed.map((member) => probeMember(member, ctx, transports)));
  const healthy = members.filter((m) => m.healthy);
  const leaderIds = new Set(healthy.map((m) => m.leaderId).filter((id) => id && id !== '0'));
  const leader = leaderIds.size === 1 ? members.find((m) => m.id === [...leaderIds][0]) : undefined;
  const notes = members.map((m) => `${m.name} (${m.clientUrl ?? 'no client URL'}): ${m.healthy ? 'healthy' : `unhealthy — ${m.why}`}`);
  notes.push(leader ? `leader: ${leader.name}` : leaderIds.size > 1 ? 'members disagree on the leader' : 'no leader');
  ctx.log(notes.join('; '));
  const details = { notes };
  const outputs = { members: members.length, healthy: healthy.length, ...(leader ? { leader: leader.name } : {}) };
  switch (ctx.observe ?? 'health') {
    case 'members':
      return { observed: members.length, details, outputs };
    case 'leader':
      return { observed: leader !== undefined, details, outputs };
    case 'quorum':
      return { observed: healthy.length > members.length / 2, details, outputs };
    default: {
      const observed: LabelledValue[] = members.map((m) => ({ name: m.name, value: m.healthy ? 'healthy' : 'unhealthy' }));
      return { observed, details, outputs };
    }
  }
}

type Transports = { plain: Transport; secure: Transport };

async function listMembers(p: Params, ctx: CheckContext, transports: Transports): Promise<Array<{ id: string; name: string; clientUrl?: string }> | { down: string } | { error: string }> {
  const failures: string[] = [];
  for (const endpoint of p.endpoints) {
    const answer = await callJson(`${endpoint.replace(/\/$/, '')}/v3/cluster/member/list`, {}, ctx, transports);
    if ('failure' in answer) {
      failures.push(`${endpoint}: ${answer.failure}`);
      continue;
    }
    const members = (answer.json as { members?: Array<{ ID?: string; name?: string; clientURLs?: string[] }> }).members;
    if (!Array.isArray(members)) return { error: `${endpoint}: unexpected member list` };
    // By name, so the list reads the same run after run (etcd orders by member ID).
    return members.map((m) => ({ id: String(m.ID ?? ''), name: m.name || String(m.ID ?? '?'), clientUrl: m.clientURLs?.[0] })).sort((a, b) => a.name.localeCompare(b.name));
  }
  if (ctx.signal.aborted) return { error: `no member list within ${ctx.timeoutMs}ms: ${failures.join('; ')}` };
  // A certificate that does not verify (or a client certificate refused) is not "etcd is down": nothing could be trusted.
  if (failures.some((f) => /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|ERR_SSL|HOSTNAME|EPROTO/.test(f))) return { error: `no endpoint could be trusted: ${failures.join('; ')}` };
  return { down: `no endpoint answered: ${failures.join('; ')}` };
}

async function probeMember(member: { id: string; name: string; clientUrl?: string }, ctx: CheckContext, transports: Transports): Promise<Member> {
  // A member that has not started yet (or was added but never joined) has no client URL.
  if (!member.clientUrl) return { ...member, healthy: false, why: 'no client URL (not started)' };
  const base = member.clientUrl.replace(/\/$/, '');
  const health = await callJson(`${base}/health`, undefined, ctx, transports);
  if ('failure' in health) return { ...member, healthy: false, why: health.failure };
  const healthy = String((health.json as { health?: unknown }).health) === 'true';
  const status = await callJson(`${base}/v3/maintenance/status`, {}, ctx, transports);
  const leaderId = 'failure' in status ? undefined : String((status.json as { leader?: unknown }).leader ?? '');
  return { ...member, healthy, leaderId, why: healthy ? undefined : `/health says ${JSON.stringify(health.json)}` };
}

/** One JSON call over node:http(s), so a CA and a client certificate apply (fetch takes neither). */
function callJson(url: string, body: unknown, ctx: CheckContext, transports: Transports): Promise<{ json: unknown } | { failure: string }> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? transports.secure : transports.plain;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(Math.min(3000, ctx.timeoutMs))]);
    const send = transport.secure ? requestHttps : requestHttp;
    const req = send(target, {
      method: payload === undefined ? 'GET' : 'POST',
      agent: transport.agent,
      headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      signal,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', () => resolve({ failure: 'the answer broke off' }));
      res.on('end', () => {
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) return resolve({ failure: `HTTP ${res.statusCode}` });
        try {
          resolve({ json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch {
          resolve({ failure: 'the answer is not JSON' });
        }
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ failure: error.code ?? error.name }));
    req.end(payload);
  });
}
