import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';
import { connect, readJson } from '../prometheus/client.js';

const params = z.strictObject({
  receivers: z.array(z.string().min(1)).min(1).describe('Receiver names that must be configured, e.g. [pagerduty-critical, slack-warnings].'),
});

export default defineCheck({
  kind: 'alertmanager.receivers',
  summary: "Receivers (notification channels) configured in Alertmanager: how many required ones are missing",
  description: [
    "Reads Alertmanager's `/api/v2/receivers` (the prometheus connection's `alertmanagerUrl`) and observes how many of `receivers` are not configured; default `== 0`.",
    'An unreachable Alertmanager is an `error` (a measurement source), never "all present".',
  ].join('\n\n'),
  params,
  observes: 'number',
  defaultExpect: '== 0',
  mutates: false,
  system: 'prometheus',
  outputs: { configured: 'every receiver name Alertmanager has', missing: 'the required ones it lacks' },
  examples: ['- id: paging-configured\n  uses: alertmanager.receivers\n  with: { receivers: [pagerduty-critical, slack-warnings] }'],
  async run(p, ctx) {
    const client = await connect(ctx, 'alertmanager');
    if ('error' in client) return client;
    const path = '/api/v2/receivers';
    const response = await client.request(path);
    if ('error' in response) return response;
    const read = readJson(client, path, response);
    if ('error' in read) return read;
    if (!Array.isArray(read.json)) return { error: `unexpected answer from ${client.displayUrl}${path}: no receiver list` };
    const configured = read.json.map((r: { name?: unknown }) => String(r.name ?? ''));
    const missing = p.receivers.filter((name) => !configured.includes(name));
    const notes = [`${client.displayUrl}: receivers ${configured.join(', ') || '(none)'}`];
    if (missing.length) notes.push(`not configured: ${missing.join(', ')}`);
    return { observed: missing.length, details: { notes }, outputs: { configured, missing } };
  },
});
