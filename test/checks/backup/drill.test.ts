import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import fresh from '../../../checks/backup/fresh.js';
import rowCounts from '../../../checks/postgres/row-counts.js';
import { cluster, createDatabase, runKind, sql } from '../../helpers/postgres/index.js';
import { PLAYBOOKS, runRollout } from '../../helpers/postgres/cli.js';
import { drillEnv, runScript } from '../../helpers/postgres/drill.js';
import { urlFor } from '../../helpers/postgres/server.js';

let source: { name: string; url: string };
let backupDir: string;
let env: Record<string, string>;
const tables = ['customers', 'orders'];

beforeAll(async () => {
  source = await createDatabase('drill');
  await sql(source.url, `CREATE TABLE customers (id int PRIMARY KEY, name text);
                         CREATE TABLE orders (id int PRIMARY KEY, customer int REFERENCES customers, total numeric);
                         INSERT INTO customers SELECT i, 'c' || i FROM generate_series(1, 50) i;
                         INSERT INTO orders SELECT i, 1 + i % 50, i * 1.5 FROM generate_series(1, 500) i`);
  backupDir = await mkdtemp(join(tmpdir(), 'rollout-backups-'));
  env = drillEnv(cluster().primary.port, source.name, backupDir);
});

describe('the backup drill scripts against a real server', () => {
  it('snapshot → verify → restore into a scratch database → counts equal', async () => {
    const before = (await runKind(rowCounts, { tables }, { url: source.url })).outputs.counts;
    expect(before).toEqual({ customers: 50, orders: 500 });

    const snapshot = await runScript('backup-manager.sh', ['--snapshot', 'pre-rollout'], env);
    expect(snapshot.stderr).toBe('');
    expect(snapshot.exitCode).toBe(0);
    expect(snapshot.stdout).toMatch(/^snapshot pre-rollout: .*pre-rollout\.dump \(\d+ bytes, sha256 [0-9a-f]{64}\)$/m);
    expect(snapshot.stdout + snapshot.stderr).not.toContain(env.PGPASSWORD);

    const verify = await runScript('verify-backups.sh', ['--latest'], env);
    expect(verify).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^verified pre-rollout: checksum ok, \d+ entries, 2 tables with data$/m) });

    const freshness = await runKind(fresh, { path: join(backupDir, '*.dump'), maxAge: '10m', minSize: '1KB', checksum: 'required' });
    expect(freshness).toMatchObject({ status: 'pass', outputs: { path: join(backupDir, 'pre-rollout.dump') } });

    const scratch = `${source.name}_scratch`;
    const restore = await runScript('restore-manager.sh', ['--snapshot', 'pre-rollout', '--target', scratch], env);
    expect(restore).toMatchObject({ exitCode: 0, stdout: `restored pre-rollout into ${scratch}\n` });
    const after = await runKind(rowCounts, { tables, expected: before }, { url: urlFor(cluster().primary.port, scratch) });
    expect(after).toMatchObject({ status: 'pass', outputs: { counts: { customers: 50, orders: 500 } } });

    // A second restore into the same scratch database needs --replace.
    expect((await runScript('restore-manager.sh', ['--snapshot', 'pre-rollout', '--target', scratch], env)).exitCode).not.toBe(0);
    expect((await runScript('restore-manager.sh', ['--snapshot', 'pre-rollout', '--target', scratch, '--replace'], env)).exitCode).toBe(0);
    await sql(cluster().primary.url, `DROP DATABASE ${scratch}`);
  });

  it('rows lost after the snapshot show up in the comparison', async () => {
    const before = (await runKind(rowCounts, { tables }, { url: source.url })).outputs.counts;
    await sql(source.url, 'DELETE FROM orders WHERE id <= 10');
    const after = await runKind(rowCounts, { tables, expected: before }, { url: source.url });
    expect(after).toMatchObject({ status: 'fail', reasons: ['orders: 490 rows, expected 500 (10 fewer)'] });
  });

  it('a corrupted snapshot fails verification, backup.fresh and restore', async () => {
    expect((await runScript('backup-manager.sh', ['--snapshot', 'corrupt-me'], env)).exitCode).toBe(0);
    await appendFile(join(backupDir, 'corrupt-me.dump'), 'garbage');
    const verify = await runScript('verify-backups.sh', ['--snapshot', 'corrupt-me'], env);
    expect(verify.exitCode).toBe(1);
    expect(verify.stderr).toMatch(/^verify-backups: corrupt-me is corrupt: sha256 [0-9a-f]{64}, expected [0-9a-f]{64}$/m);
    const freshness = await runKind(fresh, { path: join(backupDir, 'corrupt-me*'), maxAge: '10m' });
    expect(freshness.status).toBe('fail');
    expect(freshness.reasons[0]).toMatch(/^checksum mismatch: .*corrupt-me\.dump has sha256/);
    const restore = await runScript('restore-manager.sh', ['--snapshot', 'corrupt-me', '--target', `${source.name}_bad`], env);
    expect(restore).toMatchObject({ exitCode: 1, stderr: 'restore-manager: refusing to restore corrupt-me: checksum mismatch\n' });
  });

  it('refuses to overwrite a snapshot, to restore over the source, and reports a missing snapshot', async () => {
    expect((await runScript('backup-manager.sh', ['--snapshot', 'once'], env)).exitCode).toBe(0);
    const again = await runScript('backup-manager.sh', ['--snapshot', 'once'], env);
    expect(again).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(/snapshot once already exists .*--replace/) });
    const overSource = await runScript('restore-manager.sh', ['--snapshot', 'once', '--target', source.name], env);
    expect(overSource).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(/is the database PGDATABASE points at/) });
    const missing = await runScript('restore-manager.sh', ['--snapshot', 'nope', '--target', 'x'], env);
    expect(missing).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(/^restore-manager: no snapshot nope/) });
    expect(await readFile(join(backupDir, 'once.dump.sha256'), 'utf8')).toMatch(/^[0-9a-f]{64} {2}once\.dump\n$/);
  });

  it('a server that is down makes the snapshot fail without a partial file', async () => {
    const down = { ...env, PGPORT: '1' };
    const result = await runScript('backup-manager.sh', ['--snapshot', 'down'], down);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/connection to server .* failed/);
    expect((await runScript('verify-backups.sh', ['--snapshot', 'down'], env)).exitCode).toBe(1);
  });
});

describe('playbooks/backup-drill.yaml through the built CLI', () => {
  it('counts → snapshot → verify → restore into a scratch database → counts equal → writable → scratch dropped', async () => {
    const drillSource = await createDatabase('drillcli');
    await sql(drillSource.url, `CREATE TABLE customers (id int PRIMARY KEY); INSERT INTO customers SELECT generate_series(1, 30);
                                CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders SELECT generate_series(1, 300)`);
    const dir = await mkdtemp(join(tmpdir(), 'rollout-drill-'));
    const run = await runRollout(['check', '-p', join(PLAYBOOKS, 'backup-drill.yaml'), '--env', 'local'], drillEnv(cluster().primary.port, drillSource.name, dir));
    expect(run.report.nodes.map((n) => [n.id, n.status])).toEqual([
      ['counts-before', 'pass'], ['snapshot', 'pass'], ['verify-snapshot', 'pass'], ['snapshot-fresh', 'pass'],
      ['restore', 'pass'], ['counts-equal', 'pass'], ['scratch-writable', 'pass'], ['drop-scratch', 'pass'],
    ]);
    expect(run.exitCode).toBe(0);
    expect(run.byId['counts-before']!.outputs).toEqual({ counts: { customers: 30, orders: 300 } });
    expect(run.byId['counts-equal']!.outputs).toEqual({ counts: { customers: 30, orders: 300 } });
    expect((await sql(cluster().primary.url, "SELECT count(*)::int AS n FROM pg_database WHERE datname = 'drill_scratch'")).rows[0].n).toBe(0);
    expect(JSON.stringify(run.report)).not.toContain(drillEnv(0, '', '').PGPASSWORD);
  });

  it('--dry-run runs only the read-only gates and changes nothing (there is no snapshot to verify)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rollout-drill-'));
    const run = await runRollout(['check', '-p', join(PLAYBOOKS, 'backup-drill.yaml'), '--env', 'local', '--dry-run'], drillEnv(cluster().primary.port, source.name, dir));
    expect(run.status('counts-before')).toBe('pass');
    expect(run.status('snapshot')).toBe('dry-run');
    expect(run.status('verify-snapshot')).toBe('fail');
    expect(run.status('restore')).toBe('skipped');
    expect((await sql(cluster().primary.url, "SELECT count(*)::int AS n FROM pg_database WHERE datname = 'drill_scratch'")).rows[0].n).toBe(0);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(dir)).toEqual([]);
  });
});
