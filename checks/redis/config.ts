import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';
import { connectionParams, isRedisError, withRedis, type Reply } from './client.js';

/** Parameters whose value is a credential: observed only as `set` or `unset`. */
const SECRET_PARAMETERS = new Set(['requirepass', 'masterauth', 'masteruser']);

const params = z.strictObject({
  ...connectionParams,
  parameter: z.string().regex(/^[a-z0-9-]+$/, 'one configuration parameter, e.g. maxmemory-policy').describe('The CONFIG GET parameter, e.g. protected-mode, maxmemory-policy, requirepass.'),
});

export default defineCheck({
  kind: 'redis.config',
  summary: 'One Redis configuration parameter (CONFIG GET); credentials only as set/unset',
  description:
    'Observes the value of one parameter as Redis reports it (`yes`, `allkeys-lru`, `104857600`). ' +
    '`requirepass`, `masterauth` and `masteruser` are observed as `set` or `unset`, never their value. ' +
    'An unknown parameter is no data. Redis unreachable is `error` (the value could not be read; `redis.ping` is the gate for "up").',
  params,
  observes: 'string',
  mutates: false,
  examples: [
    '- id: redis-protected\n  uses: redis.config\n  with: { url: "redis://cache.internal:6379", password: "${secret:REDIS_PASSWORD}", parameter: protected-mode }\n  expect: "== yes"',
    '- id: redis-password-set\n  uses: redis.config\n  with: { url: "redis://cache.internal:6379", password: "${secret:REDIS_PASSWORD}", parameter: requirepass }\n  expect: "== set"',
  ],
  async run(p, ctx) {
    const reply = await withRedis(p, ctx, (redis) => redis.command('CONFIG', 'GET', p.parameter));
    if (isFailure(reply)) return { error: 'down' in reply ? reply.down : reply.error };
    if (isRedisError(reply)) return { error: `CONFIG GET ${p.parameter}: ${reply.redisError} (CONFIG may be renamed or denied to this user)` };
    const pairs = Array.isArray(reply) ? reply : [];
    const index = pairs.findIndex((item, i) => i % 2 === 0 && item === p.parameter);
    if (index === -1) return { observed: null, details: { notes: [`${p.parameter}: not a parameter of this Redis`] } };
    const raw = String(pairs[index + 1] ?? '');
    const observed = SECRET_PARAMETERS.has(p.parameter) ? (raw === '' ? 'unset' : 'set') : raw;
    ctx.log(`${p.parameter} = ${observed}`);
    return { observed, outputs: { value: observed } };
  },
});

function isFailure(reply: Reply | { down: string } | { error: string }): reply is { down: string } | { error: string } {
  return typeof reply === 'object' && reply !== null && ('down' in reply || 'error' in reply);
}
