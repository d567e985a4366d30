// How SQL names and driver values are written into queries and the evidence: these change
// with what PostgreSQL returns, not with how we connect (client.ts).

/** Quotes an identifier, keeping `schema.table` as two parts. */
export function quoteName(name: string): string {
  return name
    .split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}

/** Rows for the evidence: at most `max`, values made printable. */
export function evidenceRows(rows: Array<Record<string, unknown>>, max: number): Array<Record<string, unknown>> {
  return rows.slice(0, max).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, printable(v)])));
}

/** A driver value as something `expect` can compare: numbers, strings, booleans. */
export function printable(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (isInterval(value)) return intervalSeconds(value);
  return JSON.stringify(value);
}

interface IntervalLike {
  toPostgres(): string;
  years?: number;
  months?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
  milliseconds?: number;
}

export function isInterval(value: unknown): value is IntervalLike {
  return typeof value === 'object' && value !== null && typeof (value as IntervalLike).toPostgres === 'function' && 'toISO' in value;
}

/** An interval in seconds (months as 30 days, as PostgreSQL's own EXTRACT(EPOCH) does). */
export function intervalSeconds(i: IntervalLike): number {
  const days = (i.years ?? 0) * 365.25 + (i.months ?? 0) * 30 + (i.days ?? 0);
  return days * 86_400 + (i.hours ?? 0) * 3600 + (i.minutes ?? 0) * 60 + (i.seconds ?? 0) + (i.milliseconds ?? 0) / 1000;
}
