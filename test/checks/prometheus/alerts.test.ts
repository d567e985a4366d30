import { beforeAll, describe, expect, inject, test } from 'vitest';
import alerts from '../../../checks/prometheus/alerts.js';
import type { Observation } from '../../../src/sdk/index.js';
import { prometheusContext, runCheck } from '../../helpers/prometheus/context.js';
import { waitForLiveAlerts } from '../../helpers/prometheus/live.js';

const harness = inject('prometheus');
const live = { url: harness.liveUrl, alertmanagerUrl: harness.alertmanagerUrl };

async function observe(params: Record<string, unknown>, at?: Date): Promise<Observation> {
  const result = await runCheck(alerts, params, prometheusContext(live, { at }));
  if (!('observed' in result)) throw new Error(`expected an observation, got ${JSON.stringify(result)}`);
  return result;
}

beforeAll(() => waitForLiveAlerts(harness));

// The live rules (fixtures/prometheus/rules.yml): CheckoutQueueBacklog (critical) and
// CheckoutCanaryNoisy (info, silenced in Alertmanager) fire; CheckoutWarmingUp is pending;
// CheckoutDown (page) is quiet.
describe('prometheus.alerts against live rules', () => {
  test('Prometheus: both firing alerts are counted and listed; the default expectation is none firing', async () => {
    const result = await observe({});
    expect(result.observed).toBe(2);
    expect(alerts.defaultExpect).toBe('== 0');
    const rows = result.details?.rows as Array<Record<string, string>>;
    expect(rows.map((r) => r.alertname).sort()).toEqual(['CheckoutCanaryNoisy', 'CheckoutQueueBacklog']);
    const backlog = rows.find((r) => r.alertname === 'CheckoutQueueBacklog')!;
    expect(backlog).toMatchObject({ severity: 'critical', state: 'firing', labels: expect.stringContaining('job="exporter",service="checkout",team="payments"') });
    expect(backlog.summary).toMatch(/^Checkout queue backlog above 100 \(250\)$/);
    expect(result.outputs?.alertnames).toEqual(expect.arrayContaining(['CheckoutQueueBacklog', 'CheckoutCanaryNoisy']));
  });

  test('severity filters: critical fires, page (CheckoutDown) is quiet', async () => {
    expect((await observe({ severity: 'critical' })).observed).toBe(1);
    expect((await observe({ severity: ['page'] })).observed).toBe(0);
    expect((await observe({ severity: ['page', 'info'] })).observed).toBe(1);
  });

  test('matchers, anchored regexes included', async () => {
    expect((await observe({ matchers: ['alertname="CheckoutDown"'] })).observed).toBe(0);
    expect((await observe({ matchers: ['alertname=~"Checkout.*"', 'severity!="info"'] })).observed).toBe(1);
    // =~"Checkout" does not match CheckoutQueueBacklog: label regexes are anchored, as in PromQL.
    expect((await observe({ matchers: ['alertname=~"Checkout"'] })).observed).toBe(0);
  });

  test('includePending also counts an alert whose for: has not elapsed', async () => {
    const result = await observe({ includePending: true });
    expect(result.observed).toBe(3);
    expect((result.details?.rows as Array<Record<string, string>>).find((r) => r.alertname === 'CheckoutWarmingUp')?.state).toBe('pending');
  });

  test('Alertmanager: silenced alerts are left out unless includeSilenced', async () => {
    const result = await observe({ source: 'alertmanager' });
    expect(result.observed).toBe(1);
    expect((result.details?.rows as Array<Record<string, string>>)[0]).toMatchObject({ alertname: 'CheckoutQueueBacklog', state: 'firing' });
    expect((await observe({ source: 'alertmanager', includeSilenced: true })).observed).toBe(2);
    expect((await observe({ source: 'alertmanager', matchers: ['team="payments"'], severity: 'critical' })).observed).toBe(1);
  });

  test('--at reads Prometheus\' ALERTS series for that instant', async () => {
    const result = await observe({ severity: 'critical' }, new Date());
    expect(result.observed).toBe(1);
    expect(result.details?.notes?.[0]).toMatch(/\(ALERTS at /);
    // Long before the server started nothing was firing.
    expect((await observe({}, new Date(Date.now() - 3600_000))).observed).toBe(0);
  });

  test('--at with Alertmanager is an error: it keeps no history', async () => {
    const result = await runCheck(alerts, { source: 'alertmanager' }, prometheusContext(live, { at: new Date() }));
    expect(result).toEqual({ error: expect.stringContaining('Alertmanager keeps no history') });
  });

  test('source: alertmanager without alertmanagerUrl is an error, never "no alerts"', async () => {
    const result = await runCheck(alerts, { source: 'alertmanager' }, prometheusContext({ url: harness.liveUrl }));
    expect(result).toEqual({ error: expect.stringContaining('needs `alertmanagerUrl`') });
  });

  test('a malformed matcher is refused by the schema, at its index', () => {
    const parsed = alerts.params.safeParse({ matchers: ['team="db"', 'severity=>critical'] });
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['matchers', 1], message: expect.stringContaining('is not a matcher') });
  });
});
