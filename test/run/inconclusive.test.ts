import { describe, expect, test } from 'vitest';
import { runPlan } from '../../src/run/run-plan.js';
import type { RunResult } from '../../src/run/types.js';
import { renderEvidenceBody } from '../../src/evidence/render.js';
import { reporters } from '../../src/report/reporters.js';
import { createPlainRenderer } from '../../src/report/plain.js';
import { renderMetricsText } from '../../src/report/metrics-text.js';
import { runResult } from '../report/fixture.js';
import { deps, observe, planOf, playbook, type Behaviour } from './runner-harness.js';

const TOO_FEW = { status: 'inconclusive' as const, reasons: ['canary: 3 samples, fewer than minSamples 50'] };

async function run(nodes: string, behaviours: Record<string, Behaviour>): Promise<RunResult> {
  const { plan, kinds } = await planOf(playbook(nodes), behaviours);
  return runPlan(plan, deps(kinds));
}
const byId = (result: RunResult, id: string) => result.nodes.find((n) => n.id === id)!;

describe('inconclusive: the check ran but had too little data to decide', () => {
  test('a blocking inconclusive node and no failure: verdict inconclusive, exit 3, never a pass', async () => {
    const result = await run('  - { id: canary, uses: fake, expect: "> 0" }\n  - { id: up, uses: fake, expect: "> 0" }\n', { canary: () => TOO_FEW, up: () => observe(1) });
    expect(byId(result, 'canary')).toMatchObject({ status: 'inconclusive', message: 'canary: 3 samples, fewer than minSamples 50' });
    expect(result).toMatchObject({ verdict: 'inconclusive', exitCode: 3 });
  });

  test('a failure next to an inconclusive node wins: exit 1', async () => {
    const result = await run('  - { id: canary, uses: fake, expect: "> 0" }\n  - { id: up, uses: fake, expect: "> 0" }\n', { canary: () => TOO_FEW, up: () => observe(0) });
    expect(result).toMatchObject({ verdict: 'fail', exitCode: 1 });
  });

  test('onInconclusive: pass and fail override per node, and say so', async () => {
    const passed = await run('  - { id: canary, uses: fake, expect: "> 0", onInconclusive: pass }\n', { canary: () => TOO_FEW });
    expect(byId(passed, 'canary')).toMatchObject({ status: 'pass', message: 'canary: 3 samples, fewer than minSamples 50 (onInconclusive: pass)' });
    expect(passed.exitCode).toBe(0);
    const failed = await run('  - { id: canary, uses: fake, expect: "> 0", onInconclusive: fail }\n', { canary: () => TOO_FEW });
    expect(byId(failed, 'canary').status).toBe('fail');
    expect(failed.exitCode).toBe(1);
  });

  test('an inconclusive need skips its dependents with the reason', async () => {
    const result = await run('  - { id: canary, uses: fake, expect: "> 0" }\n  - { id: promote, uses: fake, expect: "> 0", needs: [canary] }\n', { canary: () => TOO_FEW, promote: () => observe(1) });
    expect(byId(result, 'promote')).toMatchObject({ status: 'skipped', message: 'needs canary (inconclusive)' });
  });

  test('a warning that is inconclusive warns and does not block', async () => {
    const result = await run('  - { id: canary, uses: fake, expect: "> 0", severity: warning }\n', { canary: () => TOO_FEW });
    expect(byId(result, 'canary').status).toBe('warn');
    expect(result.exitCode).toBe(0);
  });
});

describe('every reporter shows inconclusive', () => {
  const result = runResult([{ id: 'canary', kind: 'prometheus.compare', status: 'inconclusive', message: 'baseline: 3 samples, fewer than minSamples 50' }], { verdict: 'inconclusive', exitCode: 3 });

  test('JSON, plain, Markdown, JUnit (an error of type inconclusive), metrics and the evidence', async () => {
    const json = JSON.parse(reporters.json(result));
    expect(json).toMatchObject({ verdict: 'inconclusive', exitCode: 3, nodes: [{ id: 'canary', status: 'inconclusive' }] });
    expect(reporters.plain(result)).toMatch(/inconclusive/i);
    expect(reporters.markdown(result)).toContain('| canary | INCONCLUSIVE |');
    const junit = reporters.junit(result);
    expect(junit).toContain('errors="1"');
    expect(junit).toContain('<error message="baseline: 3 samples, fewer than minSamples 50" type="inconclusive">');
    const lines: string[] = [];
    createPlainRenderer((text) => lines.push(text)).onEvent({ type: 'node-end', node: {} as never, result: result.nodes[0]! });
    expect(lines.join('')).toContain('INCONCLUSIVE canary');
    expect(lines.join('')).toContain('baseline: 3 samples, fewer than minSamples 50');
    expect(await renderMetricsText(result)).toMatch(/rollout_run_verdict\{[^}]*verdict="inconclusive"[^}]*\} 1/);
    const evidence = renderEvidenceBody(result, { fileName: 'e.md', user: 'u', host: 'h', ci: 'none', commandLine: 'rollout check', edges: [] });
    expect(evidence).toContain('INCONCLUSIVE');
  });
});
