import { readFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PLAYBOOKS, runRollout } from '../../helpers/postgres/cli.js';
import { cluster, createDatabase, sql, withExclusive } from '../../helpers/postgres/index.js';
import { TEST_PASSWORD } from '../../helpers/postgres/server.js';

let env: Record<string, string>;
let db: { name: string; url: string; urlOn(server: { port: number }): string };

beforeAll(async () => {
  db = await createDatabase('gates');
  await sql(db.url, `CREATE TABLE customers (id int); INSERT INTO customers VALUES (1), (2);
                     CREATE TABLE orders (id int); INSERT INTO orders VALUES (1);
                     CREATE TABLE schema_migrations (version text); INSERT INTO schema_migrations VALUES ('001'), ('002')`);
  await sql(db.url, `ALTER DATABASE ${db.name} SET log_min_duration_statement = 1000`);
  const migrations = await mkdtemp(join(tmpdir(), 'rollout-migrations-'));
  await writeFile(join(migrations, '001_init.sql'), '');
  await writeFile(join(migrations, '002_orders.sql'), '');
  // Give the archiver something recent to have archived.
  await sql(db.url, 'INSERT INTO orders VALUES (2)');
  await sql(cluster().primary.url, 'SELECT pg_switch_wal()');
  env = { ROLLOUT_PG_URL: db.url, ROLLOUT_PG_STANDBY_URL: cluster().standby.url, ROLLOUT_MIGRATIONS_DIR: migrations };
});

describe('playbooks/postgres.yaml through the built CLI', () => {
  it('passes on a healthy primary and standby; log_connections off is a warning', () => withExclusive('standby', async () => {
    const run = await runRollout(['check', '-p', join(PLAYBOOKS, 'postgres.yaml'), '--env', 'local'], env);
    const statuses = Object.fromEntries(run.report.nodes.map((n) => [n.id, n.status]));
    expect(statuses).toEqual({
      'pg-version': 'pass', 'max-connections': 'pass', 'shared-buffers': 'pass', 'slow-query-log': 'pass',
      'log-connections': 'warn', plpgsql: 'pass', 'one-standby-streaming': 'pass', 'replication-lag': 'pass',
      'standby-replay-lag': 'pass', 'slots-active': 'pass', 'wal-archiving': 'pass', 'migrations-applied': 'pass',
      'no-long-transactions': 'pass', 'orders-have-rows': 'pass',
    });
    expect(run.exitCode).toBe(0);
    expect(run.byId['shared-buffers']).toMatchObject({ observed: 134217728 });
    // The evidence names the server but never the password.
    const evidence = await readFile(run.report.evidence!, 'utf8');
    expect(evidence).toContain('127.0.0.1');
    expect(evidence).not.toContain(TEST_PASSWORD);
  }));

  it('fails on a pending migration and an empty table, errors when the server is down', async () => {
    await sql(db.url, 'DELETE FROM orders');
    await sql(db.url, "DELETE FROM schema_migrations WHERE version = '002'");
    const failing = await runRollout(['check', '-p', join(PLAYBOOKS, 'postgres.yaml'), '--env', 'local', '--only', 'migrations-applied,orders-have-rows'], env);
    expect(failing.status('migrations-applied')).toBe('fail');
    expect(failing.byId['migrations-applied']!.message).toMatch(/1 migration\(s\) not applied: 002/);
    expect(failing.status('orders-have-rows')).toBe('fail');
    expect(failing.exitCode).toBe(1);

    const down = await runRollout(['check', '-p', join(PLAYBOOKS, 'postgres.yaml'), '--env', 'local', '--only', 'pg-version'], {
      ...env,
      ROLLOUT_PG_URL: db.url.replace(/:\d+\//, ':1/'),
    });
    expect(down.status('pg-version')).toBe('error');
    expect(down.byId['pg-version']!.message).toMatch(/connection refused/);
    expect(JSON.stringify(down.report)).not.toContain(TEST_PASSWORD);
    expect(down.exitCode).toBe(3);
  });
});
