import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';
import { connectionParams, isRedisError, parseInfo, withRedis } from './client.js';

const params = z.strictObject({ ...connectionParams });

export default defineCheck({
  kind: 'redis.memory',
  summary: 'Redis memory (INFO memory): used bytes, or used as a fraction of maxmemory',
  description:
    'Observes `usedRatio` (default: used_memory / maxmemory, 0..1; with no maxmemory set this is no data, since ' +
    'an unbounded Redis has no ratio) or `usedBytes` (unit bytes). Redis unreachable is `error`.',
  params,
  observes: 'number',
  observeChoices: { default: 'usedRatio', patterns: [/^usedRatio$/, /^usedBytes$/], help: ['usedRatio (default; used / maxmemory)', 'usedBytes (bytes)'] },
  mutates: false,
  outputs: { usedBytes: 'used_memory', maxmemoryBytes: 'maxmemory (0: unbounded)' },
  examples: ['- id: redis-headroom\n  uses: redis.memory\n  with: { url: "redis://cache.internal:6379", password: "${secret:REDIS_PASSWORD}" }\n  expect: "<= 0.8"'],
  async run(p, ctx) {
    const reply = await withRedis(p, ctx, (redis) => redis.command('INFO', 'memory'));
    if (typeof reply === 'object' && reply !== null && ('down' in reply || 'error' in reply)) return { error: 'down' in reply ? reply.down : (reply as { error: string }).error };
    if (isRedisError(reply)) return { error: `INFO memory: ${reply.redisError}` };
    const info = parseInfo(String(reply));
    const usedBytes = Number(info.used_memory);
    const maxmemoryBytes = Number(info.maxmemory ?? 0);
    if (!Number.isFinite(usedBytes)) return { error: 'INFO memory: no used_memory in the answer' };
    const notes = [`used ${usedBytes} bytes of ${maxmemoryBytes ? `${maxmemoryBytes} (maxmemory)` : 'no maxmemory limit'}; policy ${info.maxmemory_policy ?? '?'}`];
    const outputs = { usedBytes, maxmemoryBytes };
    if (ctx.observe === 'usedBytes') return { observed: usedBytes, unit: 'bytes', details: { notes }, outputs };
    if (!maxmemoryBytes) return { observed: null, details: { notes: [...notes, 'maxmemory is 0 (unbounded): there is no ratio'] }, outputs };
    return { observed: Math.round((usedBytes / maxmemoryBytes) * 10_000) / 10_000, details: { notes }, outputs };
  },
});
