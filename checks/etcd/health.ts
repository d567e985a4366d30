import { z } from 'zod';
import { defineCheck, type CheckContext, type LabelledValue } from '../../src/sdk/index.js';

const params = z.strictObject({
  endpoints: z
    .array(z.url({ protocol: /^https?$/, error: 'expected an http:// client URL, e.g. http://etcd-1:2379' }))
    .min(1)
    .describe('Client URLs to ask for the member list (the first that answers is used); every member is then asked at its own client URL.'),
});

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
    const listed = await listMembers(p, ctx);
    if ('down' in listed) return { status: 'fail', reasons: [listed.down] };
    if ('error' in listed) return listed;
    const members = await Promise.all(listed.map((member) => probeMember(member, ctx)));
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
  },
});

async function listMembers(p: Params, ctx: CheckContext): Promise<Array<{ id: string; name: string; clientUrl?: string }> | { down: string } | { error: string }> {
  const failures: string[] = [];
  for (const endpoint of p.endpoints) {
    const answer = await callJson(`${endpoint.replace(/\/$/, '')}/v3/cluster/member/list`, {}, ctx);
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
  return { down: `no endpoint answered: ${failures.join('; ')}` };
}

async function probeMember(member: { id: string; name: string; clientUrl?: string }, ctx: CheckContext): Promise<Member> {
  // A member that has not started yet (or was added but never joined) has no client URL.
  if (!member.clientUrl) return { ...member, healthy: false, why: 'no client URL (not started)' };
  const base = member.clientUrl.replace(/\/$/, '');
  const health = await callJson(`${base}/health`, undefined, ctx);
  if ('failure' in health) return { ...member, healthy: false, why: health.failure };
  const healthy = String((health.json as { health?: unknown }).health) === 'true';
  const status = await callJson(`${base}/v3/maintenance/status`, {}, ctx);
  const leaderId = 'failure' in status ? undefined : String((status.json as { leader?: unknown }).leader ?? '');
  return { ...member, healthy, leaderId, why: healthy ? undefined : `/health says ${JSON.stringify(health.json)}` };
}

async function callJson(url: string, body: unknown, ctx: CheckContext): Promise<{ json: unknown } | { failure: string }> {
  try {
    const response = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(Math.min(3000, ctx.timeoutMs))]),
    });
    const text = await response.text();
    if (!response.ok) return { failure: `HTTP ${response.status}` };
    try {
      return { json: JSON.parse(text) };
    } catch {
      return { failure: 'the answer is not JSON' };
    }
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { failure: cause?.code ?? (error as Error).name };
  }
}
