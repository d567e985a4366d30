import { beforeAll, describe, expect, it } from 'vitest';
import extension from '../../../checks/postgres/extension.js';
import setting from '../../../checks/postgres/setting.js';
import version from '../../../checks/postgres/version.js';
import { cluster, createDatabase, runKind, sql } from '../../helpers/postgres/index.js';

let url: string;

beforeAll(async () => {
  ({ url } = await createDatabase('settings'));
  // Per-database settings: real values this session sees, without touching the shared server.
  const db = new URL(url).pathname.slice(1);
  await sql(url, `ALTER DATABASE ${db} SET log_min_duration_statement = '1s'`);
  await sql(url, `ALTER DATABASE ${db} SET work_mem = '64MB'`);
  await sql(url, 'CREATE EXTENSION hstore');
});

describe('postgres.setting', () => {
  it('memory settings are bytes (PostgreSQL MB = 2^20), so ">= 4GB" style expectations work', async () => {
    expect(await runKind(setting, { name: 'shared_buffers' }, { url })).toMatchObject({ observed: 128 * 1024 ** 2, unit: 'bytes', outputs: { display: '128MB' } });
    expect(await runKind(setting, { name: 'work_mem' }, { url })).toMatchObject({ observed: 64 * 1024 ** 2, unit: 'bytes' });
  });

  it('time settings are seconds: log_min_duration_statement = 1s observes 1 (== 1000ms)', async () => {
    expect(await runKind(setting, { name: 'log_min_duration_statement' }, { url })).toMatchObject({ observed: 1, unit: 'seconds', outputs: { display: '1s', source: 'database' } });
    expect(await runKind(setting, { name: 'checkpoint_timeout' }, { url })).toMatchObject({ observed: 300, unit: 'seconds' });
  });

  it('-1 (disabled) stays -1 rather than -0.001 s', async () => {
    const other = cluster().primary.url;
    expect(await runKind(setting, { name: 'log_min_duration_statement' }, { url: other })).toMatchObject({ observed: -1 });
  });

  it('booleans are on/off strings, enums and plain numbers as they are', async () => {
    expect((await runKind(setting, { name: 'fsync' }, { url })).observed).toBe('off');
    expect((await runKind(setting, { name: 'archive_mode' }, { url })).observed).toBe('on');
    expect((await runKind(setting, { name: 'wal_level' }, { url })).observed).toBe('replica');
    expect((await runKind(setting, { name: 'max_connections' }, { url })).observed).toBe(100);
  });

  it('an unknown setting is an error, not a pass or a fail', async () => {
    expect((await runKind(setting, { name: 'no_such_setting' }, { url })).error).toMatch(/unknown setting "no_such_setting"/);
  });
});

describe('postgres.version', () => {
  it('observes the version without the distribution suffix', async () => {
    const result = await runKind(version, {}, { url });
    expect(result.observed).toMatch(/^15\.\d+$/);
    expect(result.outputs.versionNum).toBeGreaterThanOrEqual(150000);
    expect(result.outputs.full).toMatch(/^PostgreSQL 15/);
  });
});

describe('postgres.extension', () => {
  it('observes the installed version', async () => {
    expect(await runKind(extension, { name: 'hstore' }, { url })).toMatchObject({ observed: expect.stringMatching(/^1\.\d+$/), outputs: { schema: 'public' } });
  });

  it('not installed fails, saying it could be installed', async () => {
    const result = await runKind(extension, { name: 'pg_trgm' }, { url });
    expect(result).toMatchObject({ status: 'fail' });
    expect(result.reasons[0]).toMatch(/pg_trgm is not installed in database settings_\w+ \(version [\d.]+ is available: CREATE EXTENSION pg_trgm\)/);
  });

  it('an extension whose package is missing fails, saying so', async () => {
    const result = await runKind(extension, { name: 'vector' }, { url });
    expect(result.reasons[0]).toMatch(/vector is not installed .* not available on the server \(its package is missing\)/);
  });

  it('preload: true fails when the library is not in shared_preload_libraries', async () => {
    await sql(url, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const result = await runKind(extension, { name: 'pg_stat_statements', preload: true }, { url });
    expect(result.status).toBe('fail');
    expect(result.reasons[0]).toMatch(/not in shared_preload_libraries/);
  });
});
