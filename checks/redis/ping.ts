import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';
import { connectionParams, isRedisError, withRedis } from './client.js';

const params = z.strictObject({ ...connectionParams });

export default defineCheck({
  kind: 'redis.ping',
  summary: 'Redis answers PING (after AUTH); observes the reply',
  description: 'Probes the service itself: a refused connection is `fail`. A refused AUTH or a timeout is `error`.',
  params,
  observes: 'string',
  defaultExpect: '== PONG',
  mutates: false,
  examples: ['- id: redis-up\n  uses: redis.ping\n  with: { url: "redis://cache.internal:6379", password: "${secret:REDIS_PASSWORD}" }'],
  async run(p, ctx) {
    const startedAt = performance.now();
    const reply = await withRedis(p, ctx, (redis) => redis.command('PING'));
    if (typeof reply === 'object' && reply !== null && 'down' in reply) return { status: 'fail', reasons: [reply.down] };
    if (typeof reply === 'object' && reply !== null && 'error' in reply) return reply;
    if (isRedisError(reply)) return { error: `PING: ${reply.redisError}` };
    ctx.log(`PING → ${String(reply)} in ${Math.round(performance.now() - startedAt)}ms`);
    return { observed: String(reply) };
  },
});
