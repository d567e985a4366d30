import type { NodeResult, RunResult } from '../../src/run/types.js';

/** A finished run as the runner hands it to reporters; override what a test is about. */
export function runResult(nodes: Array<Partial<NodeResult> & { id: string }>, overrides: Partial<RunResult> = {}): RunResult {
  return {
    tool: { name: 'rollout', version: '0.0.0-test' },
    playbook: { name: 'payments-api', file: 'rollout.yaml', sha256: 'a'.repeat(64) },
    env: 'staging',
    command: 'check',
    dryRun: false,
    partial: false,
    startedAt: '2026-11-29T10:00:00.000Z',
    endedAt: '2026-11-29T10:00:02.500Z',
    durationMs: 2500,
    interrupted: false,
    verdict: 'fail',
    exitCode: 1,
    ...overrides,
    nodes: nodes.map((n) => ({
      baseId: n.id,
      kind: 'exec',
      title: `The ${n.id} gate`,
      role: 'gate',
      severity: 'blocker',
      status: 'pass',
      durationMs: 120,
      attempts: 1,
      message: 'passed',
      params: {},
      ...n,
    })),
  };
}
