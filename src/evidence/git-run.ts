import { spawnSync } from 'node:child_process';
import { hideSecretsInUrl } from '../playbook/evidence-store-spec.js';

export type GitResult = { ok: true; stdout: Buffer } | { ok: false; message: string; stderr: string };

const NETWORK_TIMEOUT_MS = 120_000;

/**
 * Runs the system `git` against a repository folder: the user's own config, credential
 * helpers and ssh agent apply (the environment is passed through); never a prompt (a CI job
 * has nobody to answer it); English messages, so that failures can be told apart.
 */
export function runGit(gitDir: string, args: string[], options: { input?: string | Buffer; env?: Record<string, string> } = {}): GitResult {
  const run = spawnSync('git', [`--git-dir=${gitDir}`, ...args], {
    input: options.input ?? '',
    env: { ...process.env, LC_ALL: 'C', LANGUAGE: 'C', GIT_TERMINAL_PROMPT: '0', ...options.env },
    maxBuffer: 1 << 30,
    timeout: NETWORK_TIMEOUT_MS,
  });
  if (run.error) return { ok: false, message: `git ${args[0]}: ${run.error.message}`, stderr: '' };
  const stderr = run.stderr?.toString('utf8') ?? '';
  if (run.status !== 0) return { ok: false, message: `git ${args[0]} failed: ${lastLines(stderr) || `exit ${run.status ?? run.signal}`}`, stderr };
  return { ok: true, stdout: run.stdout };
}

export { hideSecretsInUrl };

function lastLines(text: string): string {
  return hideSecretsInUrl(text.trim().split('\n').filter((l) => l.trim() && !l.startsWith('hint:')).slice(-3).join('; '));
}

const pause = new Int32Array(new SharedArrayBuffer(4));
export function sleepMs(ms: number): void {
  Atomics.wait(pause, 0, 0, ms);
}
