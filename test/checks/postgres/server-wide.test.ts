// Tests that change server-wide state run here, in order, against the sandbox server only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import archiving from '../../../checks/postgres/archiving.js';
import exec from '../../../checks/postgres/exec.js';
import setting from '../../../checks/postgres/setting.js';
import writeProbe from '../../../checks/postgres/write-probe.js';
import { createCheckContext } from '../../helpers/check-context.js';
import { cluster, createDatabase, runKind, sql } from '../../helpers/postgres/index.js';

let url: string;

beforeAll(async () => {
  ({ url } = await createDatabase('sandbox', cluster().sandbox));
});

afterAll(async () => {
  await sql(cluster().sandbox.url, 'ALTER SYSTEM RESET default_transaction_read_only').catch(() => {});
  await sql(cluster().sandbox.url, 'ALTER SYSTEM RESET archive_command').catch(() => {});
  await sql(cluster().sandbox.url, 'SELECT pg_reload_conf()').catch(() => {});
});

describe('postgres.archiving on a failing archive_command', () => {
  it('a failure newer than the last success fails the node', async () => {
    await sql(url, 'CREATE TABLE wal_maker (n int)');
    await sql(url, 'INSERT INTO wal_maker VALUES (1)');
    await sql(url, 'SELECT pg_switch_wal()');
    await waitFor(async () => (await runKind(archiving, {}, { url })).status === 'pass');

    await sql(url, "ALTER SYSTEM SET archive_command = 'false'");
    await sql(url, 'SELECT pg_reload_conf()');
    await sql(url, 'INSERT INTO wal_maker VALUES (2)');
    await sql(url, 'SELECT pg_switch_wal()');
    await waitFor(async () => (await runKind(archiving, {}, { url })).status === 'fail');
    const result = await runKind(archiving, {}, { url });
    expect(result.reasons).toEqual([expect.stringMatching(/^archiving [0-9A-F]{24} failed at .* after the last success/)]);
    expect(result.outputs.failedCount).toBeGreaterThan(0);
  });
});

describe('the read-only cut-over (ALTER SYSTEM + pg_reload_conf) with postgres.exec', () => {
  it('switches the server read-only and back; write-probe fails in between', async () => {
    const ctx = createCheckContext({ connections: { postgres: { url } } });
    const on = await exec.run(exec.params.parse({ statements: ['ALTER SYSTEM SET default_transaction_read_only = on', 'SELECT pg_reload_conf()'] }), ctx);
    expect(on).toMatchObject({ observed: 1, details: { notes: ['2 statement(s) ran one by one (autocommit)'] } });
    // The same pooled connections see the reloaded setting.
    expect((await setting.run(setting.params.parse({ name: 'default_transaction_read_only' }), ctx)) as object).toMatchObject({ observed: 'on' });
    const refused = (await writeProbe.run(writeProbe.params.parse({}), ctx)) as { status: string; reasons: string[] };
    expect(refused.status).toBe('fail');
    expect(refused.reasons[0]).toMatch(/^the write was refused: cannot execute CREATE TABLE in a read-only transaction/);

    const off = await exec.run(exec.params.parse({ statements: ['ALTER SYSTEM SET default_transaction_read_only = off', 'SELECT pg_reload_conf()'] }), ctx);
    expect(off).toMatchObject({ observed: 1 });
    expect((await setting.run(setting.params.parse({ name: 'default_transaction_read_only' }), ctx)) as object).toMatchObject({ observed: 'off' });
    expect(await writeProbe.run(writeProbe.params.parse({}), ctx)).toMatchObject({ status: 'pass' });
    await ctx.close();
  });

  it('drains other sessions with pg_terminate_backend and observes how many', async () => {
    const { default: pg } = await import('pg');
    const victim = new pg.Client({ connectionString: url, application_name: 'app-session' });
    victim.on('error', () => {});
    await victim.connect();
    const result = await runKind(
      exec,
      { statements: ["SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'app-session'"] },
      { url, observe: 'value' },
    );
    expect(result).toMatchObject({ observed: 1, outputs: { value: 1, rowCount: 1 } });
    await expect(victim.query('SELECT 1')).rejects.toThrow();
  });
});

async function waitFor(ok: () => Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
