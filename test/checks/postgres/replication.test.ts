import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import archiving from '../../../checks/postgres/archiving.js';
import replication from '../../../checks/postgres/replication.js';
import writeProbe from '../../../checks/postgres/write-probe.js';
import { cluster, createDatabase, runKind, sql, withExclusive } from '../../helpers/postgres/index.js';

let primaryUrl: string;
let standbyUrl: string;

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  const db = await createDatabase('repl');
  primaryUrl = db.url;
  standbyUrl = db.urlOn(cluster().standby);
  await sql(primaryUrl, 'CREATE TABLE events (id serial PRIMARY KEY, body text)');
  // The standby must have replayed the new database before we connect to it there.
  await until(() => sql(cluster().standby.url, 'SELECT count(*)::int AS n FROM pg_database WHERE datname = $1', [db.name]).then((r) => r.rows[0].n), (n) => n === 1);
});

afterAll(async () => {
  await sql(cluster().standby.url, 'SELECT pg_wal_replay_resume()').catch(() => {});
});

describe('postgres.replication on the primary', () => {
  it('counts streaming standbys and shows each one streaming', async () => {
    expect(await runKind(replication, {}, { url: primaryUrl, observe: 'standbys' })).toMatchObject({ observed: 1, outputs: { standbys: ['standby1'] } });
    expect((await runKind(replication, {}, { url: primaryUrl, observe: 'state' })).observed).toEqual([{ name: 'standby1', value: 'streaming' }]);
  });

  it('a named standby that is not connected fails the node', async () => {
    const result = await runKind(replication, { standbys: ['standby1', 'standby2'] }, { url: primaryUrl, observe: 'state' });
    expect(result).toMatchObject({ status: 'fail', reasons: ['standby standby2 is not connected (connected: standby1)'] });
  });

  it('slotsInactive counts slots nobody uses', async () => {
    expect((await runKind(replication, {}, { url: primaryUrl, observe: 'slotsInactive' })).observed).toBe(0);
    await sql(cluster().primary.url, "SELECT pg_create_physical_replication_slot('orphan', true)");
    try {
      const result = await runKind(replication, {}, { url: primaryUrl, observe: 'slotsInactive' });
      expect(result).toMatchObject({ observed: 1, outputs: { inactive: ['orphan'] } });
      expect(result.details.notes[0]).toMatch(/^slot orphan is inactive, retaining \d+ bytes of WAL$/);
    } finally {
      await sql(cluster().primary.url, "SELECT pg_drop_replication_slot('orphan')");
    }
  });
});

describe('replication lag made real by pausing replay on the standby', () => {
  it('caught up: lag is 0 seconds and 0 bytes on both sides', async () => {
    const lagBytes = await until(() => runKind(replication, {}, { url: primaryUrl, observe: 'lagBytes' }), (r) => r.observed?.[0]?.value === 0);
    expect(lagBytes).toMatchObject({ observed: [{ name: 'standby1', value: 0 }], unit: 'bytes' });
    const standby = await runKind(replication, {}, { url: standbyUrl });
    expect(standby).toMatchObject({ observed: 0, unit: 'seconds' });
    expect((await runKind(replication, {}, { url: standbyUrl, observe: 'state' })).observed).toEqual([{ name: 'wal receiver', value: 'streaming' }]);
  });

  it('paused replay while the primary writes: lag grows in bytes and seconds, then recovers', () => withExclusive('standby', async () => {
    await sql(cluster().standby.url, 'SELECT pg_wal_replay_pause()');
    await sql(primaryUrl, "INSERT INTO events (body) SELECT repeat('x', 100) FROM generate_series(1, 1000)");
    await new Promise((r) => setTimeout(r, 1200));
    await sql(primaryUrl, "INSERT INTO events (body) VALUES ('after the pause')");

    const bytes = await until(() => runKind(replication, {}, { url: primaryUrl, observe: 'lagBytes' }), (r) => r.observed?.[0]?.value > 100_000);
    expect(bytes.observed[0].value).toBeGreaterThan(100_000);
    const seconds = await until(() => runKind(replication, {}, { url: primaryUrl }), (r) => r.observed?.[0]?.value > 1);
    expect(seconds).toMatchObject({ unit: 'seconds', observed: [{ name: 'standby1', value: expect.any(Number) }] });
    expect(seconds.observed[0].value).toBeGreaterThan(1);

    const onStandby = await runKind(replication, {}, { url: standbyUrl });
    expect(onStandby.observed).toBeGreaterThan(1);
    expect(onStandby.details.notes[0]).toMatch(/replay is PAUSED/);
    expect((await runKind(replication, {}, { url: standbyUrl, observe: 'lagBytes' })).observed).toBeGreaterThan(100_000);

    await sql(cluster().standby.url, 'SELECT pg_wal_replay_resume()');
    const recovered = await until(() => runKind(replication, {}, { url: standbyUrl, observe: 'lagBytes' }), (r) => r.observed === 0);
    expect(recovered.observed).toBe(0);
    expect((await runKind(replication, {}, { url: standbyUrl })).observed).toBe(0);
  }));
});

describe('postgres.write-probe on a hot standby', () => {
  it('fails: the standby refuses writes', async () => {
    const result = await runKind(writeProbe, {}, { url: standbyUrl });
    expect(result).toMatchObject({ status: 'fail', reasons: [expect.stringMatching(/^the write was refused: cannot execute CREATE TABLE in a read-only transaction/)] });
  });
});

describe('postgres.archiving', () => {
  it('passes on the primary once a WAL segment was archived', async () => {
    await sql(primaryUrl, "INSERT INTO events (body) VALUES ('archive me')");
    await sql(cluster().primary.url, 'SELECT pg_switch_wal()');
    const result = await until(() => runKind(archiving, { maxAge: '10m' }, { url: primaryUrl }), (r) => r.status === 'pass');
    expect(result).toMatchObject({ status: 'pass', outputs: { lastArchivedWal: expect.stringMatching(/^[0-9A-F]{24}/) } });
  });

  it('fails when the last success is older than maxAge (as of --at)', async () => {
    const at = new Date(Date.now() + 2 * 3600_000);
    const result = await runKind(archiving, { maxAge: '1h' }, { url: primaryUrl, at });
    expect(result.status).toBe('fail');
    // The last archived file is a WAL segment, or a backup history file when a base backup
    // (another test's standby) finished last.
    expect(result.reasons[0]).toMatch(/archived 2h ago \([0-9A-F]{24}(\.[0-9A-F]{8}\.backup)?\), more than maxAge 1h$/);
  });

  it('fails when archive_mode is off (the standby runs with it off)', async () => {
    const result = await runKind(archiving, {}, { url: standbyUrl });
    expect(result.status).toBe('fail');
    expect(result.reasons).toContain('archive_mode is off (set archive_mode = on and restart)');
  });
});
