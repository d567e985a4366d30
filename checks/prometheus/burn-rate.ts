import { z } from 'zod';
import type { EvaluationError, LabelledValue } from '../../src/sdk/index.js';
import { defineCheck, duration } from '../../src/sdk/index.js';
import { type InstantResult, chooseStep, queryInstant, queryRange, rangeTimestamps } from './api.js';
import { connect } from './client.js';
import { checkQuery } from './promql.js';
import { PROMQL_DURATION, WINDOW_PLACEHOLDER as PLACEHOLDER, objectiveParam } from './slo-params.js';
import { checkTraffic, needsBoth, trafficParams } from './traffic.js';
import { type WindowSeries, assembleWindow, formatNumber } from './series.js';


const promqlDuration = (what: string) =>
  z.string().regex(PROMQL_DURATION, `${what} must be a PromQL duration such as 5m, 1h or 1h30m`);

const params = z
  .strictObject({
    ...trafficParams,
    errorRatio: z.string().refine((q) => q.includes(PLACEHOLDER), `errorRatio must use ${PLACEHOLDER} where the range goes, e.g. rate(http_requests_total[${PLACEHOLDER}])`).describe('The error ratio (0..1) over `$window`, e.g. `sum(rate(errors[$window])) / sum(rate(requests[$window]))`.'),
    objective: objectiveParam,
    longWindow: promqlDuration('longWindow').default('1h').describe('The long window: how much budget was burnt (default 1h).'),
    shortWindow: promqlDuration('shortWindow').default('5m').describe('The short window: is it still burning (default 5m).'),
    step: duration.optional().describe('The range query\'s step in a `for:` window (default: D/20, between 1s and 15s).'),
  })
  .refine((p) => toMs(p.shortWindow) < toMs(p.longWindow), { message: 'shortWindow must be shorter than longWindow', path: ['shortWindow'] })
  .refine(needsBoth.check, needsBoth.message);

type Params = z.output<typeof params>;

export default defineCheck({
  kind: 'prometheus.burn-rate',
  summary: 'Multi-window SLO burn rate of an error ratio; observe the smaller of the two windows\' burn',
  description: [
    'Burn rate = error ratio ÷ error budget (1 − objective): 1 spends the budget exactly over the SLO period, 14.4 spends 2 % of a 30-day budget in one hour.',
    'The error ratio is evaluated over a long and a short window (`$window` in `errorRatio` is replaced by each). The node observes the SMALLER burn rate: it fails only when both windows burn too fast — the long window says enough budget was spent, the short one that it is still being spent (so a recovered incident stops failing quickly).',
    'The default expectation is `< 14.4`, the page threshold for 1h/5m windows with a 30-day SLO (Google SRE workbook). Usual pairs: 1h/5m `< 14.4`, 6h/30m `< 6`, 24h/2h `< 3`, 3d/6h `< 1`.',
    'Both windows\' error ratios and burn rates are in the evidence. No traffic (0/0 = NaN) or no series is an `error`.',
  ].join('\n\n'),
  params,
  observes: 'any',
  defaultExpect: '< 14.4',
  mutates: false,
  system: 'prometheus',
  outputs: { longBurnRate: 'burn rate over the long window', shortBurnRate: 'burn rate over the short window' },
  examples: [
    '- id: availability-burn\n  uses: prometheus.burn-rate\n  with:\n    errorRatio: sum(rate(http_requests_total{job="api",code=~"5.."}[$window])) / sum(rate(http_requests_total{job="api"}[$window]))\n    objective: 0.999\n  expect: "< 14.4"',
    '- id: slow-burn\n  uses: prometheus.burn-rate\n  with: { errorRatio: "sum(rate(errors_total[$window])) / sum(rate(requests_total[$window]))", objective: 0.995, longWindow: 24h, shortWindow: 2h }\n  expect: "< 3"',
  ],
  async run(p, ctx) {
    const client = await connect(ctx);
    if ('error' in client) return client;
    const [long, short] = await Promise.all([
      queryInstant(client, ratioQuery(p, p.longWindow), ctx.at),
      queryInstant(client, ratioQuery(p, p.shortWindow), ctx.at),
    ]);
    if ('error' in long) return { error: `${p.longWindow} window: ${long.error}` };
    if ('error' in short) return { error: `${p.shortWindow} window: ${short.error}` };
    const budget = 1 - p.objective;
    const longSeries = toSeries(long.result);
    const shortSeries = toSeries(short.result);
    if ('error' in longSeries) return longSeries;
    if ('error' in shortSeries) return shortSeries;
    const notes = [
      ...explain(p.longWindow, 'long', longSeries, budget),
      ...explain(p.shortWindow, 'short', shortSeries, budget),
      `observed = the smaller burn rate: only both windows burning faster than expected fails (budget ${formatPercent(budget)} for objective ${formatPercent(p.objective)})`,
    ];
    const combined = combine(longSeries, shortSeries, budget, notes);
    const details = { errorRatio: p.errorRatio, prometheus: client.displayUrl, evaluatedAt: (ctx.at ?? ctx.now()).toISOString(), notes };
    // The short window is the one with the least traffic: both windows must have enough.
    const traffic = await checkTraffic(client, { ...p, ...(p.requests ? { requests: ratioQuery({ ...p, errorRatio: p.requests }, p.shortWindow) } : {}) }, ctx.at);
    if ('error' in traffic) return { error: traffic.error, details };
    if (traffic.note) notes.push(`${traffic.note} over the short window ${p.shortWindow}`);
    if (traffic.below) return { status: 'inconclusive', reasons: [`${traffic.below} (short window ${p.shortWindow})`], details };
    const single = longSeries.length === 1 && longSeries[0]!.unlabelled && shortSeries.length === 1 && shortSeries[0]!.unlabelled;
    if (single) {
      const longBurn = longSeries[0]!.value / budget;
      const shortBurn = shortSeries[0]!.value / budget;
      return { observed: Math.min(longBurn, shortBurn), details, outputs: { longBurnRate: longBurn, shortBurnRate: shortBurn } };
    }
    return { observed: combined, quantifier: 'all', details };
  },
  async runWindow(p, ctx, window) {
    const client = await connect(ctx);
    if ('error' in client) return client;
    const stepMs = chooseStep(p.step, window);
    const timestamps = rangeTimestamps(window.from, window.to, stepMs);
    const budget = 1 - p.objective;
    const [long, short] = await Promise.all([
      queryRange(client, ratioQuery(p, p.longWindow), timestamps, stepMs),
      queryRange(client, ratioQuery(p, p.shortWindow), timestamps, stepMs),
    ]);
    if ('error' in long) return { error: `${p.longWindow} window: ${long.error}` };
    if ('error' in short) return { error: `${p.shortWindow} window: ${short.error}` };
    const burn = minBurnSeries(long.result, short.result, budget);
    const assembled = assembleWindow(burn, timestamps, 'all');
    const traffic = await checkTraffic(client, { ...p, ...(p.requests ? { requests: ratioQuery({ ...p, errorRatio: p.requests }, p.shortWindow) } : {}) }, window.to);
    if ('error' in traffic) return { error: traffic.error };
    if (traffic.note) assembled.notes.push(`${traffic.note} over the short window ${p.shortWindow}`);
    return {
      ...(traffic.below ? { inconclusive: `${traffic.below} (short window ${p.shortWindow})` } : {}),
      samples: assembled.samples,
      stepMs,
      quantifier: 'all',
      details: {
        errorRatio: p.errorRatio,
        prometheus: client.displayUrl,
        window: `${window.from.toISOString()} … ${window.to.toISOString()}, step ${stepMs / 1000}s`,
        summary: assembled.summary,
        samples: assembled.samples.length,
        gaps: assembled.gaps,
        notes: [`each sample = min(${p.longWindow} burn, ${p.shortWindow} burn), budget ${formatPercent(budget)}`, ...assembled.notes],
      },
    };
  },
  validate(p) {
    // `$window` becomes a same-length duration, so the column of an error stays true.
    return [...checkQuery(p.errorRatio.replaceAll(PLACEHOLDER, '999999s'), ['errorRatio']), ...(p.requests !== undefined ? checkQuery(p.requests.replaceAll(PLACEHOLDER, '999999s'), ['requests']) : [])];
  },
});

function ratioQuery(p: Params, window: string): string {
  return p.errorRatio.replaceAll(PLACEHOLDER, window);
}

function toMs(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8, y: 3.1536e10 };
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(n) * units[unit!]!;
  return total;
}

interface RatioSeries {
  name: string;
  value: number;
  unlabelled: boolean;
}

function toSeries(result: InstantResult): RatioSeries[] | EvaluationError {
  if (result.type === 'string') return { error: 'errorRatio returns a string, not a ratio' };
  if (result.type === 'scalar') return [{ name: '{}', value: result.value, unlabelled: true }];
  return result.series.map((s) => ({ name: s.name, value: s.value, unlabelled: Object.keys(s.labels).length === 0 }));
}

function explain(window: string, which: string, series: RatioSeries[], budget: number): string[] {
  if (series.length === 0) return [`${which} window ${window}: no series (no data)`];
  return series.slice(0, 10).map((s) => {
    const who = s.unlabelled ? '' : ` ${s.name}`;
    return `${which} window ${window}${who}: error ratio ${formatPercent(s.value)} → burn rate ${formatNumber(s.value / budget)}×`;
  });
}

/** Per series, the smaller burn of the two windows; a series seen in one window only is noted. */
function combine(long: RatioSeries[], short: RatioSeries[], budget: number, notes: string[]): LabelledValue[] {
  const shortByName = new Map(short.map((s) => [s.name, s.value]));
  const out: LabelledValue[] = [];
  for (const s of long) {
    const other = shortByName.get(s.name);
    if (other === undefined) notes.push(`${s.name}: no data in the short window`);
    else out.push({ name: s.name, value: Math.min(s.value / budget, other / budget) });
  }
  return out;
}

function minBurnSeries(long: WindowSeries[], short: WindowSeries[], budget: number): WindowSeries[] {
  const shortByName = new Map(short.map((s) => [s.name, s]));
  return long.flatMap((l) => {
    const s = shortByName.get(l.name);
    if (!s) return [];
    const points = new Map<number, number>();
    for (const [at, value] of l.points) {
      const other = s.points.get(at);
      if (other !== undefined) points.set(at, Math.min(value / budget, other / budget));
    }
    return [{ name: l.name, labels: l.labels, points }];
  });
}

function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${+(fraction * 100).toPrecision(4)}%` : formatNumber(fraction);
}
