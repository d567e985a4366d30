import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rollout, workspace } from '../helpers/cli.js';
import { RECORD_SCRIPT, readRecord } from '../helpers/record.js';
import { lockPath } from '../../src/lock/location.js';

const PLAYBOOK = `version: 1
name: locked
environments: { production: {} }
stages:
  - id: release
    steps:
      - { id: deploy, uses: exec, with: { command: [./rec.sh, sleep, "\${env:DEPLOY_SECONDS}", deploy] } }
`;

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Where this machine keeps the lock of (locked, production), the folder made as rollout makes it. */
function lockFileOf(locks: string): string {
  const where = lockPath('locked', 'production', { ROLLOUT_LOCK_DIR: locks });
  if (!where.ok) throw new Error(where.message);
  return where.path;
}

describe('the lock per (playbook, env)', () => {
  it('refuses a second mutating run while the first holds it (exit 2, naming the holder), and is released after', async () => {
    const dir = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': PLAYBOOK });
    const locks = join(dir, 'locks');
    const first = rollout(['promote', '--env', 'production', '--yes'], { cwd: dir, env: { DEPLOY_SECONDS: '2', ROLLOUT_LOCK_DIR: locks } });
    await waitFor(() => existsSync(locks) && readdirSync(locks).some((f) => f.endsWith('.lock')));

    const second = await rollout(['promote', '--env', 'production', '--yes'], { cwd: dir, env: { DEPLOY_SECONDS: '0', ROLLOUT_LOCK_DIR: locks } });
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`refused: locked by .+@${hostname()} \\(pid \\d+, CI \\(provider unknown\\)\\) running "rollout promote --env production --yes" since \\d{4}-`));
    const rollback = await rollout(['rollback', '--env', 'production', '--yes'], { cwd: dir, env: { DEPLOY_SECONDS: '0', ROLLOUT_LOCK_DIR: locks } });
    expect(rollback.exitCode).toBe(2);
    // A dry run changes nothing and needs no lock.
    const dry = await rollout(['promote', '--env', 'production', '--dry-run'], { cwd: dir, env: { DEPLOY_SECONDS: '0', ROLLOUT_LOCK_DIR: locks } });
    expect(dry.exitCode).toBe(0);

    expect((await first).exitCode).toBe(0);
    expect(readRecord(dir)).toEqual(['deploy']);
    expect(readdirSync(locks)).toEqual([]);
    expect((await rollout(['promote', '--env', 'production', '--yes'], { cwd: dir, env: { DEPLOY_SECONDS: '0', ROLLOUT_LOCK_DIR: locks } })).exitCode).toBe(0);
    expect(readdirSync(join(dir, 'evidence', 'production')).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('takes over a lock left by a process that no longer exists on this host', async () => {
    const dir = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': PLAYBOOK });
    const locks = join(dir, 'locks');
    // A pid far above pid_max's default: no such process.
    writeFileSync(lockFileOf(locks), JSON.stringify({ user: 'ghost', host: hostname(), pid: 4_194_000, ci: 'none', commandLine: 'rollout promote', startedAt: '2026-01-01T00:00:00Z' }));
    const run = await rollout(['promote', '--env', 'production', '--yes'], { cwd: dir, env: { DEPLOY_SECONDS: '0', ROLLOUT_LOCK_DIR: locks } });
    expect(run.exitCode, run.stderr).toBe(0);
  });

  it('never takes over a lock held from another host', async () => {
    const dir = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': PLAYBOOK });
    const locks = join(dir, 'locks');
    writeFileSync(lockFileOf(locks), JSON.stringify({ user: 'dana', host: 'ci-runner-7', pid: 4_194_000, ci: 'GitHub Actions acme/payments run 99 by dana', commandLine: 'rollout promote --env production --yes', startedAt: '2026-01-01T00:00:00Z' }));
    const run = await rollout(['promote', '--env', 'production', '--yes'], { cwd: dir, env: { DEPLOY_SECONDS: '0', ROLLOUT_LOCK_DIR: locks } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('locked by dana@ci-runner-7 (pid 4194000, GitHub Actions acme/payments run 99 by dana)');
    expect(readRecord(dir)).toEqual([]);
  });

  it('is one per machine: the same playbook run from two working directories is refused the second time', async () => {
    const one = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': PLAYBOOK });
    const two = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': PLAYBOOK });
    const locks = join(one, 'machine-locks');
    const first = rollout(['promote', '--env', 'production', '--yes'], { cwd: one, env: { DEPLOY_SECONDS: '2', ROLLOUT_LOCK_DIR: locks } });
    await waitFor(() => readRecord(one).length > 0 || (existsSync(locks) && readdirSync(locks).some((f) => f.endsWith('.lock'))));
    const second = await rollout(['promote', '--env', 'production', '--yes'], { cwd: two, env: { DEPLOY_SECONDS: '0', ROLLOUT_LOCK_DIR: locks } });
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toContain('refused: locked by');
    expect(second.stderr).toContain(lockFileOf(locks));
    expect(readRecord(two)).toEqual([]);
    expect((await first).exitCode).toBe(0);
  });
});
