import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A bare repository in a temp folder, as a shared evidence remote; `spec` names its branch. */
export function bareRepository(branch = 'evidence'): { path: string; spec: string; git(...args: string[]): string } {
  const root = mkdtempSync(join(tmpdir(), 'rollout-store-remote-'));
  const path = join(root, 'evidence.git');
  execFileSync('git', ['init', '--bare', '--quiet', path]);
  return { path, spec: `git+file://${path}#${branch}`, git: (...args) => execFileSync('git', [`--git-dir=${path}`, ...args], { encoding: 'utf8' }) };
}

/** A machine's own cache folder (XDG_CACHE_HOME). */
export function cacheHome(): string {
  return mkdtempSync(join(tmpdir(), 'rollout-store-cache-'));
}

/** A clone with a work tree, for tampering with the branch as another user could. */
export function workClone(remote: string, branch: string): { dir: string; git(...args: string[]): string } {
  const dir = mkdtempSync(join(tmpdir(), 'rollout-store-clone-'));
  // filter-branch otherwise waits 10 s to warn about itself.
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=mallory', '-c', 'user.email=m@example.com', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FILTER_BRANCH_SQUELCH_WARNING: '1' } });
  execFileSync('git', ['clone', '--quiet', '--branch', branch, remote, dir]);
  return { dir, git };
}
