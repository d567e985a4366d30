import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { PLAYBOOKS, runRollout } from '../../helpers/postgres/cli.js';
import { cluster, createDatabase, sql, withExclusive } from '../../helpers/postgres/index.js';
import { TEST_PASSWORD } from '../../helpers/postgres/server.js';

let env: Record<string, string>;
let db: { name: string; url: string; urlOn(server: { port: number }): string };

const MIGRATIONS = fileURLToPath(new URL('../../../fixtures/postgres/migrations/', import.meta.url));

beforeAll(async () => {
  db = await createDatabase('gates');
  // Migrate the way a migration tool would: run each file, record its id.
  await sql(db.url, 'CREATE TABLE schema_migrations (version text PRIMARY KEY)');
  for (const file of (await readdir(MIGRATIONS)).filter((f) => f.endsWith('.sql')).sort()) {
    await sql(db.url, await readFile(join(MIGRATIONS, file), 'utf8'));
    await sql(db.url, 'INSERT INTO schema_migrations VALUES ($1)', [file.slice(0, 3)]);
  }
  await sql(db.url, "INSERT INTO customers (id, name) VALUES (1, 'a'), (2, 'b'); INSERT INTO orders VALUES (1, 1, 9.5)");
  await sql(db.url, `ALTER DATABASE ${db.name} SET log_min_duration_statement = 1000`);
  // Give the archiver something recent to have archived.
  await sql(cluster().primary.url, 'SELECT pg_switch_wal()');
  env = { ROLLOUT_PG_URL: db.url, ROLLOUT_PG_STANDBY_URL: cluster().standby.url, ROLLOUT_MIGRATIONS_DIR: MIGRATIONS };
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
