import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { rollout, workspace } from '../../helpers/cli.js';
import compare from '../../../checks/prometheus/compare.js';
import query from '../../../checks/prometheus/query.js';
import burnRate from '../../../checks/prometheus/burn-rate.js';
import type { CheckResult, Verdict, WindowResult } from '../../../src/sdk/index.js';
import { prometheusContext, runCheck, runCheckWindow } from '../../helpers/prometheus/context.js';

const harness = inject('prometheus');
const history = { url: harness.historyUrl };
const END = new Date(harness.end);

const latency = (service: string, track: string) => `canary_latency_seconds{service="${service}",track="${track}"}`;

async function compareAt(params: Record<string, unknown>, at = END): Promise<Verdict & { outputs?: Record<string, number> }> {
  const result: CheckResult = await runCheck(compare, params, prometheusContext(history, { at }));
  if (!('status' in result)) throw new Error(`expected a verdict, got ${JSON.stringify(result)}`);
  return result as Verdict & { outputs?: Record<string, number> };
}

describe('prometheus.compare over backfilled canary and stable tracks (fixtures/prometheus)', () => {
  test('a canary 40 % slower than stable fails, with p and the change in the evidence', async () => {
    const result = await compareAt({ query: latency('web-slow', 'canary'), baseline: latency('web-slow', 'stable') });
    expect(result.status).toBe('fail');
    expect(result.reasons[0]).toMatch(/^\+\d\d(\.\d)?% vs baseline \(p=[\d.e-]+\): beyond the tolerance of 10% and significant at alpha 0\.05$/);
    expect(result.outputs!.change).toBeGreaterThan(0.3);
    expect(result.outputs!.p).toBeLessThan(1e-6);
    expect(result.details).toMatchObject({ n: { canary: 62, baseline: 62 }, u: expect.any(Number), p: expect.any(Number) });
    expect(result.details!.summary).toMatch(/^canary {3}[▁▂▃▄▅▆▇█]{31} min [\d.]+ max [\d.]+\nbaseline [▁▂▃▄▅▆▇█]{31} min/);
  });

  test('the same degraded data within a 50 % tolerance passes', async () => {
    const result = await compareAt({ query: latency('web-slow', 'canary'), baseline: latency('web-slow', 'stable'), tolerance: 0.5 });
    expect(result.status).toBe('pass');
    expect(result.reasons[0]).toMatch(/within the tolerance of 50%/);
  });

  test('a healthy canary passes; identical series pass (U = n1·n2/2)', async () => {
    expect((await compareAt({ query: latency('web-good', 'canary'), baseline: latency('web-good', 'stable') })).status).toBe('pass');
    const same = await compareAt({ query: latency('web-good', 'stable'), baseline: latency('web-good', 'stable') });
    expect(same.status).toBe('pass');
    expect(same.outputs!.change).toBe(0);
    // U is exactly n1·n2/2; one-sided, continuity correction puts p just above 0.5 (scipy agrees).
    expect(same.outputs!.u).toBe((62 * 62) / 2);
    expect(same.outputs!.p).toBeGreaterThan(0.5);
  });

  test('a canary better in the direction opposite the harmful one passes (stable judged against the slow canary)', async () => {
    const result = await compareAt({ query: latency('web-slow', 'stable'), baseline: latency('web-slow', 'canary'), direction: 'increase' });
    expect(result.status).toBe('pass');
    expect(result.outputs!.change).toBeLessThan(-0.2);
    // Two-sided, the same difference is harmful.
    expect((await compareAt({ query: latency('web-slow', 'stable'), baseline: latency('web-slow', 'canary'), direction: 'either' })).status).toBe('fail');
  });

  test('too few points (a canary 5 minutes old) is inconclusive, never pass', async () => {
    const result = await compareAt({ query: latency('web-sparse', 'canary'), baseline: latency('web-sparse', 'stable') });
    expect(result.status).toBe('inconclusive');
    expect(result.reasons[0]).toMatch(/^canary: 1\d samples, fewer than minSamples 50$/);
    const empty = await compareAt({ query: latency('nothing', 'canary'), baseline: latency('web-good', 'stable') });
    expect(empty).toMatchObject({ status: 'inconclusive', reasons: [expect.stringContaining('(the query returned no series)'), expect.any(String)] });
  });

  test('NaN samples are dropped and counted in the evidence', async () => {
    const result = await compareAt({ query: latency('web-nan', 'canary'), baseline: latency('web-nan', 'stable'), minSamples: 40 });
    expect(result.details!.droppedNaN).toEqual({ canary: 14, baseline: 0 });
    expect(result.details!.n).toEqual({ canary: 48, baseline: 62 });
    expect(result.details!.notes).toContain(`canary: n=48 from 2 series, 14 NaN samples dropped, ${new Date(END.getTime() - 30 * 60_000).toISOString()} … ${END.toISOString()}`);
    expect(result.status).toBe('pass');
  });

  test('before/after windows of one query: a deploy that made it 40 % slower fails, an unchanged one passes', async () => {
    const bad = await compareAt({ query: 'canary_latency_seconds{service="deploy-bad"}', before: '1h', after: '15m', step: '15s' });
    expect(bad.status).toBe('fail');
    expect(bad.reasons[0]).toMatch(/vs before/);
    expect(bad.details!.n).toEqual({ after: 61, before: 241 });
    const good = await compareAt({ query: 'canary_latency_seconds{service="deploy-good"}', before: '1h', after: '15m', step: '15s' });
    expect(good.status).toBe('pass');
  });

  test('a query Prometheus rejects is an error, not inconclusive', async () => {
    const result = await runCheck(compare, { query: 'rate(canary_latency_seconds)', baseline: latency('web-good', 'stable') }, prometheusContext(history, { at: END }));
    expect(result).toMatchObject({ error: expect.stringMatching(/^canary: /) });
  });

  test('parameters: baseline or before/after, not both', () => {
    expect(compare.params.safeParse({ query: 'x', baseline: 'y', before: '1h', after: '5m' }).success).toBe(false);
    expect(compare.params.safeParse({ query: 'x' }).success).toBe(false);
    expect(compare.params.safeParse({ query: 'x', before: '1h' }).success).toBe(false);
  });
});

describe('traffic floors: minRequests with requests', () => {
  const idle = 'sum(increase(http_requests_total{service="idle"}[5m]))';
  const at = new Date(harness.scenarios.healthy!);

  test('prometheus.query at near-zero traffic is inconclusive, not fail, not pass', async () => {
    const params = { query: 'sum(rate(http_requests_total{service="checkout",code=~"5.."}[5m])) / sum(rate(http_requests_total{service="checkout"}[5m]))', minRequests: 100, requests: idle };
    const result = await runCheck(query, params, prometheusContext(history, { at }));
    expect(result).toMatchObject({ status: 'inconclusive', reasons: ['only 0 requests, fewer than minRequests 100: too little traffic to judge'] });
    const busy = await runCheck(query, { ...params, requests: 'sum(increase(http_requests_total{service="checkout"}[5m]))' }, prometheusContext(history, { at }));
    expect(busy).toMatchObject({ observed: expect.closeTo(0.0005, 6) });
  });

  test('a for: window below the floor is marked inconclusive', async () => {
    const window = { from: new Date(at.getTime() - 5 * 60_000), to: at, stepMs: 15_000 };
    const result = (await runCheckWindow(query, { query: 'sum(rate(http_requests_total{service="checkout"}[1m]))', minRequests: 1, requests: idle }, prometheusContext(history), window)) as WindowResult;
    expect(result.inconclusive).toMatch(/only 0 requests/);
  });

  test('prometheus.burn-rate counts the traffic of its short window ($window)', async () => {
    const params = { errorRatio: 'sum(rate(http_requests_total{service="checkout",code=~"5.."}[$window])) / sum(rate(http_requests_total{service="checkout"}[$window]))', objective: 0.999, minRequests: 40_000, requests: 'sum(increase(http_requests_total{service="checkout"}[$window]))' };
    const result = await runCheck(burnRate, params, prometheusContext(history, { at }));
    // 100 requests/s: 30,000 in the 5m short window, below 40,000.
    expect(result).toMatchObject({ status: 'inconclusive', reasons: ['only 30000 requests, fewer than minRequests 40000: too little traffic to judge (short window 5m)'] });
    expect(burnRate.params.safeParse({ ...params, requests: undefined }).success).toBe(false);
  });
});

describe('PromQL that hides missing data is refused at validate, with its position', () => {
  const refused = (text: string) => query.validate!(query.params.parse({ query: text }));
  test.each([
    ['sum(rate(errors_total[5m])) or vector(0)', 'or vector(0)', 1, 29],
    ['sum(rate(errors_total[5m]))  OR   on()  vector(0)', 'or vector(0)', 1, 30],
    ['sum(x)\n  or (vector(0))', 'or vector(0)', 2, 3],
    ['absent(up{job="api"}) * 0', 'absent(...) * 0', 1, 23],
    ['0 * absent(up)', '0 * absent(...)', 1, 3],
    ['up{job="api"} or absent(up{job="api"})', 'or absent(...)', 1, 15],
    ['sum(x) Or absent_over_time(y[5m])', 'or absent_over_time(...)', 1, 8],
  ])('%s', (text, what, line, column) => {
    expect(refused(text)).toEqual([{ path: ['query'], message: `"${what}" at line ${line}, column ${column} turns missing data into a value that passes`, hint: expect.stringContaining('onEmpty') }]);
  });

  test('ordinary uses of or, vector() and absent() are allowed', () => {
    expect(refused('up{job="a"} or up{job="b"}')).toEqual([]);
    expect(refused('absent(up{job="api"})')).toEqual([]);
    expect(refused('sum(x) * 0.5')).toEqual([]);
  });

  test('compare and burn-rate refuse it too', () => {
    expect(compare.validate!(compare.params.parse({ query: 'x', baseline: 'y or vector(0)' }))[0]).toMatchObject({ path: ['baseline'] });
    expect(burnRate.validate!(burnRate.params.parse({ errorRatio: 'sum(rate(e[$window])) / sum(rate(r[$window])) or vector(0)', objective: 0.99 }))[0]?.message).toMatch(/^"or vector\(0\)"/);
  });
});

describe('through the built CLI', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const playbookWith = (gates: string[]) => ['version: 1', 'name: canary', 'environments: { fixture: { prometheus: { url: "${env:ROLLOUT_PROMETHEUS_URL}" } } }', 'gates:', ...gates, ''].join('\n');
  const sparse = '  - { id: canary, uses: prometheus.compare, with: { query: \'canary_latency_seconds{service="web-sparse",track="canary"}\', baseline: \'canary_latency_seconds{service="web-sparse",track="stable"}\' }';

  async function checkWith(gates: string[], reporter = 'json') {
    const dir = workspace({ 'rollout.yaml': playbookWith(gates) });
    dirs.push(dir);
    return rollout(['check', '--env', 'fixture', '--at', harness.end, '--reporter', reporter, '--evidence-dir', join(dir, 'evidence')], { cwd: dir, env: { ROLLOUT_PROMETHEUS_URL: harness.historyUrl } });
  }

  test('too few canary points: inconclusive, exit 3; onInconclusive: fail makes it exit 1', async () => {
    const run = await checkWith([`${sparse} }`]);
    expect(run.exitCode).toBe(3);
    expect(run.json).toMatchObject({ verdict: 'inconclusive', nodes: [{ id: 'canary', status: 'inconclusive' }] });
    const strict = await checkWith([`${sparse}, onInconclusive: fail }`]);
    expect(strict.exitCode).toBe(1);
  });

  test('a degraded canary fails with the change and p on the plain line', async () => {
    const run = await checkWith(['  - { id: canary, uses: prometheus.compare, with: { query: \'canary_latency_seconds{service="web-slow",track="canary"}\', baseline: \'canary_latency_seconds{service="web-slow",track="stable"}\' } }'], 'plain');
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/\+\d+(\.\d)?% vs baseline \(p=[\d.e-]+\)/);
  });

  test('rollout validate refuses `or vector(0)` at the file position of the query, with the onEmpty hint (exit 2)', async () => {
    const dir = workspace({ 'rollout.yaml': playbookWith(['  - id: errors', '    uses: prometheus.query', '    with:', '      query: sum(rate(errors_total[5m])) or vector(0)', '    expect: "<= 0.01"']) });
    dirs.push(dir);
    const run = await rollout(['validate'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/rollout\.yaml:8:\d+/);
    expect(run.stderr).toContain('"or vector(0)" at line 1, column 29 turns missing data into a value that passes');
    expect(run.stderr).toContain('onEmpty');
  });
});

describe('traffic floors through the built CLI', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  test('an error ratio at zero traffic over a for: window is inconclusive (exit 3), not error, not pass', async () => {
    const dir = workspace({
      'rollout.yaml': [
        'version: 1',
        'name: floors',
        'environments: { fixture: { prometheus: { url: "${env:ROLLOUT_PROMETHEUS_URL}" } } }',
        'gates:',
        '  - id: idle-errors',
        '    uses: prometheus.query',
        '    with:',
        '      query: sum(rate(http_requests_total{service="idle",code="500"}[1m])) / sum(rate(http_requests_total{service="idle"}[1m]))',
        '      requests: sum(increase(http_requests_total{service="idle"}[5m]))',
        '      minRequests: 100',
        '    expect: "<= 0.01"',
        '    for: 5m',
        '',
      ].join('\n'),
    });
    dirs.push(dir);
    const run = await rollout(['check', '--env', 'fixture', '--at', harness.scenarios.healthy!, '--reporter', 'json', '--evidence-dir', join(dir, 'evidence')], { cwd: dir, env: { ROLLOUT_PROMETHEUS_URL: harness.historyUrl } });
    expect(run.json.nodes[0]).toMatchObject({ status: 'inconclusive', message: 'only 0 requests, fewer than minRequests 100: too little traffic to judge' });
    expect(run.exitCode).toBe(3);
  });
});
