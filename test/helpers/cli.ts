import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess, type ProcessResult } from '../../src/sdk/index.js';

export const CLI = fileURLToPath(new URL('../../dist/bundle/rollout.js', import.meta.url));

export interface CliRun extends ProcessResult {
  /** The JSON report, when the run used --reporter json on stdout. */
  json?: any;
}

/** Runs the built CLI as a subprocess, as a user or a CI job would. */
export async function rollout(args: string[], options: { cwd?: string; env?: Record<string, string | undefined>; signal?: AbortSignal } = {}): Promise<CliRun> {
  const result = await runProcess([process.execPath, CLI, ...args], {
    cwd: options.cwd ?? process.cwd(),
    // One lock folder per working directory, as a machine would have one: parallel test files
    // that reuse a playbook name do not lock each other out. Tests of the lock set their own.
    env: { ...process.env, NO_COLOR: '1', CI: 'true', ROLLOUT_LOCK_DIR: testLockFolder(options.cwd ?? process.cwd()), ...options.env },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let json: unknown;
  if (args.includes('json') && !args.includes('--output')) {
    try {
      json = JSON.parse(result.stdout);
    } catch {
      // Not JSON: the caller asserts on stdout/stderr.
    }
  }
  return { ...result, ...(json !== undefined ? { json } : {}) };
}

function testLockFolder(cwd: string): string {
  return join(tmpdir(), `rollout-test-locks-${createHash('sha256').update(cwd).digest('hex').slice(0, 12)}`);
}

/** A temp folder holding `rollout.yaml` (and any other files given). */
export function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollout-test-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, { mode: name.endsWith('.sh') ? 0o755 : 0o644 });
  return dir;
}

export function statuses(report: { nodes: Array<{ id: string; status: string }> }): Record<string, string> {
  return Object.fromEntries(report.nodes.map((n) => [n.id, n.status]));
}
