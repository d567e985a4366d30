/** Reading numbers, comparisons and durations out of runbook prose ("> 5% for >5 minutes"). */

export type Operator = '<' | '<=' | '>' | '>=';

export interface Comparison {
  op: Operator;
  /** The number as written, percentages as ratios (5% → 0.05). */
  value: number;
  /** A rollout duration unit when the text gave a time (`2 seconds` → s), else undefined. */
  unit?: 'ms' | 's' | 'm' | 'h';
  percent: boolean;
}

const WORD_OPERATORS: Array<[RegExp, Operator]> = [
  [/^(?:at least|no less than|minimum(?: of)?)$/i, '>='],
  [/^(?:at most|no more than|maximum(?: of)?|up to)$/i, '<='],
  [/^(?:more than|greater than|above|over|exceeds?|exceeding|higher than)$/i, '>'],
  [/^(?:less than|below|under|lower than)$/i, '<'],
];

const TIME_UNITS: Record<string, 'ms' | 's' | 'm' | 'h'> = {
  ms: 'ms', millisecond: 'ms', milliseconds: 'ms',
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
};

const COMPARISON = /(<=|>=|<|>|≤|≥|\bat least|\bno less than|\bat most|\bno more than|\bmore than|\bgreater than|\babove|\bover|\bexceeds?|\bexceeding|\bhigher than|\bless than|\bbelow|\bunder|\blower than)\s*(\d+(?:\.\d+)?)\s*(%|ms\b|milliseconds?\b|s\b|secs?\b|seconds?\b|m\b|mins?\b|minutes?\b|h\b|hrs?\b|hours?\b)?/i;

/** The first comparison in the text, or undefined. */
export function comparisonIn(text: string): Comparison | undefined {
  const m = COMPARISON.exec(text);
  if (!m) return undefined;
  const word = m[1]!.trim();
  const op: Operator | undefined = word === '≤' ? '<=' : word === '≥' ? '>=' : (['<', '<=', '>', '>='] as string[]).includes(word) ? (word as Operator) : WORD_OPERATORS.find(([re]) => re.test(word))?.[1];
  if (!op) return undefined;
  const raw = m[3]?.toLowerCase();
  const value = Number(m[2]);
  if (raw === '%') return { op, value: value / 100, percent: true };
  const unit = raw ? TIME_UNITS[raw] : undefined;
  return { op, value, percent: false, ...(unit ? { unit } : {}) };
}

/** The comparison as a rollout expectation: `> 5%` → `> 0.05`, `> 2 seconds` → `> 2s`. */
export function expectOf(comparison: Comparison): string {
  return `${comparison.op} ${round(comparison.value)}${comparison.unit ?? ''}`;
}

/** The healthy condition when the text states the unhealthy one (a trigger): `> 5%` → `<= 0.05`. */
export function healthyOf(comparison: Comparison): string {
  const negated: Record<Operator, Operator> = { '>': '<=', '>=': '<', '<': '>=', '<=': '>' };
  return expectOf({ ...comparison, op: negated[comparison.op] });
}

/** `for >5 minutes`, `for 10m`, `for more than 2 hours` → `5m`; undefined when the text gives no hold time. */
export function holdDurationIn(text: string): string | undefined {
  const m = /\bfor\s*(?:>=?|more than|at least|over)?\s*(\d+)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)\b/i.exec(text);
  return m ? `${m[1]}${TIME_UNITS[m[2]!.toLowerCase()]}` : undefined;
}

/** `in 1 hour`, `within 30 minutes`, `per hour` → `1h`: the window a count is taken over. */
export function countWindowIn(text: string): string | undefined {
  const m = /\b(?:in|within|per|over)\s+(?:(?:a|an|the last|one)\s+|(\d+)\s*)?(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)\b/i.exec(text);
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  return `${m[1] ?? 1}${/^d/.test(unit) ? 'd' : TIME_UNITS[unit]}`;
}

/** `p95`, `95th percentile` → 0.95. */
export function quantileIn(text: string): number | undefined {
  const m = /\bp(\d{2}(?:\.\d+)?)\b|\b(\d{2}(?:\.\d+)?)(?:th|st|nd|rd)? percentile/i.exec(text);
  return m ? Number(m[1] ?? m[2]) / 100 : undefined;
}

/** A metric-name fragment from free text: `Database Connection Errors` → `database_connection_errors`. */
export function metricNameOf(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60).replace(/_+$/, '') || 'metric';
}

function round(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}
