import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import receivers from '../../../checks/alertmanager/receivers.js';
import { createCheckContext } from '../../helpers/check-context.js';
import { findClosedPort } from '../../helpers/http/servers.js';
import { startAlertmanager, stopServer, type RunningServer } from '../../helpers/prometheus/servers.js';

// alertmanager.receivers with notify: true against Debian's Alertmanager 0.25, whose webhook
// receivers post to a loopback sink this test owns: the sink must receive the test alert.
let dir: string;
let alertmanager: RunningServer;
let sink: Server;
const received: Array<{ path: string; body: { receiver?: string; alerts?: Array<{ labels: Record<string, string>; status: string }> } }> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rollout-am-notify-'));
  sink = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(text || '{}') });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}`;
  const closed = await findClosedPort();
  const config = join(dir, 'alertmanager.yml');
  await writeFile(config, [
    'route:',
    '  receiver: team-email',
    '  group_wait: 200ms',
    '  group_interval: 1s',
    '  routes:',
    '    - { receiver: pagerduty-critical, matchers: [\'severity="critical"\'] }',
    '    - { receiver: dead-hook, matchers: [\'team="ghost"\'] }',
    '    - { receiver: silent, matchers: [\'team="silent"\'] }',
    'receivers:',
    `  - { name: team-email, webhook_configs: [{ url: "${sinkUrl}/team-email", send_resolved: false }] }`,
    `  - { name: pagerduty-critical, webhook_configs: [{ url: "${sinkUrl}/pagerduty-critical", send_resolved: false }] }`,
    `  - { name: dead-hook, webhook_configs: [{ url: "http://127.0.0.1:${closed}/hook", send_resolved: false }] }`,
    '  - { name: silent }',
    '',
  ].join('\n'));
  alertmanager = await startAlertmanager({ dir, configFile: config });
}, 30_000);

afterAll(async () => {
  await stopServer(alertmanager);
  await new Promise((resolve) => sink?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function run(withParams: Record<string, unknown>, alertmanagerUrl = alertmanager.url) {
  const ctx = createCheckContext({ timeoutMs: 20_000, nodeId: 'paging-tested', connections: { prometheus: { url: 'http://127.0.0.1:9', alertmanagerUrl } } });
  try {
    return await receivers.run(receivers.params.parse(withParams), ctx);
  } finally {
    await ctx.close();
  }
}

describe('alertmanager.receivers with notify: true', () => {
  it('declares itself mutating only with notify, and tests one receiver per node', () => {
    expect(typeof receivers.mutates === 'function' && receivers.mutates(receivers.params.parse({ receivers: ['a'], notify: true }))).toBe(true);
    expect(typeof receivers.mutates === 'function' && receivers.mutates(receivers.params.parse({ receivers: ['a'] }))).toBe(false);
    expect(receivers.params.safeParse({ receivers: ['a', 'b'], notify: true }).success).toBe(false);
  });

  it('delivers a test alert to the named receiver: routed there, counted as sent, received by its webhook, then resolved', async () => {
    const result = await run({ receivers: ['pagerduty-critical'], notify: true, labels: { severity: 'critical' } });
    expect(result).toMatchObject({ observed: 0, outputs: { delivered: ['webhook'] } });
    const delivered = received.filter((r) => r.path === '/pagerduty-critical');
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.body.alerts![0]!.labels).toMatchObject({ alertname: 'RolloutNotificationTest', severity: 'critical', rollout_notification_test: expect.stringMatching(/^paging-tested-[0-9a-f]{12}$/) });
    // Resolved right after: Alertmanager lists it no more as active.
    const id = delivered[0]!.body.alerts![0]!.labels.rollout_notification_test!;
    const active = await fetch(`${alertmanager.url}/api/v2/alerts?active=true&filter=${encodeURIComponent(`rollout_notification_test="${id}"`)}`).then((r) => r.json());
    expect(active).toEqual([]);
  });

  it('fails when the routing tree sends the test alert elsewhere (labels your route does not match)', async () => {
    const result = await run({ receivers: ['pagerduty-critical'], notify: true, labels: { severity: 'info' } });
    expect(result).toMatchObject({ observed: 1, details: { notes: expect.arrayContaining([expect.stringMatching(/routed to team-email, not pagerduty-critical/)]) } });
  });

  it('fails when the delivery fails (a webhook nobody answers) or the receiver has no integration', async () => {
    const dead = await run({ receivers: ['dead-hook'], notify: true, labels: { team: 'ghost' } });
    expect(dead).toMatchObject({ observed: 1, details: { notes: expect.arrayContaining([expect.stringMatching(/delivery failed .* for webhook/)]) } });
    const silent = await run({ receivers: ['silent'], notify: true, labels: { team: 'silent' } });
    expect(silent).toMatchObject({ observed: 1, details: { notes: expect.arrayContaining(['silent has no integration: nothing would be delivered']) } });
  }, 30_000);

  it('a receiver that is not configured is missing, and nothing is sent', async () => {
    const before = received.length;
    expect(await run({ receivers: ['slack-warnings'], notify: true })).toMatchObject({ observed: 1, outputs: { missing: ['slack-warnings'] } });
    expect(received.length).toBe(before);
  });

  it('Alertmanager down is an error, never a pass', async () => {
    const result = await run({ receivers: ['pagerduty-critical'], notify: true }, `http://127.0.0.1:${await findClosedPort()}`);
    expect(result).toHaveProperty('error');
  });
});
