import { describe, expect, inject, test } from 'vitest';
import query from '../../../checks/prometheus/query.js';
import type { LabelledValue, Observation } from '../../../src/sdk/index.js';
import { minutesAfter, prometheusContext, runCheck, runCheckWindow } from '../../helpers/prometheus/context.js';

const harness = inject('prometheus');
const { scenarios } = harness;
const history = { url: harness.historyUrl };

const ERROR_RATIO =
  'sum(rate(http_requests_total{service="checkout",code=~"5.."}[1m])) / sum(rate(http_requests_total{service="checkout"}[1m]))';
const P95 = 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{service="checkout"}[5m])))';

async function observeAt(at: Date, params: Record<string, unknown>): Promise<Observation> {
  const result = await runCheck(query, params, prometheusContext(history, { at }));
  if (!('observed' in result)) throw new Error(`expected an observation, got ${JSON.stringify(result)}`);
  return result;
}

describe('prometheus.query — instant queries at --at over the backfilled history', () => {
  test('healthy service: a ratio of sums is one number, 0.05 % errors', async () => {
    const result = await observeAt(new Date(scenarios.healthy!), { query: ERROR_RATIO });
    expect(result.observed).toBeCloseTo(0.0005, 6);
    expect(result.details?.evaluatedAt).toBe(scenarios.healthy);
    expect(result.outputs?.value).toBeCloseTo(0.0005, 6);
  });

  test('p95 latency from the histogram is 200 ms, observed in seconds', async () => {
    const result = await observeAt(new Date(scenarios.healthy!), { query: P95, unit: 'seconds' });
    expect(result.observed).toBeCloseTo(0.2, 6);
    expect(result.unit).toBe('seconds');
  });

  test('an instant query inside the 2-minute spike crosses the 5 % threshold', async () => {
    const result = await observeAt(minutesAfter(scenarios.spikeStart!, 1.5), { query: ERROR_RATIO });
    expect(result.observed).toBeCloseTo(0.2, 6);
  });

  test('a missing series is observed as an empty list (the core makes it an error)', async () => {
    const result = await observeAt(new Date(scenarios.healthy!), { query: 'sum(rate(http_requests_total{service="ghost"}[5m]))' });
    expect(result.observed).toEqual([]);
    expect(result.details?.notes).toContain('the query returned no series');
  });

  test('0/0 for a service without traffic is observed as NaN (the core makes it an error)', async () => {
    const result = await observeAt(new Date(scenarios.healthy!), {
      query: 'sum(rate(http_requests_total{service="idle",code=~"5.."}[5m])) / sum(rate(http_requests_total{service="idle"}[5m]))',
    });
    expect(result.observed).toBeNaN();
  });

  test('+Inf is returned as a number, not dropped', async () => {
    const result = await observeAt(new Date(scenarios.healthy!), { query: '1/0' });
    expect(result.observed).toBe(Infinity);
  });

  test('failovers: every series is named by its labels with its value, judged all by default', async () => {
    const result = await observeAt(new Date(scenarios.failovers!), { query: 'increase(pg_failovers_total[1h])' });
    const list = result.observed as LabelledValue[];
    expect(list.map((s) => s.name).sort()).toEqual(['{cluster="main"}', '{cluster="reporting"}']);
    const main = list.find((s) => s.name === '{cluster="main"}')!.value as number;
    // Three failovers in the hour (Prometheus extrapolates slightly): over the `> 2` rollback line.
    expect(main).toBeGreaterThan(2);
    expect(main).toBeCloseTo(3, 1);
    expect(result.quantifier).toBe('all');
    expect(result.details?.rows).toHaveLength(2);
  });

  test('match: any becomes the quantifier', async () => {
    const result = await observeAt(new Date(scenarios.failovers!), { query: 'increase(pg_failovers_total[1h])', match: 'any' });
    expect(result.quantifier).toBe('any');
  });

  test('a raw series keeps its metric name in the series name', async () => {
    const result = await observeAt(new Date(scenarios.healthy!), { query: 'process_resident_memory_bytes', unit: 'bytes' });
    expect(result.observed).toEqual([{ name: 'process_resident_memory_bytes{service="checkout"}', value: 512 * 1024 * 1024 }]);
  });

  test('a range vector is an error that says what to do', async () => {
    const result = await runCheck(query, { query: 'pg_failovers_total[5m]' }, prometheusContext(history, { at: new Date(scenarios.healthy!) }));
    expect(result).toMatchObject({ error: expect.stringContaining('wrap it in a function such as rate()') });
  });
});

describe('prometheus.query — for: windows with one range query', () => {
  test('a 5-minute window inside the 10-minute outage: every sample fails <= 0.05', async () => {
    const to = minutesAfter(scenarios.outageStart!, 8);
    const result = await runCheckWindow(query, { query: ERROR_RATIO }, prometheusContext(history), { from: minutesAfter(scenarios.outageStart!, 3), to, stepMs: 5000 });
    if ('error' in result) throw new Error(result.error);
    // An interval under the 15 s cap is kept as the step.
    expect(result.stepMs).toBe(5000);
    expect(result.samples).toHaveLength(61);
    expect(result.samples.at(-1)!.at.toISOString()).toBe(to.toISOString());
    for (const sample of result.samples) expect(sample.observed as number).toBeGreaterThan(0.05);
    expect(result.details?.gaps).toBe(0);
    expect(result.details?.summary).toMatch(/^[▁-█]+ min 0\.07 max 0\.07$/);
  });

  test('a 5-minute window ending with the 2-minute spike has passing samples, so a for: 5m trigger stays quiet', async () => {
    const window = { from: minutesAfter(scenarios.spikeEnd!, -5), to: new Date(scenarios.spikeEnd!), stepMs: 60_000 };
    const result = await runCheckWindow(query, { query: ERROR_RATIO }, prometheusContext(history), window);
    if ('error' in result) throw new Error(result.error);
    // A coarse interval is capped at 15 s so that a short spike is seen by several samples.
    expect(result.stepMs).toBe(15_000);
    const values = result.samples.map((s) => s.observed as number);
    expect(values).toHaveLength(21);
    expect(values.filter((v) => v > 0.05).length).toBeGreaterThanOrEqual(4);
    expect(values.filter((v) => v <= 0.05).length).toBeGreaterThanOrEqual(8);
    expect(result.details?.summary).toMatch(/min 0\.0005 max 0\.2$/);
    expect(result.details?.samples).toBe(21);
  });

  test('a step at which the series is missing is left out as a gap, and named in the notes', async () => {
    const window = { from: minutesAfter(scenarios.spikeStart!, -3), to: minutesAfter(scenarios.spikeEnd!, 3), stepMs: 15_000 };
    const result = await runCheckWindow(query, { query: `${ERROR_RATIO} > 0.05` }, prometheusContext(history), window);
    if ('error' in result) throw new Error(result.error);
    const timestamps = 8 * 4 + 1;
    expect(result.details?.gaps).toBeGreaterThan(0);
    expect(result.samples.length + (result.details?.gaps as number)).toBe(timestamps);
    expect(result.details?.notes).toEqual(expect.arrayContaining([expect.stringMatching(/^first gap at /), expect.stringMatching(/steps have no sample \(gaps are errors\)$/)]));
    expect(result.details?.summary).toContain(' ');
  });

  test('a window over several series observes a list per step, with one sparkline per series', async () => {
    const window = { from: minutesAfter(scenarios.failovers!, -60), to: new Date(scenarios.failovers!), stepMs: 60_000 };
    const result = await runCheckWindow(query, { query: 'pg_failovers_total' }, prometheusContext(history), window);
    if ('error' in result) throw new Error(result.error);
    expect(result.samples[0]!.observed).toEqual([
      { name: 'pg_failovers_total{cluster="main"}', value: 0 },
      { name: 'pg_failovers_total{cluster="reporting"}', value: 0 },
    ]);
    const lines = String(result.details?.summary).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^pg_failovers_total\{cluster="main"\} [▁-█]+ min 0 max 3$/);
  });
});
