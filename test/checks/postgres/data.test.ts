import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import exec from '../../../checks/postgres/exec.js';
import migrations from '../../../checks/postgres/migrations.js';
import rowCounts from '../../../checks/postgres/row-counts.js';
import writeProbe from '../../../checks/postgres/write-probe.js';
import { createDatabase, runKind, sql } from '../../helpers/postgres/index.js';

let url: string;
let migrationsDir: string;

beforeAll(async () => {
  ({ url } = await createDatabase('data'));
  await sql(url, `CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders SELECT generate_series(1, 120);
                  CREATE SCHEMA billing; CREATE TABLE billing."Invoices" (id int); INSERT INTO billing."Invoices" VALUES (1), (2);
                  CREATE TABLE schema_migrations (version bigint PRIMARY KEY);
                  INSERT INTO schema_migrations VALUES (20240101000000), (20240215000000), (9)`);
  migrationsDir = await mkdtemp(join(tmpdir(), 'rollout-migrations-'));
  for (const name of ['9_init.up.sql', '9_init.down.sql', '20240101000000_orders.up.sql', '20240215000000_billing.up.sql', 'README.md']) {
    await writeFile(join(migrationsDir, name), '-- sql\n');
  }
});

describe('postgres.row-counts', () => {
  it('observes exact counts per table and outputs { table: n }', async () => {
    const result = await runKind(rowCounts, { tables: ['orders', 'billing.Invoices'] }, { url });
    expect(result).toMatchObject({
      observed: [{ name: 'orders', value: 120 }, { name: 'billing.Invoices', value: 2 }],
      outputs: { counts: { orders: 120, 'billing.Invoices': 2 } },
    });
  });

  it('with expected (earlier outputs.counts): equal passes, a lost row fails naming the table', async () => {
    const before = (await runKind(rowCounts, { tables: ['orders', 'billing.Invoices'] }, { url })).outputs.counts;
    expect(await runKind(rowCounts, { tables: ['orders', 'billing.Invoices'], expected: before }, { url })).toMatchObject({ status: 'pass' });
    await sql(url, 'DELETE FROM orders WHERE id > 117');
    const after = await runKind(rowCounts, { tables: ['orders', 'billing.Invoices'], expected: before }, { url });
    expect(after).toMatchObject({ status: 'fail', reasons: ['orders: 117 rows, expected 120 (3 fewer)'] });
    await sql(url, 'INSERT INTO orders SELECT generate_series(118, 125)');
    expect(await runKind(rowCounts, { tables: ['orders'], expected: { orders: '120' } }, { url })).toMatchObject({ status: 'fail', reasons: ['orders: 125 rows, expected 120 (5 more)'] });
    expect(await runKind(rowCounts, { tables: ['orders'], expected: { orders: 120 }, compare: 'not-fewer' }, { url })).toMatchObject({ status: 'pass' });
  });

  it('a missing table is an error when counting, a fail when comparing', async () => {
    expect((await runKind(rowCounts, { tables: ['nope'] }, { url })).error).toMatch(/table nope does not exist in database data_/);
    expect(await runKind(rowCounts, { tables: ['nope'], expected: { nope: 3 } }, { url })).toMatchObject({ status: 'fail' });
  });
});

describe('postgres.migrations', () => {
  it('passes when the newest file id is the newest applied (natural order: 9 < 20240101000000)', async () => {
    const result = await runKind(migrations, { directory: migrationsDir }, { url });
    expect(result).toMatchObject({ status: 'pass', outputs: { applied: '20240215000000', pending: [], newestFile: '20240215000000' } });
  });

  it('lists pending files; an expected id other than the newest fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rollout-migrations-'));
    for (const name of ['9_init.up.sql', '20240101000000_orders.up.sql', '20240215000000_billing.up.sql', '20240301000000_refunds.up.sql', '20240302000000_index.up.sql']) {
      await writeFile(join(dir, name), '');
    }
    const result = await runKind(migrations, { directory: dir }, { url });
    expect(result).toMatchObject({ status: 'fail', reasons: ['2 migration(s) not applied: 20240301000000, 20240302000000'], outputs: { pending: ['20240301000000', '20240302000000'] } });
    expect(await runKind(migrations, { expected: '20240215000000' }, { url })).toMatchObject({ status: 'pass' });
    expect(await runKind(migrations, { expected: 20240301000000 }, { url })).toMatchObject({ status: 'fail', reasons: ['newest applied migration is 20240215000000, expected 20240301000000'] });
  });

  it('a database migrated by a newer release fails; a missing table fails; a bad folder is an error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rollout-migrations-'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, '9_init.up.sql'), '');
    expect((await runKind(migrations, { directory: dir }, { url })).reasons).toContain('newest applied migration 20240215000000 is newer than any file in the folder (newest 9): a newer release migrated this database');
    expect((await runKind(migrations, { table: 'flyway_schema_history', expected: '1' }, { url })).reasons).toEqual([expect.stringMatching(/flyway_schema_history does not exist in database data_\w+: no migration has run here/)]);
    expect((await runKind(migrations, { directory: join(dir, 'missing') }, { url })).error).toMatch(/cannot read migrations directory .*ENOENT/);
  });
});

describe('postgres.exec', () => {
  it('runs statements in one transaction: a failure commits nothing and names the statement', async () => {
    const result = await runKind(exec, { statements: ['CREATE TABLE t1 (n int)', 'INSERT INTO t1 VALUES (1)', 'INSERT INTO t1 VALUES (1/0)'] }, { url });
    expect(result.error).toMatch(/^statement 3 of 3 failed \(nothing was committed\): division by zero — INSERT INTO t1 VALUES \(1\/0\)/);
    expect((await sql(url, "SELECT to_regclass('t1') AS t")).rows[0].t).toBeNull();
  });

  it('observes the row count of the last statement, and commits', async () => {
    const result = await runKind(exec, { statements: ['CREATE TABLE t2 (n int)', 'INSERT INTO t2 SELECT generate_series(1, 7)'] }, { url });
    expect(result).toMatchObject({ observed: 7, outputs: { rowCount: 7 } });
    expect((await sql(url, 'SELECT count(*)::int AS n FROM t2')).rows[0].n).toBe(7);
  });

  it('statements that cannot run in a transaction run one by one (VACUUM, CREATE INDEX CONCURRENTLY)', async () => {
    const result = await runKind(exec, { statements: ['VACUUM orders', 'CREATE INDEX CONCURRENTLY orders_idx ON orders (id)'] }, { url });
    expect(result).toMatchObject({ details: { notes: ['2 statement(s) ran one by one (autocommit)'] } });
    expect((await sql(url, "SELECT to_regclass('orders_idx') AS t")).rows[0].t).toBe('orders_idx');
  });

  it('a statement longer than the node timeout is cancelled and reported', async () => {
    const result = await runKind(exec, { statements: ['SELECT pg_sleep(30)'] }, { url, timeoutMs: 800 });
    expect(result.error).toMatch(/timed out|cancelled/);
  });
});

describe('postgres.write-probe', () => {
  it('writes, reads back and removes a probe row', async () => {
    const result = await runKind(writeProbe, { table: 'ops_probe' }, { url, nodeId: 'writes-work' });
    expect(result).toMatchObject({ status: 'pass', outputs: { id: expect.stringMatching(/^writes-work-/) } });
    expect((await sql(url, 'SELECT count(*)::int AS n FROM ops_probe')).rows[0].n).toBe(0);
    await runKind(writeProbe, { table: 'ops_probe', keep: true }, { url });
    expect((await sql(url, 'SELECT count(*)::int AS n FROM ops_probe')).rows[0].n).toBe(1);
  });

  it('the probe table it creates is analyzed: an "every table analyzed" gate of the next run still passes', async () => {
    expect(await runKind(writeProbe, { table: 'fresh_probe' }, { url })).toMatchObject({ status: 'pass' });
    const unanalyzed = await sql(url, "SELECT relname FROM pg_stat_user_tables WHERE relname = 'fresh_probe' AND last_analyze IS NULL AND last_autoanalyze IS NULL");
    expect(unanalyzed.rows).toEqual([]);
  });

  it('fails on a read-only database (a per-database default_transaction_read_only)', async () => {
    const ro = await createDatabase('readonly');
    await sql(ro.url, `ALTER DATABASE ${ro.name} SET default_transaction_read_only = on`);
    const result = await runKind(writeProbe, {}, { url: ro.url });
    expect(result).toMatchObject({ status: 'fail', reasons: [expect.stringMatching(/^the write was refused: cannot execute CREATE TABLE in a read-only transaction/)] });
  });
});
