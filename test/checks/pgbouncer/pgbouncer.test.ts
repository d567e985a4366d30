import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pools from '../../../checks/pgbouncer/pools.js';
import { createCheckContext } from '../../helpers/check-context.js';
import { findClosedPort } from '../../helpers/http/servers.js';
import { cluster } from '../../helpers/postgres/index.js';
import { ADMIN_PASSWORD, startPgBouncer, type PgBouncer } from '../../helpers/pgbouncer/server.js';

// Debian's pgbouncer in front of the test PostgreSQL primary, transaction pooling, pool size 1.
let bouncer: PgBouncer;

beforeAll(async () => {
  bouncer = await startPgBouncer(cluster().primary.port);
}, 20_000);
afterAll(() => bouncer?.stop());

async function run(params: Record<string, unknown>, observe?: string) {
  const ctx = createCheckContext({ timeoutMs: 8000, observe });
  try {
    return await pools.run(pools.params.parse(params), ctx);
  } finally {
    await ctx.close();
  }
}

describe('pgbouncer.pools', () => {
  it('reads pool mode and max client connections from SHOW CONFIG, and no client waiting (default == 0)', async () => {
    const admin = { url: bouncer.adminUrl, password: ADMIN_PASSWORD };
    expect(await run(admin, 'poolMode')).toMatchObject({ observed: 'transaction' });
    expect(await run(admin, 'maxClientConn')).toMatchObject({ observed: 57 });
    expect(await run(admin)).toMatchObject({ observed: 0 });
    expect(typeof pools.defaultExpect === 'function' && pools.defaultExpect(undefined)).toBe('== 0');
  });

  it('counts a client waiting for the only server connection, which another holds in a transaction', async () => {
    const holder = new pg.Client({ connectionString: bouncer.appUrl });
    const waiter = new pg.Client({ connectionString: bouncer.appUrl });
    await holder.connect();
    await waiter.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1');
      const waiting = waiter.query('SELECT 1').catch((error: Error) => error);
      let observed: unknown;
      for (let i = 0; i < 50; i++) {
        const result = await run({ url: bouncer.adminUrl, password: ADMIN_PASSWORD, database: 'app' });
        observed = 'observed' in result ? result.observed : result;
        if (observed === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(observed).toBe(1);
      await holder.query('COMMIT');
      await waiting;
    } finally {
      await holder.end();
      await waiter.end();
    }
  });

  it('fails when PgBouncer is down; a wrong password is an error that does not show it', async () => {
    const port = await findClosedPort();
    expect(await run({ url: `postgres://rollout_admin@127.0.0.1:${port}/pgbouncer` })).toMatchObject({ status: 'fail' });
    const wrong = await run({ url: bouncer.adminUrl, password: 'not-the-Password-9' });
    expect(wrong).toMatchObject({ error: expect.stringContaining('cannot log in') });
    expect(JSON.stringify(wrong)).not.toContain('not-the-Password-9');
  });
});
