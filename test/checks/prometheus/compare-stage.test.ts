import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { rollout, workspace } from '../../helpers/cli.js';
import compare from '../../../checks/prometheus/compare.js';
import type { Verdict } from '../../../src/sdk/index.js';
import { prometheusContext, runCheck } from '../../helpers/prometheus/context.js';

// `before`/`after` of one query around a stage's steps, over the backfilled history
// (fixtures/prometheus): `deploy-bad` is 40 % slower from END − 20m on.
const harness = inject('prometheus');
const history = { url: harness.historyUrl };
const END = new Date(harness.end);
const minutesBefore = (minutes: number) => new Date(END.getTime() - minutes * 60_000);
const DEPLOY_BAD = { query: 'canary_latency_seconds{service="deploy-bad"}', before: '20m', after: '5m', step: '15s', minSamples: 15 };

async function compareIn(stepsStartedAt: Date | undefined, params: Record<string, unknown> = DEPLOY_BAD): Promise<Verdict & { outputs?: Record<string, number> }> {
  const ctx = prometheusContext(history, { at: END });
  const result = await runCheck(compare, params, stepsStartedAt ? Object.assign(ctx, { stepsStartedAt }) : ctx);
  if (!('status' in result)) throw new Error(`expected a verdict, got ${JSON.stringify(result)}`);
  return result as Verdict & { outputs?: Record<string, number> };
}

describe('prometheus.compare before/after in a stage: before ends where the steps began', () => {
  test('steps that began at T = END − 20m: before is [T − 20m, T], and the slower after fails', async () => {
    const T = minutesBefore(20);
    const result = await compareIn(T);
    expect(result.details!.notes).toContain(`before: n=81 from 1 series, ${minutesBefore(40).toISOString()} … ${T.toISOString()}`);
    expect(result.details!.notes).toContain(`after: n=21 from 1 series, ${minutesBefore(5).toISOString()} … ${END.toISOString()}`);
    expect(result.status).toBe('fail');
    expect(result.outputs!.change).toBeGreaterThan(0.3);
  });

  test('the same data outside a stage is a look-back: before ends one step before after, inside the slow period, and passes', async () => {
    const result = await compareIn(undefined);
    expect(result.details!.notes).toContain(`before: n=81 from 1 series, ${new Date(minutesBefore(25).getTime() - 15_000).toISOString()} … ${new Date(minutesBefore(5).getTime() - 15_000).toISOString()}`);
    expect(result.status).toBe('pass');
  });

  test('steps that began 2 minutes ago: after starts at the steps, too short for minSamples → inconclusive, not a pass on pre-deploy data', async () => {
    const T = minutesBefore(2);
    const result = await compareIn(T);
    expect(result.status).toBe('inconclusive');
    expect(result.reasons[0]).toBe(`after: 8 samples, fewer than minSamples 15 (only since the stage's steps began at ${T.toISOString()})`);
    expect(result.details!.notes).toContain(`before: n=81 from 1 series, ${minutesBefore(22).toISOString()} … ${T.toISOString()}`);
  });

  test('steps that began after the window ends (a clock ahead of --at): after is empty, inconclusive', async () => {
    const result = await compareIn(new Date(END.getTime() + 60_000));
    expect(result.status).toBe('inconclusive');
    expect(result.reasons[0]).toMatch(/^after: 0 samples, fewer than minSamples 15 \(only since the stage's steps began at /);
  });
});

describe('through the built CLI: promote sets the instant the stage\'s steps began', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  test('promote --at END: the verify\'s before window ends at END (the steps began then); after has had no time → inconclusive, exit 3', async () => {
    const dir = workspace({
      'rollout.yaml': [
        'version: 1',
        'name: deploy',
        'environments: { fixture: { prometheus: { url: "${env:ROLLOUT_PROMETHEUS_URL}" } } }',
        'stages:',
        '  - id: deploy',
        '    steps:',
        '      - { id: ship, uses: exec, with: { command: ["true"] } }',
        '    verify:',
        '      - id: latency-vs-before',
        '        uses: prometheus.compare',
        '        with: { query: \'canary_latency_seconds{service="deploy-bad"}\', before: 20m, after: 5m, step: 15s, minSamples: 15 }',
        '',
      ].join('\n'),
    });
    dirs.push(dir);
    const run = await rollout(['promote', '--env', 'fixture', '--yes', '--at', harness.end, '--reporter', 'json', '--evidence-dir', join(dir, 'evidence')], { cwd: dir, env: { ROLLOUT_PROMETHEUS_URL: harness.historyUrl } });
    const node = run.json?.nodes.find((n: { id: string }) => n.id === 'latency-vs-before');
    expect(node, run.stdout + run.stderr).toBeTruthy();
    expect(node.status).toBe('inconclusive');
    expect(node.message).toContain(`(only since the stage's steps began at ${END.toISOString()})`);
    expect(readFileSync(run.json.evidence, 'utf8')).toContain(`before: n=81 from 1 series, ${minutesBefore(20).toISOString()} … ${END.toISOString()}`);
    expect(run.exitCode).toBe(3);
  });
});
