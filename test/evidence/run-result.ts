import type { RunResult } from '../../src/run/types.js';

/** A finished run of (playbook, env) as the evidence writer receives it. */
export function runResult(playbook: string, startedAt: string, overrides: Partial<RunResult> = {}): RunResult {
  return {
    tool: { name: 'rollout', version: '0.0.0-test' },
    playbook: { name: playbook, file: `/work/${playbook}/rollout.yaml`, sha256: 'a'.repeat(64) },
    env: 'production',
    command: 'promote',
    dryRun: false,
    partial: false,
    startedAt,
    endedAt: startedAt,
    durationMs: 1,
    interrupted: false,
    verdict: 'pass',
    exitCode: 0,
    nodes: [
      { id: 'deploy', baseId: 'deploy', kind: 'exec', title: 'Deploy', role: 'step', severity: 'blocker', status: 'pass', durationMs: 1, attempts: 1, message: 'exit 0', outputs: { image: 'registry.example/api:1.4.2' }, params: { command: ['deploy.sh'] }, details: { excerpt: 'deployed\n'.repeat(400) } },
    ],
    ...overrides,
  };
}

export const META = { user: 'tester', host: 'test-host', ci: 'none (interactive)', commandLine: 'rollout promote --env production --yes', edges: [] as Array<[string, string]> };
