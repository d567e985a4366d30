import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runProcess } from '../../../src/sdk/index.js';

export const CLI = fileURLToPath(new URL('../../../dist/bundle/rollout.js', import.meta.url));

export interface CliReport {
  verdict: string;
  exitCode: number;
  nodes: Array<{ id: string; status: string; observed?: unknown; expected?: string; message?: string; outputs?: Record<string, unknown> }>;
}

/** Runs the built CLI (`npm run build`) as a user would, with the JSON reporter on stdout. */
export async function runCheck(args: string[], env: Record<string, string> = {}): Promise<{ exitCode: number | null; report: CliReport; stderr: string }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const result = await runProcess([process.execPath, CLI, 'check', '--reporter', 'json', ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  let report: CliReport;
  try {
    report = JSON.parse(result.stdout) as CliReport;
  } catch {
    throw new Error(`no JSON report (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
  }
  return { exitCode: result.exitCode, report, stderr: result.stderr };
}

export function statusOf(report: CliReport): Record<string, string> {
  return Object.fromEntries(report.nodes.map((node) => [node.id, node.status]));
}
