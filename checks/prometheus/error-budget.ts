import { z } from 'zod';
import type { LabelledValue } from '../../src/sdk/index.js';
import { defineCheck } from '../../src/sdk/index.js';
import { queryInstant } from './api.js';
import { connect } from './client.js';
import { checkQuery } from './promql.js';
import { PROMQL_DURATION, WINDOW_PLACEHOLDER as PLACEHOLDER, objectiveParam } from './slo-params.js';
import { checkTraffic, needsBoth, trafficParams } from './traffic.js';
import { formatNumber } from './series.js';

const MAX_ROWS = 50;

const windowed = (field: string, example: string) =>
  z.string().min(1).refine((q) => q.includes(PLACEHOLDER), `${field} must use ${PLACEHOLDER} where the range goes, e.g. ${example}`);

const params = z
  .strictObject({
    ...trafficParams,
    errorRatio: windowed('errorRatio', `sum(rate(errors_total[${PLACEHOLDER}])) / sum(rate(requests_total[${PLACEHOLDER}]))`).optional().describe('The SLI as an error ratio (0..1) over `$window`. Give `errorRatio`, or `bad` and `total`.'),
    bad: windowed('bad', `sum(increase(http_requests_total{code=~"5.."}[${PLACEHOLDER}]))`).optional().describe('With `total`: PromQL of the bad events over `$window` (a count or a rate, as `total` is).'),
    total: windowed('total', `sum(increase(http_requests_total[${PLACEHOLDER}]))`).optional().describe('With `bad`: PromQL of all events over `$window`. The error ratio is `(bad) / (total)`, labels matched as PromQL matches them.'),
    objective: objectiveParam,
    window: z.string().regex(PROMQL_DURATION, 'window must be a PromQL duration such as 28d or 30d').default('30d').describe('The SLO window the budget is counted over, a PromQL duration (default 30d); it replaces `$window`.'),
  })
  .refine((p) => (p.errorRatio !== undefined) !== (p.bad !== undefined || p.total !== undefined), { message: 'give either errorRatio, or bad and total', path: ['errorRatio'] })
  .refine((p) => (p.bad === undefined) === (p.total === undefined), { message: 'bad and total go together: the bad events and all events over $window', path: ['bad'] })
  .refine(needsBoth.check, needsBoth.message);

type Params = z.output<typeof params>;

export default defineCheck({
  kind: 'prometheus.error-budget',
  summary: 'Error budget remaining over the SLO window (1 = untouched, 0 = exhausted, below 0 = overspent)',
  description: [
    'Reads the error ratio over the SLO `window` (30d by default) with one instant query — `errorRatio`, or `(bad) / (total)` — at now or `--at`, and observes the fraction of the error budget left: 1 − ratio ÷ (1 − objective).',
    '0.999 objective, 0.05 % errors over the window: half the budget spent, 0.5 left. An outage that spent twice the budget leaves −1.',
    'The default expectation is `> 0` (the budget is not exhausted); a release gate usually asks for a reserve, `>= 0.25`.',
    'Fail closed: no series, or no traffic at all (0/0 = NaN) is an `error`, never a pass; with `minRequests` and `requests` fewer requests than the floor over the window is `inconclusive`. Several labelled series are judged one by one (`sum by (route)`).',
  ].join('\n\n'),
  params,
  observes: 'any',
  defaultExpect: '> 0',
  mutates: false,
  system: 'prometheus',
  outputs: { remaining: 'the budget left, a fraction (single series)', spent: 'the budget spent, a fraction (single series)', errorRatio: 'the error ratio over the window (single series)' },
  examples: [
    '- id: error-budget\n  uses: prometheus.error-budget\n  with:\n    errorRatio: sum(rate(http_requests_total{job="api",code=~"5.."}[$window])) / sum(rate(http_requests_total{job="api"}[$window]))\n    objective: 0.999\n    window: 30d\n  expect: ">= 0.25"',
    '- id: checkout-budget\n  uses: prometheus.error-budget\n  with:\n    bad: sum(increase(http_requests_total{job="checkout",code=~"5.."}[$window]))\n    total: sum(increase(http_requests_total{job="checkout"}[$window]))\n    objective: 0.995\n    window: 28d\n    requests: sum(increase(http_requests_total{job="checkout"}[$window]))\n    minRequests: 10000\n  expect: "> 0.1"',
  ],
  async run(p, ctx) {
    const client = await connect(ctx);
    if ('error' in client) return client;
    const query = ratioQuery(p);
    const budget = 1 - p.objective;
    const answer = await queryInstant(client, query, ctx.at);
    const details = { query, prometheus: client.displayUrl, evaluatedAt: (ctx.at ?? ctx.now()).toISOString(), notes: [] as string[] };
    if ('error' in answer) return { error: answer.error, details };
    details.notes.push(...answer.warnings.map((w) => `Prometheus: ${w}`));
    const traffic = await checkTraffic(client, { ...p, ...(p.requests ? { requests: p.requests.replaceAll(PLACEHOLDER, p.window) } : {}) }, ctx.at);
    if ('error' in traffic) return { error: traffic.error, details };
    if (traffic.note) details.notes.push(`${traffic.note} over ${p.window}`);
    if (traffic.below) return { status: 'inconclusive', reasons: [`${traffic.below} (SLO window ${p.window})`], details };
    const { result } = answer;
    if (result.type === 'string') return { error: 'the error ratio is a string, not a number', details };
    const series = result.type === 'scalar' ? [{ name: '{}', labels: {}, value: result.value }] : result.series;
    if (series.length === 0) details.notes.push(`the error ratio returned no series over ${p.window} (no data)`);
    for (const s of series.slice(0, MAX_ROWS)) details.notes.push(explain(s.name, Object.keys(s.labels).length === 0, s.value, budget, p));
    const single = series.length === 1 && Object.keys(series[0]!.labels).length === 0;
    if (single) {
      const ratio = series[0]!.value;
      const remaining = 1 - ratio / budget;
      return { observed: remaining, details, outputs: Number.isFinite(remaining) ? { remaining, spent: 1 - remaining, errorRatio: ratio } : {} };
    }
    const observed = series.map((s): LabelledValue => ({ name: s.name, value: 1 - s.value / budget }));
    return { observed, quantifier: 'all', details: { ...details, series: series.length } };
  },
  validate(p) {
    // `$window` becomes a same-length duration, so the column of an error stays true.
    const offline = (text: string) => text.replaceAll(PLACEHOLDER, '999999s');
    const fields = (['errorRatio', 'bad', 'total', 'requests'] as const).filter((field) => p[field] !== undefined);
    return fields.flatMap((field) => checkQuery(offline(p[field]!), [field]));
  },
});

function ratioQuery(p: Params): string {
  const text = p.errorRatio ?? `(${p.bad}) / (${p.total})`;
  return text.replaceAll(PLACEHOLDER, p.window);
}

function explain(name: string, unlabelled: boolean, ratio: number, budget: number, p: Params): string {
  const who = unlabelled ? '' : `${name}: `;
  if (Number.isNaN(ratio)) return `${who}error ratio NaN over ${p.window}: no events at all (0/0), nothing to judge`;
  const spent = ratio / budget;
  return `${who}error ratio ${formatPercent(ratio)} over ${p.window}; budget ${formatPercent(budget)} (objective ${formatPercent(p.objective)}); spent ${formatPercent(spent)}, remaining ${formatPercent(1 - spent)}`;
}

function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${+(fraction * 100).toPrecision(4)}%` : formatNumber(fraction);
}
