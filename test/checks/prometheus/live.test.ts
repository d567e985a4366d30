import { expect, inject, test } from 'vitest';
import query from '../../../checks/prometheus/query.js';
import { prometheusContext, runCheck, runCheckWindow } from '../../helpers/prometheus/context.js';
import { waitForLiveValue } from '../../helpers/prometheus/live.js';

const harness = inject('prometheus');

test('live data: a value the test sets on the exporter is what the next query observes, and the window has no gap', async () => {
  const value = 1000 + Math.floor(Math.random() * 1000);
  const response = await fetch(`${harness.exporterUrl}/control?inflight=${value}`, { method: 'POST' });
  expect(response.status).toBe(204);
  await waitForLiveValue(harness, 'rollout_demo_inflight', value);

  const result = await runCheck(query, { query: 'rollout_demo_inflight' }, prometheusContext({ url: harness.liveUrl }));
  expect(result).toMatchObject({ observed: [{ name: expect.stringMatching(/^rollout_demo_inflight\{instance="127\.0\.0\.1:\d+",job="exporter"\}$/), value }] });

  // The first scrapes may be only a second old: wait for three, so the window below has no gap.
  await waitForLiveValue(harness, 'count(count_over_time(rollout_demo_up[1m]) >= 3)', 1);
  const now = new Date();
  const window = await runCheckWindow(query, { query: 'max(rollout_demo_up)' }, prometheusContext({ url: harness.liveUrl }), { from: new Date(now.getTime() - 2000), to: now, stepMs: 1000 });
  if ('error' in window) throw new Error(window.error);
  expect(window.samples.map((s) => s.observed)).toEqual([1, 1, 1]);
});
