import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from '../../../src/sdk/index.js';

const CLI = fileURLToPath(new URL('../../../dist/bundle/rollout.js', import.meta.url));
export const PLAYBOOKS = fileURLToPath(new URL('../../../playbooks/', import.meta.url));

export interface CliNode {
  id: string;
  status: string;
  observed?: unknown;
  expected?: string;
  message?: string;
  outputs?: Record<string, unknown>;
}

/** Runs the built CLI (`npm run build`) as a CI job would: JSON report on stdout, evidence in a temp dir. */
export async function runRollout(command: string[], env: Record<string, string>) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const evidenceDir = await mkdtemp(join(tmpdir(), 'rollout-evidence-'));
  const result = await runProcess([process.execPath, CLI, ...command, '--reporter', 'json', '--evidence-dir', evidenceDir], {
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  let report: { verdict: string; exitCode: number; evidence?: string; nodes: CliNode[] };
  try {
    report = JSON.parse(result.stdout);
  } catch {
    throw new Error(`no JSON report (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
  }
  const byId = Object.fromEntries(report.nodes.map((n) => [n.id, n]));
  return { exitCode: result.exitCode, stderr: result.stderr, report, byId, status: (id: string) => byId[id]?.status };
}
