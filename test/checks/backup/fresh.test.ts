import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import fresh from '../../../checks/backup/fresh.js';
import { runKind } from '../../helpers/postgres/index.js';

let dir: string;
const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);

async function artifact(path: string, content: string, at: Date, checksum?: string): Promise<void> {
  await writeFile(path, content);
  await utimes(path, at, at);
  if (checksum !== undefined) await writeFile(`${path}.sha256`, checksum);
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rollout-fresh-'));
  await mkdir(join(dir, '2024-05-01'));
  await mkdir(join(dir, '2024-05-02'));
  await artifact(join(dir, '2024-05-01', 'db.dump'), 'old backup', hoursAgo(30), `${sha('old backup')}  db.dump\n`);
  await artifact(join(dir, '2024-05-02', 'db.dump'), 'new backup!', hoursAgo(2), `${sha('new backup!')}  db.dump\n`);
  await artifact(join(dir, 'tiny.dump'), 'x', hoursAgo(1));
  await artifact(join(dir, 'bad.dump'), 'content', hoursAgo(1), sha('other content'));
});

describe('backup.fresh', () => {
  it('picks the newest match across wildcard folders and verifies its checksum', async () => {
    const result = await runKind(fresh, { path: join(dir, '2024-*', '*.dump'), maxAge: '3h', minSize: 5 });
    expect(result).toMatchObject({ status: 'pass', outputs: { path: join(dir, '2024-05-02', 'db.dump'), sizeBytes: 11, sha256: sha('new backup!') } });
  });

  it('too old fails, also as of --at', async () => {
    expect((await runKind(fresh, { path: join(dir, '2024-*', '*.dump'), maxAge: '1h' })).reasons[0]).toMatch(/db\.dump is 2h old, more than maxAge 1h$/);
    const result = await runKind(fresh, { path: join(dir, '2024-*', '*.dump'), maxAge: '3h' }, { at: new Date(Date.now() + 2 * 3600_000) });
    expect(result.status).toBe('fail');
  });

  it('too small fails (sizes in KB/MB/GiB)', async () => {
    const result = await runKind(fresh, { path: join(dir, 'tiny.dump'), maxAge: '3h', minSize: '1KB' });
    expect(result).toMatchObject({ status: 'fail', reasons: [`newest backup ${join(dir, 'tiny.dump')} is 1 bytes, less than minSize 1024`] });
    expect(fresh.params.safeParse({ path: 'x', maxAge: '1h', minSize: '2GiB' }).data?.minSize).toBe(2 * 1024 ** 3);
    expect(fresh.params.safeParse({ path: 'x', maxAge: '1h', minSize: 'lots' }).success).toBe(false);
  });

  it('checksum mismatch fails; checksum: required fails without a .sha256', async () => {
    expect((await runKind(fresh, { path: join(dir, 'bad.dump'), maxAge: '3h' })).reasons[0]).toMatch(/^checksum mismatch/);
    expect(await runKind(fresh, { path: join(dir, 'bad.dump'), maxAge: '3h', checksum: 'skip' })).toMatchObject({ status: 'pass' });
    expect(await runKind(fresh, { path: join(dir, 'tiny.dump'), maxAge: '3h' })).toMatchObject({ status: 'pass' });
    expect((await runKind(fresh, { path: join(dir, 'tiny.dump'), maxAge: '3h', checksum: 'required' })).reasons).toEqual([`no checksum file ${join(dir, 'tiny.dump')}.sha256`]);
  });

  it('nothing matching fails; a relative path resolves from the playbook folder', async () => {
    expect(await runKind(fresh, { path: join(dir, 'missing', '*.dump'), maxAge: '1h' })).toMatchObject({ status: 'fail', reasons: [`no backup matches ${join(dir, 'missing', '*.dump')}`] });
    expect(await runKind(fresh, { path: '2024-05-0[12]/db.dump', maxAge: '3h' }, { cwd: dir })).toMatchObject({ status: 'pass' });
  });
});

describe('backup.fresh globs', () => {
  it('** reaches any depth and a directory named like an artifact is never the newest backup', async () => {
    const root = await mkdtemp(join(tmpdir(), 'rollout-fresh-deep-'));
    await mkdir(join(root, 'a/b'), { recursive: true });
    await artifact(join(root, 'a/b/db.dump'), 'deep backup', hoursAgo(1));
    await mkdir(join(root, 'newer.dump'));
    const result = await runKind(fresh, { path: join(root, '**', '*.dump'), maxAge: '3h', minSize: 5 });
    expect(result).toMatchObject({ status: 'pass', outputs: { path: join(root, 'a/b/db.dump'), sizeBytes: 11 } });
  });
});
