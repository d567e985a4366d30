import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { acquireFileLock, createExclusive } from '../../src/lock/file-lock.js';
import { lockFolder, lockPath } from '../../src/lock/location.js';

const MODULE = fileURLToPath(new URL('../../dist/src/lock/file-lock.js', import.meta.url));

// Each contender says it is ready, waits for the go file, tries once, and — if it won — holds
// the lock until every contender has answered (so no late one finds a dead winner's lock).
const CONTENDER = `
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
const { acquireFileLock } = await import(process.env.LOCK_MODULE);
writeFileSync(process.env.GO + '.ready.' + process.pid, '');
while (!existsSync(process.env.GO)) await new Promise((r) => setTimeout(r, 2));
const held = acquireFileLock(process.env.LOCK_FILE, { user: 'racer', host: hostname(), pid: process.pid, ci: 'none', commandLine: 'race', startedAt: new Date().toISOString() });
process.stdout.write(held.ok ? 'won' : 'lost');
if (held.ok) while (!existsSync(process.env.GO + '.done')) await new Promise((r) => setTimeout(r, 10));
`;

function stale(file: string): void {
  // A pid far above pid_max's default: no such process.
  writeFileSync(file, JSON.stringify({ user: 'ghost', host: hostname(), pid: 4_194_000, ci: 'none', commandLine: 'rollout rollback', startedAt: '2026-01-01T00:00:00Z' }));
}

async function waitUntil(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function race(dir: string, round: number, contenders: number): Promise<string[]> {
  const file = join(dir, 'api--production.lock');
  const signals = join(dir, 'signals');
  mkdirSync(signals, { recursive: true });
  const go = join(signals, `go-${round}`);
  stale(file);
  const script = join(dir, 'contender.mjs');
  writeFileSync(script, CONTENDER);
  const answers: string[] = [];
  const exits = Array.from({ length: contenders }, () => {
    const child = spawn(process.execPath, [script], { env: { ...process.env, LOCK_MODULE: MODULE, LOCK_FILE: file, GO: go }, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk: Buffer) => answers.push(chunk.toString()));
    return new Promise<void>((resolve) => child.on('close', () => resolve()));
  });
  await waitUntil(() => readdirSync(signals).filter((f) => f.startsWith(`go-${round}.ready.`)).length === contenders);
  writeFileSync(go, '');
  await waitUntil(() => answers.length === contenders);
  writeFileSync(`${go}.done`, '');
  await Promise.all(exits);
  return answers;
}

describe('the file lock', () => {
  it('is taken over by exactly one of many runs that find the same stale lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-lock-race-'));
    for (let round = 0; round < 3; round++) {
      const results = await race(dir, round, 24);
      expect(results.filter((r) => r === 'won'), `round ${round}: ${results.join(',')}`).toHaveLength(1);
      expect(results.filter((r) => r === 'lost')).toHaveLength(23);
    }
    // No claim or temp file is left behind.
    expect(readdirSync(dir).filter((f) => f.includes('.tmp') || f.includes('takeover'))).toEqual([]);
  });

  it('never writes through a planted symlink', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-lock-link-'));
    writeFileSync(join(dir, 'victim'), 'keep me');
    symlinkSync(join(dir, 'victim'), join(dir, 'planted'));
    expect(() => createExclusive(join(dir, 'planted'), 'overwritten')).toThrow();
    // The lock file itself as a symlink: taken as held (cannot be read as a holder), never written through.
    symlinkSync(join(dir, 'victim'), join(dir, 'x.lock'));
    const held = acquireFileLock(join(dir, 'x.lock'), { user: 'u', host: hostname(), pid: process.pid, ci: 'none', commandLine: 'c', startedAt: 'now' });
    expect(held.ok).toBe(false);
    expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('keep me');
    expect(lstatSync(join(dir, 'x.lock')).isSymbolicLink()).toBe(true);
  });

  it('lives in one folder per machine, keyed by playbook name and env', () => {
    const runtime = mkdtempSync(join(tmpdir(), 'rollout-xdg-'));
    expect(lockFolder({ XDG_RUNTIME_DIR: runtime })).toBe(join(runtime, 'rollout', 'locks'));
    expect(lockFolder({ ROLLOUT_LOCK_DIR: '/x', XDG_RUNTIME_DIR: runtime })).toBe('/x');
    expect(lockFolder({})).toBe(join(tmpdir(), `rollout-locks-${process.getuid!()}`));
    const a = lockPath('api', 'production', { XDG_RUNTIME_DIR: runtime });
    const b = lockPath('api-rollback-drill', 'production', { XDG_RUNTIME_DIR: runtime });
    const c = lockPath('api', 'staging', { XDG_RUNTIME_DIR: runtime });
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (!a.ok || !b.ok || !c.ok) return;
    expect(new Set([a.path, b.path, c.path]).size).toBe(3);
    expect(a.path.startsWith(join(runtime, 'rollout', 'locks'))).toBe(true);
    expect(lstatSync(join(runtime, 'rollout', 'locks')).mode & 0o777).toBe(0o700);
    // A folder replaced by a symlink (someone else's, in a shared temp folder) is refused.
    const other = mkdtempSync(join(tmpdir(), 'rollout-elsewhere-'));
    mkdirSync(join(runtime, 'planted'));
    symlinkSync(other, join(runtime, 'planted', 'locks'));
    const planted = lockPath('api', 'production', { ROLLOUT_LOCK_DIR: join(runtime, 'planted', 'locks') });
    expect(planted.ok).toBe(false);
    expect(existsSync(join(other, 'api--production.lock'))).toBe(false);
  });
});
