import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fileCheck from '../../../checks/file/index.js';
import { createCheckContext, type TestContextOptions } from '../../helpers/check-context.js';

// A fixed "now" so ages are exact: every file's mtime is set relative to it.
const NOW = new Date('2026-11-20T12:00:00Z');
const HOUR_MS = 3_600_000;

let dir: string;

async function place(relative: string, content: string, hoursAgo: number): Promise<void> {
  const path = join(dir, relative);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  const mtime = new Date(NOW.getTime() - hoursAgo * HOUR_MS);
  await utimes(path, mtime, mtime);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rollout-file-'));
  await place('backups/db-2026-11-18.dump', 'x'.repeat(100), 50);
  await place('backups/db-2026-11-19.dump', 'x'.repeat(2048), 26);
  await place('backups/db-2026-11-20.dump', 'x'.repeat(4096), 3);
  await place('backups/notes.txt', 'not a dump', 1);
  await place('config/nginx.conf', 'server {\n  listen 443 ssl;\n  ssl_certificate /etc/tls/cert.pem;\n}\n', 10);
  await place('migrations/2026/V1__init.sql', 'create table t();', 48);
  await place('migrations/2026/11/V2__add.sql', 'alter table t add c int;', 5);
  await place('migrations/.drafts/V3__wip.sql', 'drop table t;', 0.5);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function look(withParams: Record<string, unknown>, options: TestContextOptions = {}) {
  const ctx = createCheckContext({ cwd: dir, at: NOW, ...options });
  try {
    return await fileCheck.run(fileCheck.params.parse(withParams), ctx);
  } finally {
    await ctx.close();
  }
}

describe('file: exists', () => {
  it('observes true for an existing path and false for a missing one, with == true by default', async () => {
    expect(await look({ path: 'config/nginx.conf' })).toMatchObject({ observed: true, outputs: { path: join(dir, 'config/nginx.conf'), matches: 1 } });
    expect(await look({ path: 'config/missing.conf' })).toMatchObject({ observed: false, outputs: { path: null, matches: 0 } });
    expect(typeof fileCheck.defaultExpect === 'function' && fileCheck.defaultExpect(undefined)).toBe('== true');
  });

  it('resolves absolute paths as given and relative ones from the playbook directory', async () => {
    expect(await look({ path: join(dir, 'config/nginx.conf') }, { cwd: '/' })).toMatchObject({ observed: true });
    expect(await look({ path: 'config/nginx.conf' }, { cwd: '/' })).toMatchObject({ observed: false });
  });
});

describe('file: globs', () => {
  it('matches * within a directory and reports the newest match', async () => {
    const result = await look({ path: 'backups/*.dump' }, { observe: 'age' });
    expect(result).toMatchObject({ observed: 3 * 3600, unit: 'seconds', outputs: { path: join(dir, 'backups/db-2026-11-20.dump'), matches: 3 } });
  });

  it('matches ? as one character', async () => {
    expect(await look({ path: 'backups/db-2026-11-1?.dump' })).toMatchObject({ outputs: { matches: 2, path: join(dir, 'backups/db-2026-11-19.dump') } });
  });

  it('matches ** across any depth, skipping dot-directories', async () => {
    const result = await look({ path: 'migrations/**/V*.sql' }, { observe: 'age' });
    expect(result).toMatchObject({ observed: 5 * 3600, outputs: { matches: 2, path: join(dir, 'migrations/2026/11/V2__add.sql') } });
  });

  it('observes false when nothing matches', async () => {
    expect(await look({ path: 'backups/*.tar.gz' })).toMatchObject({ observed: false });
  });
});

describe('file: age', () => {
  it('is in seconds so `expect: "< 26h"` compares against the newest match', async () => {
    expect(await look({ path: 'backups/db-2026-11-19.dump' }, { observe: 'age' })).toMatchObject({ observed: 26 * 3600, unit: 'seconds' });
  });

  it('ignores files modified after --at: two days earlier the newest dump was the 18th', async () => {
    const at = new Date(NOW.getTime() - 48 * HOUR_MS);
    const result = await look({ path: 'backups/*.dump' }, { observe: 'age', at });
    expect(result).toMatchObject({ observed: 2 * 3600, outputs: { matches: 1, path: join(dir, 'backups/db-2026-11-18.dump') } });
  });

  it('observes no data when nothing matches, or nothing had been written by --at', async () => {
    expect(await look({ path: 'backups/*.tar.gz' }, { observe: 'age' })).toMatchObject({ observed: null });
    const beforeAll = new Date(NOW.getTime() - 100 * HOUR_MS);
    expect(await look({ path: 'backups/*.dump' }, { observe: 'age', at: beforeAll })).toMatchObject({ observed: null });
  });

  it('leaves exists, contains and size to the present state under --at', async () => {
    const beforeAll = new Date(NOW.getTime() - 100 * HOUR_MS);
    expect(await look({ path: 'backups/*.dump' }, { at: beforeAll })).toMatchObject({ observed: true, outputs: { matches: 3 } });
    expect(await look({ path: 'backups/*.dump' }, { observe: 'size', at: beforeAll })).toMatchObject({ observed: 4096 });
  });
});

describe('file: contains', () => {
  it('observes whether the newest match contains the pattern', async () => {
    expect(await look({ path: 'config/nginx.conf', pattern: '^\\s*ssl_certificate\\s', flags: 'm' }, { observe: 'contains' })).toMatchObject({
      observed: true,
      details: { notes: expect.arrayContaining([expect.stringContaining('line 3:')]) },
    });
    expect(await look({ path: 'config/nginx.conf', pattern: 'listen 80\\b' }, { observe: 'contains' })).toMatchObject({ observed: false });
    expect(await look({ path: 'config/nginx.conf', pattern: 'LISTEN 443', flags: 'i' }, { observe: 'contains' })).toMatchObject({ observed: true });
  });

  it('is an error without a pattern, and no data when nothing matches', async () => {
    expect(await look({ path: 'config/nginx.conf' }, { observe: 'contains' })).toMatchObject({ error: expect.stringContaining('pattern') });
    expect(await look({ path: 'config/none.conf', pattern: 'x' }, { observe: 'contains' })).toMatchObject({ observed: null });
  });

  it('rejects an invalid regular expression when the playbook is validated', () => {
    expect(fileCheck.params.safeParse({ path: 'a', pattern: '(unclosed' }).success).toBe(false);
  });
});

describe('file: size', () => {
  it('observes the bytes of the newest match', async () => {
    expect(await look({ path: 'backups/*.dump' }, { observe: 'size' })).toMatchObject({ observed: 4096, unit: 'bytes' });
  });
});

describe('file: directories and globstar', () => {
  it('logs/** matches the files under logs, and size looks at the newest file, never a directory', async () => {
    await place('logs/old.log', 'x'.repeat(10), 5);
    await place('logs/2026/app.log', 'x'.repeat(20), 2);
    // The newest entry is a directory: it must not stand in for a file.
    await mkdir(join(dir, 'logs/archive'));
    const result = await look({ path: 'logs/**' }, { observe: 'size' });
    expect(result).toMatchObject({ observed: 20, outputs: { path: join(dir, 'logs/2026/app.log') } });
  });

  it('a directory alone gives no size and no age (no data, never 4096 bytes)', async () => {
    expect(await look({ path: 'migrations' }, { observe: 'size' })).toMatchObject({ observed: null });
    expect(await look({ path: 'migrations/*' }, { observe: 'age' })).toMatchObject({ observed: null });
    expect(await look({ path: 'migrations' })).toMatchObject({ observed: true });
  });

  it('? matches one character, also outside ASCII', async () => {
    await place('unicode/r-é.txt', 'e', 1);
    await place('unicode/r-😀.txt', 'smile', 1);
    expect(await look({ path: 'unicode/r-?.txt' })).toMatchObject({ outputs: { matches: 2 } });
  });
});
