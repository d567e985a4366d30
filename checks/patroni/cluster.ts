import { z } from 'zod';
import { defineCheck, duration, type CheckContext, type LabelledValue } from '../../src/sdk/index.js';

const params = z.strictObject({
  endpoints: z
    .array(z.url({ protocol: /^https?$/, error: 'expected the http(s):// URL of a Patroni REST API, e.g. http://pg-1:8008' }))
    .min(1)
    .describe('REST API URLs of Patroni members; the first that answers `/cluster` is used, every member is then asked at its own `api_url`.'),
  since: duration
    .optional()
    .describe('For `observe: failovers`: count the promotions in this window before now (`30d`); without it, the whole history.'),
});

type Params = z.output<typeof params>;

/** One member as `GET /cluster` describes it (the fields this check reads). */
interface ClusterMember {
  name?: unknown;
  role?: unknown;
  state?: unknown;
  api_url?: unknown;
  timeline?: unknown;
  lag?: unknown;
  pending_restart?: unknown;
}

const OBSERVES = ['health', 'members', 'leader', 'lag', 'pendingRestart', 'failovers'] as const;
const LEADER_ROLES = new Set(['leader', 'standby_leader']);

export default defineCheck({
  kind: 'patroni.cluster',
  summary: "A Patroni cluster: member health, member count, a leader, replication lag, pending restarts, failovers",
  description: [
    "Reads Patroni's REST API: `GET /cluster` from the first endpoint that answers, then every member's own `/health` (its `api_url`), and `GET /history` for `observe: failovers`.",
    'A member is `healthy` when its PostgreSQL answers `/health` with 200, a leader is `running`, a replica is `streaming`, it is on the leader\'s timeline and needs no restart; otherwise the value says what is wrong. A cluster without a leader adds the element `(cluster)` = `no leader`.',
    'No endpoint answering, an HTTP error and an answer that is not the documented JSON are `error` (fail closed); a member that does not answer its `/health` is observed as unhealthy (`fail`). A lag Patroni reports as `unknown` is no data (`error`).',
    "Patroni's history records every promotion — a failover and a planned switchover alike — so `failovers` counts both: gate \"zero unplanned failovers\" over a window with no planned switchover in it (`since`).",
  ].join('\n\n'),
  params,
  observes: 'any',
  observeChoices: {
    default: 'health',
    patterns: OBSERVES.map((name) => new RegExp(`^${name}$`)),
    help: [
      'health (default; per member `healthy` or what is wrong, a list)',
      'members (number of members)',
      'leader (true when exactly one member holds the leader role and runs)',
      'lag (bytes behind the leader per replica, a list; `expect: "<= 1MB"`)',
      'pendingRestart (members waiting for a restart to apply settings)',
      'failovers (promotions in the history, within `since`)',
    ],
  },
  defaultExpect: (observe) => ({ health: '== healthy', leader: '== true', pendingRestart: '== 0', failovers: '== 0' } as Record<string, string>)[observe ?? 'health'],
  mutates: false,
  outputs: { members: 'member count', leader: "the leader's name, when there is exactly one", timeline: "the leader's timeline" },
  examples: [
    '- id: patroni-healthy\n  uses: patroni.cluster\n  with: { endpoints: ["http://pg-1:8008", "http://pg-2:8008"] }',
    '- id: patroni-three-members\n  uses: patroni.cluster\n  with: { endpoints: ["http://pg-1:8008"] }\n  observe: members\n  expect: ">= 3"',
    '- id: replication-lag\n  uses: patroni.cluster\n  with: { endpoints: ["http://pg-1:8008"] }\n  observe: lag\n  expect: "<= 1MB"',
    '- id: no-failovers\n  uses: patroni.cluster\n  with: { endpoints: ["http://pg-1:8008"], since: 30d }\n  observe: failovers',
  ],
  async run(p, ctx) {
    const read = await readCluster(p, ctx);
    if ('error' in read) return read;
    const { endpoint, members } = read;
    const leaders = members.filter((m) => LEADER_ROLES.has(String(m.role)));
    const leader = leaders.length === 1 && leaders[0]!.state === 'running' ? leaders[0]! : undefined;
    const outputs: Record<string, unknown> = { members: members.length, ...(leader ? { leader: String(leader.name), timeline: leader.timeline } : {}) };
    const notes = members.map((m) => `${String(m.name)}: ${String(m.role)}, ${String(m.state)}, timeline ${String(m.timeline ?? '?')}${LEADER_ROLES.has(String(m.role)) ? '' : `, lag ${String(m.lag ?? '?')}`}${m.pending_restart === true ? ', pending restart' : ''}`);
    notes.push(leader ? `leader: ${String(leader.name)}` : leaders.length > 1 ? `${leaders.length} members claim the leader role` : 'no running leader');
    const details = { notes: [`${endpoint}/cluster`, ...notes] };
    ctx.log(notes.join('; '));
    switch (ctx.observe ?? 'health') {
      case 'members':
        return { observed: members.length, details, outputs };
      case 'leader':
        return { observed: leader !== undefined, details, outputs };
      case 'pendingRestart':
        return { observed: members.filter((m) => m.pending_restart === true).length, details, outputs };
      case 'lag': {
        const observed: LabelledValue[] = members
          .filter((m) => !LEADER_ROLES.has(String(m.role)))
          .map((m) => ({ name: String(m.name), value: typeof m.lag === 'number' && Number.isFinite(m.lag) ? m.lag : null }));
        return { observed, unit: 'bytes', details, outputs };
      }
      case 'failovers':
        return countFailovers(endpoint, p, ctx, details, outputs);
      default: {
        const observed: LabelledValue[] = await Promise.all(members.map(async (m) => ({ name: String(m.name), value: await judgeMember(m, leader, ctx) })));
        if (leaders.length === 0) observed.push({ name: '(cluster)', value: 'no leader' });
        else if (leaders.length > 1) observed.push({ name: '(cluster)', value: `${leaders.length} leaders` });
        return { observed, details, outputs };
      }
    }
  },
});

async function readCluster(p: Params, ctx: CheckContext): Promise<{ endpoint: string; members: ClusterMember[] } | { error: string }> {
  const failures: string[] = [];
  for (const url of p.endpoints) {
    const endpoint = url.replace(/\/$/, '');
    const answer = await getJson(`${endpoint}/cluster`, ctx);
    if ('failure' in answer) {
      failures.push(`${endpoint}/cluster: ${answer.failure}`);
      continue;
    }
    const members = (answer.json as { members?: unknown } | null)?.members;
    if (!Array.isArray(members) || members.some((m) => typeof m !== 'object' || m === null || typeof (m as ClusterMember).name !== 'string')) {
      return { error: `${endpoint}/cluster: not Patroni's cluster document (no member list)` };
    }
    if (members.length === 0) return { error: `${endpoint}/cluster: the cluster has no members` };
    return { endpoint, members: members as ClusterMember[] };
  }
  return { error: `no Patroni endpoint answered: ${failures.join('; ')}` };
}

/** `healthy`, or what is wrong with the member, in words. */
async function judgeMember(m: ClusterMember, leader: ClusterMember | undefined, ctx: CheckContext): Promise<string> {
  const problems: string[] = [];
  const isLeader = LEADER_ROLES.has(String(m.role));
  const wanted = isLeader ? 'running' : 'streaming';
  if (m.state !== wanted) problems.push(`${String(m.state || 'no state')}, not ${wanted}`);
  if (leader && !isLeader && m.timeline !== leader.timeline) problems.push(`timeline ${String(m.timeline ?? '?')}, leader on ${String(leader.timeline)}`);
  if (m.pending_restart === true) problems.push('pending restart');
  const health = await probeHealth(m, ctx);
  if (health) problems.push(health);
  return problems.length ? problems.join('; ') : 'healthy';
}

/** A member's own `/health` (200 while its PostgreSQL runs): undefined when fine, else why not. */
async function probeHealth(m: ClusterMember, ctx: CheckContext): Promise<string | undefined> {
  if (typeof m.api_url !== 'string' || !/^https?:\/\//.test(m.api_url)) return 'no REST API URL';
  const url = m.api_url.replace(/\/patroni\/?$/, '').replace(/\/$/, '') + '/health';
  const answer = await getJson(url, ctx);
  return 'failure' in answer ? `/health: ${answer.failure}` : undefined;
}

async function countFailovers(endpoint: string, p: Params, ctx: CheckContext, details: { notes: string[] }, outputs: Record<string, unknown>) {
  const answer = await getJson(`${endpoint}/history`, ctx);
  if ('failure' in answer) return { error: `${endpoint}/history: ${answer.failure}` };
  if (!Array.isArray(answer.json)) return { error: `${endpoint}/history: not Patroni's history (a list of timeline switches)` };
  const nowMs = ctx.now().getTime();
  const fromMs = p.since === undefined ? -Infinity : nowMs - p.since;
  const counted: string[] = [];
  for (const entry of answer.json as unknown[]) {
    const at = Array.isArray(entry) ? Date.parse(String(entry[3])) : NaN;
    // An entry without a readable time cannot be placed in or out of the window: fail closed.
    if (!Number.isFinite(at)) return { error: `${endpoint}/history: an entry without a timestamp: ${JSON.stringify(entry)}` };
    if (at > fromMs && at <= nowMs) counted.push(`timeline ${String((entry as unknown[])[0])} at ${String((entry as unknown[])[3])}${(entry as unknown[])[4] ? ` (${String((entry as unknown[])[4])})` : ''}`);
  }
  details.notes.push(`promotions${p.since === undefined ? '' : ' in the window'}: ${counted.join(', ') || 'none'}`);
  return { observed: counted.length, details, outputs: { ...outputs, failovers: counted } };
}

async function getJson(url: string, ctx: CheckContext): Promise<{ json: unknown } | { failure: string }> {
  try {
    const response = await getText(url, AbortSignal.any([ctx.signal, AbortSignal.timeout(Math.min(5000, ctx.timeoutMs))]));
    if (response.status < 200 || response.status > 299) return { failure: `HTTP ${response.status}` };
    try {
      return { json: JSON.parse(response.text) };
    } catch {
      return { failure: 'the answer is not JSON' };
    }
  } catch (error) {
    // A socket error carries its code (ECONNREFUSED); an abort is the signal's reason, named
    // by its name (TimeoutError) — a DOMException's numeric `code` says nothing to a user.
    const code = (error as { code?: unknown }).code;
    const cause = (error as { cause?: { code?: string } }).cause;
    return { failure: typeof code === 'string' ? code : (cause?.code ?? (error as Error).name) };
  }
}

/**
 * A GET over node:http(s) rather than fetch: fetch loads Node's bundled undici on first use
 * (≈ 15–25 ms of start-up per run) and costs more CPU per request. Rejects with the abort
 * reason when the signal fires, as fetch did (a timeout is a `TimeoutError`).
 */
async function getText(url: string, signal: AbortSignal): Promise<{ status: number; text: string }> {
  const { request } = url.startsWith('https:') ? await import('node:https') : await import('node:http');
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const settle = (outcome: () => void) => {
      signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const req = request(url, { headers: { Accept: 'application/json' } }, (response) => {
      const chunks: Buffer[] = [];
      let ended = false;
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        ended = true;
        settle(() => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      });
      // A body cut off must not pass for a short answer.
      response.on('close', () => ended || settle(() => reject(Object.assign(new Error('the answer was cut off'), { code: 'ECONNRESET' }))));
    });
    const onAbort = () => {
      settle(() => reject(signal.reason));
      req.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => settle(() => reject(error)));
    req.end();
  });
}
