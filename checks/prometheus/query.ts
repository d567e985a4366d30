import { z } from 'zod';
import { defineCheck, duration } from '../../src/sdk/index.js';
import { chooseStep, queryInstant, queryRange, rangeTimestamps } from './api.js';
import { connect } from './client.js';
import { BROWSER_HINT, checkQuery } from './promql.js';
import { checkTraffic, needsBoth, trafficParams } from './traffic.js';
import { assembleWindow, formatNumber, observeVector } from './series.js';

const MAX_ROWS = 50;

const params = z.strictObject({
  ...trafficParams,
  query: z.string().min(1, 'query is empty: write a PromQL expression').describe('PromQL. A ratio of sums observes one number; a vector of labelled series observes a list.'),
  match: z.enum(['all', 'any']).default('all').describe('For several series: must `all` of them meet `expect` (default), or is `any` enough?'),
  unit: z.enum(['seconds', 'bytes']).optional().describe('What the value measures, so `expect: "<= 250ms"` or `"< 4GB"` converts (seconds, bytes).'),
  step: duration.optional().describe('The range query\'s step in a `for:` window (default: D/20, between 1s and 15s).'),
}).refine(needsBoth.check, needsBoth.message);

export default defineCheck({
  kind: 'prometheus.query',
  summary: 'A PromQL query; observe its value (one number, or every series by its labels)',
  description: [
    'Runs an instant PromQL query against the environment\'s `prometheus` connection (at `--at` when given).',
    'A scalar, or a vector whose single series has no labels (`sum(...)`, a ratio of sums), is one number.',
    'Any other vector is a list of series named `metric{label="value"}`, judged one by one: `match: all` (default) needs every series to meet `expect`, `match: any` one of them.',
    'Fail closed: an empty result (no series), NaN (0/0) or ±Inf is an `error` unless the node says `onEmpty:`; an unreachable Prometheus, a 5xx or a rejected query is an `error` with Prometheus\' message.',
    'With `for: D` the window is read with ONE range query whose step is D/20 between 1s and 15s (or `step:`); a step at which a series is missing is a gap, and gaps are errors. The evidence shows the window as a sparkline with min/max.',
    '`rollout validate` checks the PromQL syntax offline and points at the column of the first error.',
  ].join('\n\n'),
  params,
  observes: 'any',
  mutates: false,
  system: 'prometheus',
  outputs: { value: 'the observed number (scalar or single unlabelled series)', series: 'how many series the query returned' },
  examples: [
    '- id: error-rate\n  uses: prometheus.query\n  with:\n    query: sum(rate(http_requests_total{job="api",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="api"}[5m]))\n  expect: "<= 0.001"',
    '- id: p95-latency\n  uses: prometheus.query\n  with:\n    query: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="api"}[5m])))\n    unit: seconds\n  expect: "<= 500ms"',
    '- id: replicas-up\n  uses: prometheus.query\n  with: { query: up{job="api"}, match: all }\n  expect: "== 1"',
    '- id: failovers\n  uses: prometheus.query\n  with: { query: sum(increase(pg_failovers_total[1h])) }\n  expect: "<= 2"',
  ],
  async run(p, ctx) {
    const client = await connect(ctx);
    if ('error' in client) return client;
    const answer = await queryInstant(client, p.query, ctx.at);
    if ('error' in answer) return { error: answer.error, details: { query: p.query } };
    const evaluatedAt = (ctx.at ?? ctx.now()).toISOString();
    const details = { query: p.query, evaluatedAt, prometheus: client.displayUrl, notes: answer.warnings.map((w) => `Prometheus: ${w}`) };
    const traffic = await checkTraffic(client, p, ctx.at);
    if ('error' in traffic) return { error: traffic.error, details };
    if (traffic.note) details.notes.push(traffic.note);
    if (traffic.below) return { status: 'inconclusive', reasons: [traffic.below], details: { ...details, requests: p.requests } };
    const { result } = answer;
    if (result.type !== 'vector') {
      return { observed: result.value, unit: p.unit, details: { ...details, resultType: result.type }, outputs: { value: result.value, series: 0 } };
    }
    const observed = observeVector(result.series);
    if (result.series.length === 0) details.notes.push('the query returned no series');
    const rows = result.series.slice(0, MAX_ROWS).map((s) => ({ series: s.name, value: formatNumber(s.value) }));
    return {
      observed,
      unit: p.unit,
      quantifier: p.match,
      details: { ...details, resultType: 'vector', series: result.series.length, ...(rows.length > 1 ? { rows } : {}) },
      outputs: { ...(typeof observed === 'number' ? { value: observed } : {}), series: result.series.length },
    };
  },
  async runWindow(p, ctx, window) {
    const client = await connect(ctx);
    if ('error' in client) return client;
    const stepMs = chooseStep(p.step, window);
    const timestamps = rangeTimestamps(window.from, window.to, stepMs);
    const answer = await queryRange(client, p.query, timestamps, stepMs);
    if ('error' in answer) return { error: answer.error, details: { query: p.query } };
    const assembled = assembleWindow(answer.result, timestamps, p.match);
    const traffic = await checkTraffic(client, p, window.to);
    if ('error' in traffic) return { error: traffic.error, details: { query: p.query } };
    if (traffic.note) assembled.notes.push(traffic.note);
    return {
      ...(traffic.below ? { inconclusive: traffic.below } : {}),
      samples: assembled.samples,
      stepMs,
      unit: p.unit,
      quantifier: p.match,
      details: {
        query: p.query,
        prometheus: client.displayUrl,
        window: `${window.from.toISOString()} … ${window.to.toISOString()}, step ${stepMs / 1000}s`,
        summary: assembled.summary,
        samples: assembled.samples.length,
        gaps: assembled.gaps,
        series: answer.result.length,
        notes: [...assembled.notes, ...answer.warnings.map((w) => `Prometheus: ${w}`)],
      },
    };
  },
  validate(p) {
    return [...checkQuery(p.query, ['query'], BROWSER_HINT), ...(p.requests !== undefined ? checkQuery(p.requests, ['requests'], BROWSER_HINT) : [])];
  },
});
