import { cp, mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, statusOf } from '../../helpers/http/run-cli.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HOUR_MS = 3_600_000;

// A copy of the playbook and its fixtures, so the dump's age is set by the test, not by git.
let dir: string;
let dump: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rollout-file-cli-'));
  await cp(join(ROOT, 'playbooks/file.yaml'), join(dir, 'playbooks/file.yaml'));
  await cp(join(ROOT, 'fixtures/file'), join(dir, 'fixtures/file'), { recursive: true });
  dump = join(dir, 'fixtures/file/backups/payments-2026-11-22.dump');
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function ageDump(hours: number): Promise<void> {
  const mtime = new Date(Date.now() - hours * HOUR_MS);
  await utimes(dump, mtime, mtime);
}

const run = (...extra: string[]) => runCheck(['-p', join(dir, 'playbooks/file.yaml'), '--env', 'local', '--evidence-dir', join(dir, 'evidence'), ...extra]);

describe('playbooks/file.yaml through the built CLI', () => {
  it('passes with a fresh backup', async () => {
    await ageDump(2);
    const { exitCode, report } = await run();
    expect(statusOf(report)).toEqual({
      'runbook-present': 'pass',
      'tls-configured': 'pass',
      'no-debug-in-production': 'pass',
      'backup-fresh': 'pass',
      'backup-not-empty': 'pass',
    });
    expect(exitCode).toBe(0);
  });

  it('fails when the newest dump is 30 hours old, skipping the gate that needs it', async () => {
    await ageDump(30);
    const { exitCode, report } = await run();
    expect(statusOf(report)).toMatchObject({ 'backup-fresh': 'fail', 'backup-not-empty': 'skipped' });
    expect(exitCode).toBe(1);
  });

  it('is an error (exit 3) with --at before any dump existed: no data is never fresh', async () => {
    await ageDump(2);
    const at = new Date(Date.now() - 10 * HOUR_MS).toISOString();
    const { exitCode, report } = await run('--at', at);
    expect(statusOf(report)).toMatchObject({ 'backup-fresh': 'error' });
    expect(exitCode).toBe(3);
  });
});
