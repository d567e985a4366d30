import { z } from 'zod';
import { defineCheck, type LabelledValue } from '../../src/sdk/index.js';
import { connectionParams, isRedisError, parseInfo, withRedis } from './client.js';

const params = z.strictObject({ ...connectionParams });

export default defineCheck({
  kind: 'redis.replication',
  summary: 'Redis replication (INFO replication): role, connected replicas, lag per replica',
  description:
    'Observes `role` (default: master or slave), `connectedReplicas` (number) or `lag` (seconds per replica ' +
    'as the primary reports it, a list; a primary without replicas is no data). Redis unreachable is `error`.',
  params,
  observes: 'any',
  observeChoices: {
    default: 'role',
    patterns: [/^role$/, /^connectedReplicas$/, /^lag$/],
    help: ['role (default; master or slave)', 'connectedReplicas (number)', 'lag (seconds per replica, a list)'],
  },
  mutates: false,
  outputs: { role: 'master or slave', connectedReplicas: 'replicas connected to this primary' },
  examples: [
    '- id: redis-has-replica\n  uses: redis.replication\n  with: { url: "redis://cache.internal:6379", password: "${secret:REDIS_PASSWORD}" }\n  observe: connectedReplicas\n  expect: ">= 1"',
    '- id: redis-replica-lag\n  uses: redis.replication\n  with: { url: "redis://cache.internal:6379", password: "${secret:REDIS_PASSWORD}" }\n  observe: lag\n  expect: "<= 5s"',
  ],
  async run(p, ctx) {
    const reply = await withRedis(p, ctx, (redis) => redis.command('INFO', 'replication'));
    if (typeof reply === 'object' && reply !== null && ('down' in reply || 'error' in reply)) return { error: 'down' in reply ? reply.down : (reply as { error: string }).error };
    if (isRedisError(reply)) return { error: `INFO replication: ${reply.redisError}` };
    const info = parseInfo(String(reply));
    if (!info.role) return { error: 'INFO replication: no role in the answer' };
    const connectedReplicas = Number(info.connected_slaves ?? 0);
    const replicas: LabelledValue[] = Object.entries(info)
      .filter(([key]) => /^slave\d+$/.test(key))
      .map(([, value]) => {
        const fields = Object.fromEntries(value.split(',').map((pair) => pair.split('=') as [string, string]));
        return { name: `${fields.ip}:${fields.port} (${fields.state})`, value: fields.lag === undefined ? null : Number(fields.lag) };
      });
    const notes = [`role ${info.role}, ${connectedReplicas} replica(s)${replicas.length ? `: ${replicas.map((r) => `${r.name} lag ${r.value}s`).join(', ')}` : ''}`];
    if (info.master_link_status) notes.push(`link to primary ${info.master_host}:${info.master_port}: ${info.master_link_status}`);
    const outputs = { role: info.role, connectedReplicas };
    switch (ctx.observe ?? 'role') {
      case 'connectedReplicas':
        return { observed: connectedReplicas, details: { notes }, outputs };
      case 'lag':
        return { observed: replicas, unit: 'seconds', details: { notes }, outputs };
      default:
        return { observed: info.role, details: { notes }, outputs };
    }
  },
});
