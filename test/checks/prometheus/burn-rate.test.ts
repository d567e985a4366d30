import { describe, expect, inject, test } from 'vitest';
import burnRate from '../../../checks/prometheus/burn-rate.js';
import type { Observation } from '../../../src/sdk/index.js';
import { minutesAfter, prometheusContext, runCheck, runCheckWindow } from '../../helpers/prometheus/context.js';

const harness = inject('prometheus');
const { scenarios } = harness;
const history = { url: harness.historyUrl };

const ERROR_RATIO =
  'sum(rate(http_requests_total{service="checkout",code=~"5.."}[$window])) / sum(rate(http_requests_total{service="checkout"}[$window]))';

async function observeAt(at: Date, params: Record<string, unknown>): Promise<Observation> {
  const result = await runCheck(burnRate, params, prometheusContext(history, { at }));
  if (!('observed' in result)) throw new Error(`expected an observation, got ${JSON.stringify(result)}`);
  return result;
}

describe('prometheus.burn-rate', () => {
  test('healthy: 0.05 % errors against a 99.9 % objective burns at 0.5× in both windows', async () => {
    const result = await observeAt(new Date(scenarios.healthy!), { errorRatio: ERROR_RATIO, objective: 0.999 });
    expect(result.observed).toBeCloseTo(0.5, 3);
    expect(result.details?.notes).toEqual([
      'long window 1h: error ratio 0.05% → burn rate 0.5×',
      'short window 5m: error ratio 0.05% → burn rate 0.5×',
      expect.stringMatching(/^observed = the smaller burn rate/),
    ]);
    expect(burnRate.defaultExpect).toBe('< 14.4');
  });

  test('at the end of the 10-minute outage both 30m and 5m windows burn fast: observed is the 30m burn', async () => {
    const result = await observeAt(new Date(scenarios.outageEnd!), { errorRatio: ERROR_RATIO, objective: 0.999, longWindow: '30m', shortWindow: '5m' });
    // 30m: a third of it at 7 %, the rest at 0.05 % → 2.37 %; 5m: 19 of its 20 steps at 7 % → 66.5×.
    expect(result.observed).toBeCloseTo(23.67, 1);
    expect(result.outputs?.shortBurnRate).toBeCloseTo(66.53, 1);
    expect(result.details?.notes?.[0]).toBe('long window 30m: error ratio 2.367% → burn rate 23.67×');
  });

  test('a 2-minute spike burns the 5m window but not the hour: observed stays under the page threshold', async () => {
    const result = await observeAt(new Date(scenarios.spikeEnd!), { errorRatio: ERROR_RATIO, objective: 0.999 });
    expect(result.outputs?.shortBurnRate).toBeGreaterThan(14.4);
    expect(result.observed).toBeCloseTo(7.15, 1);
    expect(result.observed as number).toBeLessThan(14.4);
  });

  test('no traffic (0/0) is NaN, never a passing burn rate', async () => {
    const result = await observeAt(new Date(scenarios.healthy!), {
      errorRatio: 'sum(rate(http_requests_total{service="idle",code=~"5.."}[$window])) / sum(rate(http_requests_total{service="idle"}[$window]))',
      objective: 0.999,
    });
    expect(result.observed).toBeNaN();
  });

  test('no series at all is an empty observation', async () => {
    const result = await observeAt(new Date(scenarios.healthy!), { errorRatio: 'sum(rate(nothing_total[$window]))', objective: 0.99 });
    expect(result.observed).toEqual([]);
  });

  test('labelled ratios are judged per series, each the smaller of its two windows', async () => {
    const result = await observeAt(new Date(scenarios.outageEnd!), {
      errorRatio: 'sum by (service) (rate(http_requests_total{service="checkout",code=~"5.."}[$window])) / sum by (service) (rate(http_requests_total{service="checkout"}[$window]))',
      objective: 0.999,
      longWindow: '30m',
    });
    expect(result.quantifier).toBe('all');
    expect(result.observed).toEqual([{ name: '{service="checkout"}', value: expect.closeTo(23.67, 1) }]);
  });

  test('a for: window reads both windows with range queries; each sample is the smaller burn', async () => {
    const window = { from: minutesAfter(scenarios.outageEnd!, -4), to: new Date(scenarios.outageEnd!), stepMs: 15_000 };
    const result = await runCheckWindow(burnRate, { errorRatio: ERROR_RATIO, objective: 0.999, longWindow: '30m' }, prometheusContext(history), window);
    if ('error' in result) throw new Error(result.error);
    expect(result.samples).toHaveLength(17);
    for (const sample of result.samples) expect(sample.observed as number).toBeGreaterThan(14.4);
    expect(result.samples.at(-1)!.observed).toBeCloseTo(23.67, 1);
    expect(result.details?.summary).toMatch(/^[▁-█]+ min [\d.]+ max 23\.67$/);
  });

  test('the schema asks for $window, a fraction objective and a short window shorter than the long one', () => {
    const missing = burnRate.params.safeParse({ errorRatio: 'sum(rate(x[5m]))', objective: 0.999 });
    expect(missing.error?.issues[0]?.message).toMatch(/must use \$window/);
    const percent = burnRate.params.safeParse({ errorRatio: 'rate(x[$window])', objective: 99.9 });
    expect(percent.error?.issues[0]?.message).toMatch(/fraction below 1/);
    const swapped = burnRate.params.safeParse({ errorRatio: 'rate(x[$window])', objective: 0.99, longWindow: '5m', shortWindow: '1h' });
    expect(swapped.error?.issues[0]).toMatchObject({ path: ['shortWindow'], message: 'shortWindow must be shorter than longWindow' });
  });

  test('validate finds a PromQL syntax error at its true column, $window included', () => {
    const params = burnRate.params.parse({ errorRatio: 'sum(rate(x[$window])) / sum(rate(y[$window])', objective: 0.999 });
    expect(burnRate.validate!(params)).toEqual([{ path: ['errorRatio'], message: 'PromQL syntax error at line 1, column 45: unexpected end of the query (an unclosed "(")' }]);
  });
});
