import { randomBytes } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { defineCheck, duration, type CheckContext, type Details } from '../../src/sdk/index.js';
import { connect, readJson, type Client } from '../prometheus/client.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const DEFAULT_WAIT_MS = 30_000;
const POLL_MS = 250;
const SETTLE_MS = 1000;

const params = z
  .strictObject({
    receivers: z.array(z.string().min(1)).min(1).describe('Receiver names that must be configured, e.g. [pagerduty-critical, slack-warnings]; with `notify: true`, the one receiver to test.'),
    notify: z.boolean().default(false).describe('Send a test alert and confirm that Alertmanager routed it to the receiver and delivered it (mutating: someone is notified).'),
    labels: z
      .record(z.string().regex(LABEL_NAME, 'a Prometheus label name'), z.string())
      .default({})
      .describe('With `notify`: labels of the test alert, so that your routing tree sends it to the receiver, e.g. { severity: critical, team: dpg }.'),
    wait: duration.optional().describe('With `notify`: how long to wait for the delivery (default 30s); longer than the route\'s group_wait, shorter than the node\'s timeout.'),
  })
  .refine((p) => !p.notify || p.receivers.length === 1, { message: 'notify: true tests one receiver: name exactly one (one node per receiver)', path: ['receivers'] });

type Params = z.output<typeof params>;

export default defineCheck({
  kind: 'alertmanager.receivers',
  summary: "Receivers (notification channels) configured in Alertmanager; with notify: true, a test alert delivered to one",
  description: [
    "Reads Alertmanager's `/api/v2/receivers` (the prometheus connection's `alertmanagerUrl`) and observes how many of `receivers` are not configured; default `== 0`.",
    'With `notify: true` (mutating) it also posts a test alert carrying `labels` and a unique `rollout_notification_test` label, confirms from `/api/v2/alerts` that the routing tree sent it to the receiver, and waits for a successful notification request (`alertmanager_notification_requests_total` minus `…_failed_total`) of each of the receiver\'s integrations, with no failed one; then resolves the alert. A receiver not reached counts as missing.',
    'An unreachable Alertmanager is an `error` (a measurement source), never "all present".',
  ].join('\n\n'),
  params,
  observes: 'number',
  defaultExpect: '== 0',
  mutates: (p: Params) => p.notify === true,
  mutatesWhen: 'when notify: true (a test alert is sent to the receiver)',
  system: 'prometheus',
  outputs: { configured: 'every receiver name Alertmanager has', missing: 'the required ones it lacks', delivered: 'with notify: the integrations that delivered the test alert' },
  examples: [
    '- id: paging-configured\n  uses: alertmanager.receivers\n  with: { receivers: [pagerduty-critical, slack-warnings] }',
    '- id: paging-tested\n  uses: alertmanager.receivers\n  mutates: true\n  with: { receivers: [pagerduty-critical], notify: true, labels: { severity: critical } }\n  timeout: 1m',
  ],
  async run(p, ctx) {
    const client = await connect(ctx, 'alertmanager');
    if ('error' in client) return client;
    const listed = await getJson(client, '/api/v2/receivers');
    if ('error' in listed) return listed;
    if (!Array.isArray(listed.json)) return { error: `unexpected answer from ${client.displayUrl}/api/v2/receivers: no receiver list` };
    const configured = listed.json.map((r: { name?: unknown }) => String(r.name ?? ''));
    const missing = p.receivers.filter((name) => !configured.includes(name));
    const notes = [`${client.displayUrl}: receivers ${configured.join(', ') || '(none)'}`];
    if (missing.length) notes.push(`not configured: ${missing.join(', ')}`);
    if (!p.notify || missing.length) return { observed: missing.length, details: { notes }, outputs: { configured, missing } };
    const tested = await testReceiver(client, p, ctx, notes);
    if ('error' in tested) return { error: tested.error, details: { notes } };
    return { observed: tested.delivered ? 0 : 1, details: { notes } satisfies Details, outputs: { configured, missing: tested.delivered ? [] : p.receivers, delivered: tested.integrations } };
  },
});

/** Posts the test alert, confirms its route and delivery, resolves it. */
async function testReceiver(client: Client, p: Params, ctx: CheckContext, notes: string[]): Promise<{ delivered: boolean; integrations: string[] } | { error: string }> {
  const receiver = p.receivers[0]!;
  const integrations = await integrationsOf(client, receiver);
  if ('error' in integrations) return integrations;
  if (integrations.length === 0) {
    notes.push(`${receiver} has no integration: nothing would be delivered`);
    return { delivered: false, integrations: [] };
  }
  const before = await readCounters(client);
  if ('error' in before) return before;
  const testId = `${ctx.nodeId}-${randomBytes(6).toString('hex')}`;
  const labels = { alertname: 'RolloutNotificationTest', ...p.labels, rollout_notification_test: testId };
  const alert = (endsAt: Date) => [{ labels, annotations: { summary: `rollout notification test of ${receiver} (node ${ctx.nodeId})` }, startsAt: ctx.now().toISOString(), endsAt: endsAt.toISOString() }];
  const posted = await post(client, alert(new Date(Date.now() + 5 * 60_000)));
  if ('error' in posted) return posted;
  notes.push(`test alert posted: ${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}`);
  try {
    const deadline = Date.now() + Math.min(p.wait ?? DEFAULT_WAIT_MS, Math.max(ctx.timeoutMs - 1000, POLL_MS));
    const routed = await waitForRoute(client, testId, deadline, ctx);
    if ('error' in routed) return routed;
    if (!routed.receivers.includes(receiver)) {
      notes.push(`routed to ${routed.receivers.join(', ') || 'no receiver'}, not ${receiver}: give the test alert \`labels\` your route to ${receiver} matches`);
      return { delivered: false, integrations: [] };
    }
    notes.push(`routed to ${receiver}; waiting for ${integrations.join(', ')} to deliver`);
    for (;;) {
      const now = await readCounters(client);
      if ('error' in now) return now;
      const failed = integrations.filter((i) => (now.failed[i] ?? 0) > (before.failed[i] ?? 0));
      if (failed.length) {
        notes.push(`delivery failed (alertmanager_notification_requests_failed_total rose) for ${failed.join(', ')}`);
        return { delivered: false, integrations: [] };
      }
      // A success is a request that did not fail.
      if (integrations.every((i) => net(now, i) > net(before, i))) {
        // Counters are per integration, not per receiver: another receiver's success of the same
        // type could be what rose. A failure of ours lands within moments of our attempt, so look again.
        await sleep(SETTLE_MS, ctx.signal);
        const settled = await readCounters(client);
        if ('error' in settled) return settled;
        const failedLate = integrations.filter((i) => (settled.failed[i] ?? 0) > (before.failed[i] ?? 0));
        if (failedLate.length) {
          notes.push(`delivery failed (alertmanager_notification_requests_failed_total rose) for ${failedLate.join(', ')}`);
          return { delivered: false, integrations: [] };
        }
        notes.push(`delivered through ${integrations.join(', ')}`);
        return { delivered: true, integrations };
      }
      if (Date.now() >= deadline || ctx.signal.aborted) {
        notes.push(`no delivery within ${Math.round((p.wait ?? DEFAULT_WAIT_MS) / 1000)}s (is the route's group_wait shorter?)`);
        return { delivered: false, integrations: [] };
      }
      await sleep(POLL_MS, ctx.signal);
    }
  } finally {
    // Resolved at once, so the test alert neither pages again nor lingers in the UI.
    await post(client, alert(new Date()));
  }
}

/** The integration types of a receiver (webhook, email, slack, pagerduty, …), from the running configuration. */
async function integrationsOf(client: Client, receiver: string): Promise<string[] | { error: string }> {
  const status = await getJson(client, '/api/v2/status');
  if ('error' in status) return status;
  const original = (status.json as { config?: { original?: unknown } }).config?.original;
  if (typeof original !== 'string') return { error: `${client.displayUrl}/api/v2/status: no configuration to read the receiver's integrations from` };
  let config: { receivers?: Array<Record<string, unknown>> };
  try {
    config = parseYaml(original) as typeof config;
  } catch {
    return { error: `${client.displayUrl}/api/v2/status: the configuration is not YAML` };
  }
  const entry = config.receivers?.find((r) => r.name === receiver);
  if (!entry) return { error: `${receiver} is listed but not in the running configuration` };
  return Object.entries(entry)
    .filter(([key, value]) => key.endsWith('_configs') && Array.isArray(value) && value.length > 0)
    .map(([key]) => key.replace(/_configs$/, ''));
}

type Counters = { sent: Record<string, number>; failed: Record<string, number> };

const net = (counters: Counters, integration: string): number => (counters.sent[integration] ?? 0) - (counters.failed[integration] ?? 0);

// Per request (each retry counted), so a failed delivery shows at once; alertmanager_notifications_failed_total only moves once the retries give up.
const COUNTER = /^alertmanager_notification_requests(_failed)?_total\{[^}]*integration="([^"]+)"[^}]*\}\s+(\S+)/;

/** Notification requests made and failed per integration, from Alertmanager's own /metrics. */
async function readCounters(client: Client): Promise<Counters | { error: string }> {
  const response = await client.request('/metrics');
  if ('error' in response) return response;
  if (response.status !== 200) return { error: `${client.displayUrl}/metrics: HTTP ${response.status}` };
  const sent: Record<string, number> = {};
  const failed: Record<string, number> = {};
  for (const line of response.body.split('\n')) {
    const match = COUNTER.exec(line);
    if (!match) continue;
    const value = Number(match[3]);
    if (!Number.isFinite(value)) return { error: `${client.displayUrl}/metrics: unreadable counter ${line}` };
    (match[1] ? failed : sent)[match[2]!] = value;
  }
  if (Object.keys(sent).length === 0) return { error: `${client.displayUrl}/metrics: no alertmanager_notification_requests_total to confirm a delivery with` };
  return { sent, failed };
}

async function waitForRoute(client: Client, testId: string, deadline: number, ctx: CheckContext): Promise<{ receivers: string[] } | { error: string }> {
  const query = new URLSearchParams({ filter: `rollout_notification_test="${testId}"` });
  for (;;) {
    const response = await client.request('/api/v2/alerts', { query });
    if ('error' in response) return response;
    const read = readJson(client, '/api/v2/alerts', response);
    if ('error' in read) return read;
    const found = Array.isArray(read.json) ? (read.json as Array<{ receivers?: Array<{ name?: unknown }> }>)[0] : undefined;
    if (found) return { receivers: (found.receivers ?? []).map((r) => String(r.name ?? '')) };
    if (Date.now() >= deadline || ctx.signal.aborted) return { error: `the test alert never showed in ${client.displayUrl}/api/v2/alerts` };
    await sleep(POLL_MS, ctx.signal);
  }
}

async function getJson(client: Client, path: string): Promise<{ json: unknown } | { error: string }> {
  const response = await client.request(path);
  if ('error' in response) return response;
  return readJson(client, path, response);
}

async function post(client: Client, alerts: unknown): Promise<{ ok: true } | { error: string }> {
  const response = await client.request('/api/v2/alerts', { json: alerts });
  if ('error' in response) return response;
  if (response.status !== 200) return { error: `Alertmanager refused the test alert (HTTP ${response.status}): ${response.body.slice(0, 200)}` };
  return { ok: true };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
