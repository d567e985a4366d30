import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { rollout, workspace } from '../../helpers/cli.js';
import errorBudget from '../../../checks/prometheus/error-budget.js';
import { prometheusContext, runCheck } from '../../helpers/prometheus/context.js';

// prometheus.error-budget over the backfilled history (fixtures/prometheus): `checkout` at
// 0.05 % errors, with a 10-minute outage at 7 % (08:00) and a 2-minute spike at 20 % (10:00).
const harness = inject('prometheus');
const history = { url: harness.historyUrl };
const END = new Date(harness.end);
const checkout = (code: string) => `sum(increase(http_requests_total{service="checkout"${code}}[$window]))`;
const RATIO = 'sum(rate(http_requests_total{service="checkout",code=~"5.."}[$window])) / sum(rate(http_requests_total{service="checkout"}[$window]))';

describe('prometheus.error-budget over backfilled data', () => {
  test('healthy hour at 0.05 % errors against 99.9 %: half the budget left', async () => {
    const result = await runCheck(errorBudget, { errorRatio: RATIO, objective: 0.999, window: '1h' }, prometheusContext(history, { at: END }));
    expect(result).toMatchObject({ observed: expect.closeTo(0.5, 6), outputs: { remaining: expect.closeTo(0.5, 6), spent: expect.closeTo(0.5, 6) } });
    expect((result as { details: { notes: string[] } }).details.notes).toContain('error ratio 0.05% over 1h; budget 0.1% (objective 99.9%); spent 50%, remaining 50%');
  });

  test('bad and total give the same budget as their ratio; the outage and the spike overspend six hours of budget', async () => {
    const six = await runCheck(errorBudget, { bad: checkout(',code=~"5.."'), total: checkout(''), objective: 0.999, window: '6h' }, prometheusContext(history, { at: END }));
    // (10 min × 7 % + 2 min × 20 % + 348 min × 0.05 %) / 360 min ≈ 0.354 % — 3.5 budgets spent.
    expect(six).toMatchObject({ observed: expect.closeTo(1 - 3.54, 1) });
    expect((six as { observed: number }).observed).toBeLessThan(0);
  });

  test('a ratio by label is judged series by series', async () => {
    const result = await runCheck(errorBudget, { errorRatio: 'sum by (service) (rate(http_requests_total{code=~"5.."}[$window])) / sum by (service) (rate(http_requests_total[$window]))', objective: 0.999, window: '1h' }, prometheusContext(history, { at: END }));
    expect(result).toMatchObject({ observed: [{ name: '{service="checkout"}', value: expect.closeTo(0.5, 6) }, { name: '{service="idle"}', value: NaN }], quantifier: 'all' });
  });

  test('parameters: errorRatio or bad+total, $window required, minRequests with requests', () => {
    const parse = (p: Record<string, unknown>) => errorBudget.params.safeParse({ objective: 0.999, ...p }).success;
    expect(parse({ errorRatio: RATIO })).toBe(true);
    expect(parse({ bad: checkout(',code="500"'), total: checkout('') })).toBe(true);
    expect(parse({})).toBe(false);
    expect(parse({ errorRatio: RATIO, bad: checkout(',code="500"'), total: checkout('') })).toBe(false);
    expect(parse({ bad: checkout(',code="500"') })).toBe(false);
    expect(parse({ errorRatio: 'sum(rate(x[30d]))' })).toBe(false);
    expect(parse({ errorRatio: RATIO, minRequests: 10 })).toBe(false);
    expect(parse({ errorRatio: RATIO, window: '30 days' })).toBe(false);
    expect(errorBudget.validate!(errorBudget.params.parse({ errorRatio: `${RATIO} or vector(0)`, objective: 0.99 }))[0]).toMatchObject({ path: ['errorRatio'], message: expect.stringMatching(/^"or vector\(0\)"/) });
  });
});

describe('prometheus.error-budget through the built CLI', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  test('healthy → pass, burnt → fail, no data and no traffic → error, below minRequests → inconclusive; never a pass without data', async () => {
    const gate = (id: string, withText: string, expectText = '">= 0.25"') => [`  - id: ${id}`, '    uses: prometheus.error-budget', `    with: ${withText}`, `    expect: ${expectText}`];
    const dir = workspace({
      'rollout.yaml': [
        'version: 1',
        'name: budgets',
        'environments: { fixture: { prometheus: { url: "${env:ROLLOUT_PROMETHEUS_URL}" } } }',
        'gates:',
        ...gate('healthy', `{ errorRatio: '${RATIO}', objective: 0.999, window: 1h }`),
        ...gate('burnt', `{ errorRatio: '${RATIO}', objective: 0.999, window: 6h }`),
        ...gate('no-data', `{ errorRatio: 'sum(rate(http_requests_total{service="nothing",code="500"}[$window])) / sum(rate(http_requests_total{service="nothing"}[$window]))', objective: 0.999 }`),
        ...gate('no-traffic', `{ bad: 'sum(increase(http_requests_total{service="idle",code="500"}[$window]))', total: 'sum(increase(http_requests_total{service="idle"}[$window]))', objective: 0.999, window: 1h }`),
        ...gate('too-little-traffic', `{ bad: 'sum(increase(http_requests_total{service="idle",code="500"}[$window]))', total: 'sum(increase(http_requests_total{service="idle"}[$window]))', objective: 0.999, window: 1h, requests: 'sum(increase(http_requests_total{service="idle"}[$window]))', minRequests: 100 }`),
        '',
      ].join('\n'),
    });
    dirs.push(dir);
    const run = await rollout(['check', '--env', 'fixture', '--at', harness.end, '--reporter', 'json', '--evidence-dir', join(dir, 'evidence')], { cwd: dir, env: { ROLLOUT_PROMETHEUS_URL: harness.historyUrl } });
    const byId = Object.fromEntries(run.json.nodes.map((n: { id: string; status: string; observed: unknown; message: string }) => [n.id, n]));
    expect(byId.healthy).toMatchObject({ status: 'pass', observed: expect.closeTo(0.5, 6) });
    expect(byId.burnt).toMatchObject({ status: 'fail' });
    expect(byId.burnt.observed).toBeLessThan(-2);
    expect(byId['no-data'].status).toBe('error');
    expect(byId['no-traffic'].status).toBe('error');
    expect(byId['too-little-traffic']).toMatchObject({ status: 'inconclusive', message: expect.stringContaining('only 0 requests, fewer than minRequests 100: too little traffic to judge (SLO window 1h)') });
    expect(run.exitCode).toBe(1);
  });
});
