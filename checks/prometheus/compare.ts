import { z } from 'zod';
import type { CheckResult, EvaluationError } from '../../src/sdk/index.js';
import { defineCheck, duration, formatDuration } from '../../src/sdk/index.js';
import { queryRange, rangeTimestamps } from './api.js';
import { type Client, connect } from './client.js';
import { type Alternative, median, testMannWhitney } from './mann-whitney.js';
import { BROWSER_HINT, checkQuery } from './promql.js';
import { formatNumber, sparkline } from './series.js';

const params = z
  .strictObject({
    query: z.string().min(1, 'query is empty: write a PromQL expression').describe('PromQL of the canary (or, with `before`/`after`, of the service before and after the deploy), e.g. a p95 latency or an error ratio.'),
    baseline: z.string().min(1).optional().describe('PromQL of the baseline (the stable track) over the same window. Leave it out to compare `before` with `after`.'),
    window: duration.default(30 * 60_000).describe('How far back both sides are read, ending now (or `--at`); default 30m. Canary/baseline only.'),
    before: duration.optional().describe('With `after`: the length of the window before the deploy. In a stage it ends where the stage\'s steps began; elsewhere (a gate, a trigger) where `after` begins.'),
    after: duration.optional().describe('With `before`: the length of the window after the deploy, ending now (or `--at`). In a stage it never reaches back past the start of the steps: too little time since is `inconclusive`.'),
    step: duration.default(60_000).describe('The range queries\' step: one sample per step per series (default 1m).'),
    direction: z.enum(['increase', 'decrease', 'either']).default('increase').describe('Which change is harmful: `increase` (latency, errors; default), `decrease` (throughput, success rate) or `either` (two-sided test).'),
    alpha: z.number().gt(0).lt(1).default(0.05).describe('Significance level of the Mann-Whitney U test (default 0.05).'),
    minSamples: z.number().int().min(2).default(50).describe('Fewer samples than this on either side (all series pooled, NaNs dropped) is `inconclusive` (default 50).'),
    tolerance: z.number().min(0).default(0.1).describe('How large a relative change of the medians is acceptable (0.1 = 10 %, the default), however significant.'),
  })
  .refine((p) => (p.baseline !== undefined) !== (p.before !== undefined || p.after !== undefined), { message: 'give either baseline (canary vs baseline) or before and after (one query before vs after the deploy), not both', path: ['baseline'] })
  .refine((p) => (p.before === undefined) === (p.after === undefined), { message: 'before and after go together: the lengths of the windows before and after the deploy', path: ['before'] });

type Params = z.output<typeof params>;

interface Side {
  label: string;
  query: string;
  from: Date;
  to: Date;
  /** Set when the window was cut short at the start of the stage's steps. */
  sinceSteps?: Date;
}

interface Read {
  values: number[];
  dropped: number;
  series: number;
  line: Array<number | undefined>;
}

export default defineCheck({
  kind: 'prometheus.compare',
  summary: 'A canary against its baseline (or after against before): Mann-Whitney U test on the relative change of medians',
  description: [
    'Reads two sides with one range query each: `query` (the canary) and `baseline` over the same `window`, or one `query` over a `before` window and an `after` window (ending now or at `--at`). In a stage, `before` ends where the stage\'s steps began and `after` starts no earlier; outside a stage, `before` ends where `after` begins (a look-back). Every series\' samples are pooled; NaN samples are dropped and counted.',
    'The change is the relative change of the medians (canary / baseline − 1). The node fails when the change is in the harmful `direction`, larger than `tolerance`, AND significant: a Mann-Whitney U test (normal approximation with tie and continuity correction, exactly as scipy\'s `mannwhitneyu(method="asymptotic")`), one-sided for `increase`/`decrease`, two-sided for `either`, gives p < `alpha`.',
    'Fewer than `minSamples` samples on either side (an empty side included) is `inconclusive` — exit 3, never a pass; `onInconclusive:` overrides. A query Prometheus rejects is an `error`.',
    'The evidence shows n, the medians, U, p, the change, the dropped NaNs, and both sides as sparklines.',
  ].join('\n\n'),
  params,
  observes: 'verdict',
  mutates: false,
  system: 'prometheus',
  outputs: { change: 'relative change of the medians (0.38 = +38 %)', p: 'the test\'s p-value', u: 'Mann-Whitney U of the canary' },
  examples: [
    '- id: canary-latency\n  uses: prometheus.compare\n  with:\n    query: histogram_quantile(0.95, sum by (le, pod) (rate(http_request_duration_seconds_bucket{track="canary"}[1m])))\n    baseline: histogram_quantile(0.95, sum by (le, pod) (rate(http_request_duration_seconds_bucket{track="stable"}[1m])))\n    window: 30m\n    step: 1m\n    direction: increase\n    tolerance: 0.1',
    '- id: errors-after-deploy\n  uses: prometheus.compare\n  with: { query: "sum(rate(http_requests_total{code=~\\"5..\\"}[1m])) / sum(rate(http_requests_total[1m]))", before: 1h, after: 15m, step: 15s, minSamples: 30 }',
  ],
  async run(p, ctx) {
    const client = await connect(ctx);
    if ('error' in client) return client;
    const to = ctx.at ?? ctx.now();
    const [canarySide, baselineSide] = sides(p, to, ctx.stepsStartedAt);
    const [canary, baseline] = await Promise.all([readSide(client, canarySide, p.step), readSide(client, baselineSide, p.step)]);
    if ('error' in canary) return canary;
    if ('error' in baseline) return baseline;
    return judge(p, canarySide, canary, baselineSide, baseline, client.displayUrl);
  },
  validate(p) {
    return [...checkQuery(p.query, ['query'], BROWSER_HINT), ...(p.baseline !== undefined ? checkQuery(p.baseline, ['baseline'], BROWSER_HINT) : [])];
  },
});

function sides(p: Params, to: Date, stepsStartedAt: Date | undefined): [Side, Side] {
  if (p.baseline !== undefined) {
    const from = new Date(to.getTime() - p.window);
    return [
      { label: 'canary', query: p.query, from, to },
      { label: 'baseline', query: p.baseline, from, to },
    ];
  }
  if (stepsStartedAt) {
    // In a stage: before is what ran before the steps; after never reaches back past their
    // start (1 ms later, so the sample at the start belongs to before only). An after window
    // that had too little time since is short, and so inconclusive — never pre-deploy data
    // judged against itself.
    const start = stepsStartedAt.getTime();
    const afterFrom = Math.max(to.getTime() - p.after!, start + 1);
    return [
      { label: 'after', query: p.query, from: new Date(afterFrom), to, ...(afterFrom > to.getTime() - p.after! ? { sinceSteps: stepsStartedAt } : {}) },
      { label: 'before', query: p.query, from: new Date(start - p.before!), to: stepsStartedAt },
    ];
  }
  // Outside a stage (a gate, a trigger) there is no deploy instant: the look-back compares the
  // last `after` with the `before` that precedes it, one step short so no sample is in both.
  const afterFrom = new Date(to.getTime() - p.after!);
  const beforeTo = new Date(afterFrom.getTime() - p.step);
  return [
    { label: 'after', query: p.query, from: afterFrom, to },
    { label: 'before', query: p.query, from: new Date(beforeTo.getTime() - p.before!), to: beforeTo },
  ];
}

async function readSide(client: Client, side: Side, stepMs: number): Promise<Read | EvaluationError> {
  if (side.from.getTime() > side.to.getTime()) return { values: [], dropped: 0, series: 0, line: [] };
  const timestamps = rangeTimestamps(side.from, side.to, stepMs);
  const answer = await queryRange(client, side.query, timestamps, stepMs);
  if ('error' in answer) return { error: `${side.label}: ${answer.error}`, details: { query: side.query } };
  const values: number[] = [];
  let dropped = 0;
  for (const series of answer.result) {
    for (const value of series.points.values()) {
      if (Number.isFinite(value)) values.push(value);
      else dropped++;
    }
  }
  // The picture: per step, the median across series (one series: its value).
  const line = timestamps.map((at) => {
    const here = answer.result.map((s) => s.points.get(at)).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return here.length ? median(here) : undefined;
  });
  return { values, dropped, series: answer.result.length, line };
}

function judge(p: Params, canarySide: Side, canary: Read, baselineSide: Side, baseline: Read, prometheus: string): CheckResult {
  const window = (side: Side) => `${side.from.toISOString()} … ${side.to.toISOString()}`;
  const notes = [
    `${canarySide.label}: n=${canary.values.length} from ${canary.series} series${canary.dropped ? `, ${canary.dropped} NaN samples dropped` : ''}, ${window(canarySide)}`,
    `${baselineSide.label}: n=${baseline.values.length} from ${baseline.series} series${baseline.dropped ? `, ${baseline.dropped} NaN samples dropped` : ''}, ${window(baselineSide)}`,
  ];
  const details = {
    query: p.query,
    ...(p.baseline !== undefined ? { baseline: p.baseline } : {}),
    prometheus,
    step: formatDuration(p.step),
    droppedNaN: { [canarySide.label]: canary.dropped, [baselineSide.label]: baseline.dropped },
    summary: [`${canarySide.label.padEnd(8)} ${picture(canary)}`, `${baselineSide.label.padEnd(8)} ${picture(baseline)}`].join('\n'),
    notes,
  };
  const short = [canarySide, baselineSide].map((side, i) => ({ side, read: i === 0 ? canary : baseline })).filter(({ read }) => read.values.length < p.minSamples);
  if (short.length) {
    const reasons = short.map(({ side, read }) => `${side.label}: ${read.values.length} samples, fewer than minSamples ${p.minSamples}${read.series === 0 && !side.sinceSteps ? ' (the query returned no series)' : ''}${side.sinceSteps ? ` (only since the stage's steps began at ${side.sinceSteps.toISOString()})` : ''}`);
    reasons.push(`too little data to compare: widen window, shorten step or lower minSamples`);
    return { status: 'inconclusive', reasons, details };
  }
  const alternative: Alternative = p.direction === 'increase' ? 'greater' : p.direction === 'decrease' ? 'less' : 'two-sided';
  const test = testMannWhitney(canary.values, baseline.values, alternative);
  const canaryMedian = median(canary.values);
  const baselineMedian = median(baseline.values);
  const change = relativeChange(canaryMedian, baselineMedian);
  const harmful = p.direction === 'increase' ? change > p.tolerance : p.direction === 'decrease' ? change < -p.tolerance : Math.abs(change) > p.tolerance;
  const significant = test.p < p.alpha;
  notes.push(
    `medians: ${canarySide.label} ${formatNumber(canaryMedian)}, ${baselineSide.label} ${formatNumber(baselineMedian)}; change ${formatChange(change)} (tolerance ±${formatPercent(p.tolerance)}, harmful: ${p.direction})`,
    `Mann-Whitney U=${formatNumber(test.u)}, p=${formatP(test.p)} (${alternative}, alpha ${p.alpha})`,
  );
  const headline = `${formatChange(change)} vs ${baselineSide.label} (p=${formatP(test.p)})`;
  const outputs = { change, p: test.p, u: test.u };
  const stats = { ...details, n: { [canarySide.label]: canary.values.length, [baselineSide.label]: baseline.values.length }, medians: { [canarySide.label]: canaryMedian, [baselineSide.label]: baselineMedian }, u: test.u, p: test.p, change };
  if (harmful && significant) return { status: 'fail', reasons: [`${headline}: beyond the tolerance of ${formatPercent(p.tolerance)} and significant at alpha ${p.alpha}`], details: stats, outputs };
  const why = !harmful ? `within the tolerance of ${formatPercent(p.tolerance)} in the harmful direction (${p.direction})` : `not significant at alpha ${p.alpha}`;
  return { status: 'pass', reasons: [`${headline}: ${why}`], details: stats, outputs };
}

/** canary / baseline − 1; a zero baseline makes any rise infinite and equal zeros no change. */
function relativeChange(canary: number, baseline: number): number {
  if (baseline === 0) return canary === 0 ? 0 : canary > 0 ? Infinity : -Infinity;
  return canary / baseline - 1;
}

function picture(read: Read): string {
  if (!read.values.length) return 'no samples';
  return `${sparkline(read.line)} min ${formatNumber(Math.min(...read.values))} max ${formatNumber(Math.max(...read.values))}`;
}

function formatChange(change: number): string {
  if (!Number.isFinite(change)) return change > 0 ? '+∞%' : '−∞%';
  const percent = +(change * 100).toPrecision(3);
  return `${percent >= 0 ? '+' : ''}${percent}%`;
}

function formatPercent(fraction: number): string {
  return `${+(fraction * 100).toPrecision(3)}%`;
}

function formatP(p: number): string {
  return p < 0.001 ? p.toExponential(1) : String(+p.toPrecision(2));
}

