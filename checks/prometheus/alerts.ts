import { z } from 'zod';
import type { CheckContext, CheckResult, EvaluationError } from '../../src/sdk/index.js';
import { defineCheck } from '../../src/sdk/index.js';
import { queryInstant } from './api.js';
import { type Client, connect, readJson } from './client.js';
import { type Matcher, matches, parseMatcher } from './matchers.js';
import { type Labels, seriesName } from './series.js';

const matcherText = z.string().superRefine((text, ctx) => {
  const parsed = parseMatcher(text);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const params = z.strictObject({
  source: z.enum(['prometheus', 'alertmanager']).default('prometheus').describe('Where the alerts come from: Prometheus\' rules (default) or the connection\'s `alertmanagerUrl`.'),
  matchers: z.array(matcherText).default([]).describe('Only alerts whose labels match all of these: `alertname=~"Payments.*"`, `team="db"`.'),
  severity: z.union([z.string(), z.array(z.string()).min(1)]).optional().describe('Only these severities (the `severity` label): `critical` or `[critical, page]`.'),
  includePending: z.boolean().default(false).describe('Prometheus only: count alerts still `pending` (their rule\'s `for:` not yet elapsed) too.'),
  includeSilenced: z.boolean().default(false).describe('Alertmanager only: count silenced and inhibited alerts too.'),
});

type Params = z.output<typeof params>;

interface Alert {
  labels: Labels;
  state: string;
  since?: string;
  summary?: string;
}

const MAX_ROWS = 50;

export default defineCheck({
  kind: 'prometheus.alerts',
  summary: 'Alerts firing now (or at --at); observe how many, list them in the evidence',
  description: [
    'Observes the number of firing alerts that match `matchers` and `severity`, from Prometheus\' `/api/v1/alerts` (default) or an Alertmanager\'s `/api/v2/alerts` (`source: alertmanager`, the connection\'s `alertmanagerUrl`; silenced and inhibited alerts are left out unless `includeSilenced`).',
    'The default expectation is `== 0`: "Alertmanager quiet". The firing alerts are listed in the evidence with their labels, state and summary.',
    'With `--at`, Prometheus\' own `ALERTS` series answers for that instant; Alertmanager keeps no history, so `--at` with `source: alertmanager` is an error.',
    'An unreachable Prometheus or Alertmanager is an `error`, never "no alerts".',
  ].join('\n\n'),
  params,
  observes: 'number',
  defaultExpect: '== 0',
  mutates: false,
  system: 'prometheus',
  outputs: { firing: 'how many matching alerts fire', alertnames: 'their distinct alertname labels' },
  examples: [
    '- id: alertmanager-quiet\n  uses: prometheus.alerts\n  with: { source: alertmanager, severity: [critical, page] }',
    '- id: no-payments-alerts\n  uses: prometheus.alerts\n  with: { matchers: [\'service="payments"\', \'alertname!="Watchdog"\'] }',
  ],
  async run(p, ctx) {
    const client = await connect(ctx, p.source);
    if ('error' in client) return client;
    const filters = buildMatchers(p);
    const alerts = ctx.at ? await readAlertsAt(client, p, filters, ctx.at) : await readAlertsNow(client, p, filters);
    if ('error' in alerts) return alerts;
    return describe(alerts, client, filters, ctx);
  },
});

function buildMatchers(p: Params): Matcher[] {
  const filters = p.matchers.map((text) => parseMatcher(text) as Matcher);
  if (p.severity !== undefined) {
    const severities = Array.isArray(p.severity) ? p.severity : [p.severity];
    const regex = severities.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    filters.push(parseMatcher(`severity=~${JSON.stringify(regex)}`) as Matcher);
  }
  return filters;
}

async function readAlertsNow(client: Client, p: Params, filters: Matcher[]): Promise<Alert[] | EvaluationError> {
  const isAlertmanager = client.target === 'alertmanager';
  const path = isAlertmanager ? '/api/v2/alerts' : '/api/v1/alerts';
  const query = new URLSearchParams();
  if (isAlertmanager) {
    query.set('active', 'true');
    query.set('silenced', String(p.includeSilenced));
    query.set('inhibited', String(p.includeSilenced));
    for (const filter of filters) query.append('filter', filter.text);
  }
  const response = await client.request(path, { query });
  if ('error' in response) return response;
  const read = readJson(client, path, response);
  if ('error' in read) return read;
  const alerts = isAlertmanager ? fromAlertmanager(read.json) : fromPrometheus(read.json, p.includePending);
  if (!alerts) return { error: `unexpected answer from ${client.displayUrl}${path}: no alert list` };
  // Filtering here too keeps both sources equal, whatever the server's filter support.
  return alerts.filter((alert) => filters.every((filter) => matches(alert.labels, filter)));
}

function fromPrometheus(json: unknown, includePending: boolean): Alert[] | undefined {
  const alerts = (json as { data?: { alerts?: unknown } }).data?.alerts;
  if (!Array.isArray(alerts)) return undefined;
  return alerts
    .filter((a: { state?: string }) => a.state === 'firing' || (includePending && a.state === 'pending'))
    .map((a: { labels?: Labels; state: string; activeAt?: string; annotations?: Labels }) => ({
      labels: a.labels ?? {},
      state: a.state,
      since: a.activeAt,
      summary: a.annotations?.summary ?? a.annotations?.description,
    }));
}

function fromAlertmanager(json: unknown): Alert[] | undefined {
  if (!Array.isArray(json)) return undefined;
  return json.map((a: { labels?: Labels; startsAt?: string; status?: { state?: string }; annotations?: Labels }) => ({
    labels: a.labels ?? {},
    state: a.status?.state === 'active' ? 'firing' : (a.status?.state ?? 'firing'),
    since: a.startsAt,
    summary: a.annotations?.summary ?? a.annotations?.description,
  }));
}

/** `--at`: Prometheus records every alert's state in its `ALERTS` series; read that instant. */
async function readAlertsAt(client: Client, p: Params, filters: Matcher[], at: Date): Promise<Alert[] | EvaluationError> {
  if (client.target === 'alertmanager') {
    return { error: 'Alertmanager keeps no history, so --at cannot be answered from it: use source: prometheus (its ALERTS series)' };
  }
  const state = p.includePending ? 'alertstate=~"firing|pending"' : 'alertstate="firing"';
  const answer = await queryInstant(client, `ALERTS{${[state, ...filters.map((f) => f.text)].join(',')}}`, at);
  if ('error' in answer) return answer;
  if (answer.result.type !== 'vector') return { error: 'unexpected answer to the ALERTS query' };
  return answer.result.series.map((s) => {
    const { alertstate = 'firing', ...labels } = s.labels;
    return { labels, state: alertstate };
  });
}

function describe(alerts: Alert[], client: Client, filters: Matcher[], ctx: CheckContext): CheckResult {
  const rows = alerts.slice(0, MAX_ROWS).map((alert) => {
    const { alertname = '', severity = '', ...rest } = alert.labels;
    return { alertname, severity, state: alert.state, since: alert.since ?? '', labels: seriesName(rest), summary: alert.summary ?? '' };
  });
  const notes = [`source: ${client.displayUrl}${ctx.at ? ` (ALERTS at ${ctx.at.toISOString()})` : ''}`];
  if (filters.length) notes.push(`matchers: ${filters.map((f) => f.text).join(', ')}`);
  if (alerts.length > MAX_ROWS) notes.push(`${alerts.length - MAX_ROWS} more not listed`);
  return {
    observed: alerts.length,
    details: { notes, ...(rows.length ? { rows } : {}) },
    outputs: { firing: alerts.length, alertnames: [...new Set(alerts.map((a) => a.labels.alertname ?? ''))] },
  };
}
