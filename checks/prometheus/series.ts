import type { LabelledValue, Observed } from '../../src/sdk/index.js';

export type Labels = Record<string, string>;

/** Prometheus writes sample values as strings, including `NaN`, `+Inf` and `-Inf`. */
export function parseSampleValue(text: unknown): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  return typeof text === 'string' && text.trim() !== '' ? Number(text) : NaN;
}

/** `http_requests_total{code="500",job="api"}` — the way Prometheus itself prints a series. */
export function seriesName(labels: Labels): string {
  const { __name__: name = '', ...rest } = labels;
  const pairs = Object.keys(rest)
    .sort()
    .map((key) => `${key}=${JSON.stringify(rest[key])}`);
  return `${name}{${pairs.join(',')}}`;
}

export interface Series {
  name: string;
  labels: Labels;
}

/**
 * A vector whose only series has no labels (`sum(...)`, a ratio of sums) is one number: the
 * way users write `expect: "<= 0.05"`. Anything else stays a list, judged series by series.
 */
export function observeVector(series: Array<Series & { value: number }>): Observed {
  if (series.length === 1 && Object.keys(series[0]!.labels).length === 0) return series[0]!.value;
  return series.map((s): LabelledValue => ({ name: s.name, value: s.value }));
}

export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-4) return value.toExponential(3).replace(/\.?0+e/, 'e');
  return String(+value.toPrecision(4));
}

const BARS = '▁▂▃▄▅▆▇█';
const MAX_WIDTH = 60;

/**
 * A one-line picture of a series over a window: `▁▁▂▇██▇▂▁`. A gap is a space and a NaN or
 * infinite sample `×`. Long windows are folded: each character then shows the highest sample
 * of its slice, so a short spike stays visible.
 */
export function sparkline(values: Array<number | undefined>): string {
  const finite = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const width = Math.min(values.length, MAX_WIDTH);
  let line = '';
  for (let i = 0; i < width; i++) {
    const slice = values.slice(Math.floor((i * values.length) / width), Math.floor(((i + 1) * values.length) / width));
    if (slice.some((v) => v !== undefined && !Number.isFinite(v))) line += '×';
    else if (slice.every((v) => v === undefined)) line += ' ';
    else {
      const high = Math.max(...slice.filter((v): v is number => v !== undefined));
      // A flat line sits mid-height: the lowest bar would read as "near zero".
      line += max === min ? BARS[3] : BARS[Math.round(((high - min) / (max - min)) * (BARS.length - 1))];
    }
  }
  return line;
}

export interface WindowSeries extends Series {
  /** Sample values by timestamp in milliseconds. */
  points: Map<number, number>;
}

export interface AssembledWindow {
  samples: Array<{ at: Date; observed: Observed }>;
  gaps: number;
  notes: string[];
  summary: string;
}

/**
 * Turns a range query's series into one observation per step. A step at which a series is
 * missing (every series for `any`) is left out: the core sees the gap and fails closed.
 */
export function assembleWindow(series: WindowSeries[], timestampsMs: number[], quantifier: 'all' | 'any'): AssembledWindow {
  const samples: AssembledWindow['samples'] = [];
  const notes: string[] = [];
  let gaps = 0;
  for (const at of timestampsMs) {
    const present = series.filter((s) => s.points.has(at));
    const missing = series.filter((s) => !s.points.has(at));
    const isGap = present.length === 0 || (quantifier === 'all' && missing.length > 0);
    if (isGap) {
      gaps++;
      if (gaps === 1) {
        const who = series.length === 0 ? 'no series at all' : missing.map((s) => s.name).slice(0, 3).join(', ');
        notes.push(`first gap at ${new Date(at).toISOString()}: ${who} missing`);
      }
      continue;
    }
    samples.push({ at: new Date(at), observed: observeVector(present.map((s) => ({ ...s, value: s.points.get(at)! }))) });
  }
  if (gaps > 0) notes.push(`${gaps} of ${timestampsMs.length} steps have no sample (gaps are errors)`);
  return { samples, gaps, notes, summary: summarize(series, timestampsMs) };
}

const MAX_SUMMARY_SERIES = 10;

function summarize(series: WindowSeries[], timestampsMs: number[]): string {
  if (series.length === 0) return 'no series in the window';
  const lines = series.slice(0, MAX_SUMMARY_SERIES).map((s) => {
    const values = timestampsMs.map((at) => s.points.get(at));
    const finite = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
    const range = finite.length ? `min ${formatNumber(Math.min(...finite))} max ${formatNumber(Math.max(...finite))}` : 'no finite sample';
    const label = series.length === 1 && Object.keys(s.labels).length === 0 ? '' : `${s.name} `;
    return `${label}${sparkline(values)} ${range}`;
  });
  if (series.length > MAX_SUMMARY_SERIES) lines.push(`… and ${series.length - MAX_SUMMARY_SERIES} more series`);
  return lines.join('\n');
}
