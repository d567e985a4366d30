import { z } from 'zod';
import type { CheckContext, CheckResult } from '../../src/sdk/index.js';
import { defineCheck } from '../../src/sdk/index.js';
import { connect, readJson } from './client.js';
import { type Matcher, matches, parseMatcher } from './matchers.js';
import type { Labels } from './series.js';

const matcherText = z.string().superRefine((text, ctx) => {
  const parsed = parseMatcher(text);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const params = z.strictObject({
  severities: z.array(z.string().min(1)).default([]).describe('Severities that must each have at least one alerting rule (the `severity` label), e.g. [critical, warning, info].'),
  alerts: z.array(z.string().min(1)).default([]).describe('Alert names that must each have an alerting rule, e.g. [PostgresDown, DiskFull].'),
  matchers: z.array(matcherText).default([]).describe('Only rules whose labels (alertname included) match all of these: `team="db"`.'),
});

type Params = z.output<typeof params>;

interface Rule {
  group: string;
  labels: Labels;
  health: string;
  lastError?: string;
  lastEvaluationMs: number;
}

const OBSERVES = ['missing', 'unhealthy', 'evaluationAge', 'count'] as const;

export default defineCheck({
  kind: 'prometheus.rules',
  summary: 'Alerting rules loaded in Prometheus: required severities and names present, healthy, recently evaluated',
  description: [
    "Reads Prometheus' `/api/v1/rules?type=alert` and observes, over the alerting rules that match `matchers`:",
    '`missing` (default, `== 0`): how many of `severities` and `alerts` have no rule; `unhealthy` (`== 0`): rules whose last evaluation failed; `evaluationAge` (`<= 5m`): seconds since the stalest rule was last evaluated; `count`: how many rules match.',
    'An unreachable Prometheus is an `error` (a measurement source). Prometheus keeps no history of its rules, so `--at` is an `error`.',
  ].join('\n\n'),
  params,
  observes: 'number',
  observeChoices: {
    default: 'missing',
    patterns: OBSERVES.map((name) => new RegExp(`^${name}$`)),
    help: ['missing (default; required severities and alert names without a rule)', 'unhealthy (rules whose evaluation fails)', 'evaluationAge (seconds since the stalest last evaluation)', 'count (matching alerting rules)'],
  },
  defaultExpect: (observe) => ({ missing: '== 0', unhealthy: '== 0', evaluationAge: '<= 5m' } as Record<string, string>)[observe ?? 'missing'],
  mutates: false,
  system: 'prometheus',
  outputs: { missing: 'the required severities and alert names without a rule', count: 'matching alerting rules' },
  examples: [
    '- id: alerting-rules-defined\n  uses: prometheus.rules\n  with: { severities: [critical, warning, info] }',
    '- id: rules-evaluating\n  uses: prometheus.rules\n  observe: evaluationAge\n  expect: "<= 2m"',
  ],
  async run(p, ctx) {
    if ((ctx.observe ?? 'missing') === 'missing' && p.severities.length + p.alerts.length === 0) {
      return { error: 'observe: missing needs `severities` or `alerts` to look for; nothing required would pass vacuously' };
    }
    if (ctx.at) return { error: 'Prometheus keeps no history of its rules: --at cannot be answered by prometheus.rules' };
    const client = await connect(ctx);
    if ('error' in client) return client;
    const path = '/api/v1/rules';
    const response = await client.request(path, { query: new URLSearchParams({ type: 'alert' }) });
    if ('error' in response) return response;
    const read = readJson(client, path, response);
    if ('error' in read) return read;
    const rules = readRules(read.json);
    if (!rules) return { error: `unexpected answer from ${client.displayUrl}${path}: no rule groups` };
    const filters = p.matchers.map((text) => parseMatcher(text) as Matcher);
    return observeRules(rules.filter((rule) => filters.every((filter) => matches(rule.labels, filter))), p, ctx, client.displayUrl);
  },
});

function readRules(json: unknown): Rule[] | undefined {
  const groups = (json as { data?: { groups?: unknown } }).data?.groups;
  if (!Array.isArray(groups)) return undefined;
  return groups.flatMap((group: { name?: string; rules?: unknown[] }) =>
    (group.rules ?? [])
      .filter((rule) => (rule as { type?: string }).type === 'alerting')
      .map((rule) => {
        const r = rule as { name: string; labels?: Labels; health?: string; lastError?: string; lastEvaluation?: string };
        // A rule never evaluated reports year 1: its age is then enormous, never "recent".
        return { group: group.name ?? '', labels: { ...r.labels, alertname: r.name }, health: r.health ?? 'unknown', lastError: r.lastError || undefined, lastEvaluationMs: Date.parse(r.lastEvaluation ?? '') };
      }),
  );
}

function observeRules(rules: Rule[], p: Params, ctx: CheckContext, source: string): CheckResult {
  const missing = [
    ...p.severities.filter((severity) => !rules.some((rule) => rule.labels.severity === severity)).map((s) => `severity ${s}`),
    ...p.alerts.filter((name) => !rules.some((rule) => rule.labels.alertname === name)).map((n) => `alert ${n}`),
  ];
  const unhealthy = rules.filter((rule) => rule.health !== 'ok');
  const nowMs = ctx.now().getTime();
  const ages = rules.map((rule) => (Number.isFinite(rule.lastEvaluationMs) ? (nowMs - rule.lastEvaluationMs) / 1000 : Infinity));
  const notes = [`source: ${source}; ${rules.length} alerting rule(s) match`];
  if (missing.length) notes.push(`no alerting rule for: ${missing.join(', ')}`);
  for (const rule of unhealthy) notes.push(`${rule.labels.alertname} (group ${rule.group}) is ${rule.health}${rule.lastError ? `: ${rule.lastError}` : ''}`);
  const rows = rules.slice(0, 50).map((rule) => ({ alertname: rule.labels.alertname, severity: rule.labels.severity ?? '', group: rule.group, health: rule.health }));
  const outputs = { missing, count: rules.length };
  const details = { notes, ...(rows.length ? { rows } : {}) };
  switch (ctx.observe ?? 'missing') {
    case 'unhealthy':
      return { observed: unhealthy.length, details, outputs };
    case 'evaluationAge':
      // No rule: no data (error), never "recent".
      return { observed: ages.length ? Math.round(Math.max(...ages) * 1000) / 1000 : null, unit: 'seconds', details, outputs };
    case 'count':
      return { observed: rules.length, details, outputs };
    default:
      return { observed: missing.length, details, outputs };
  }
}
