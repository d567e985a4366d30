import rrule from 'rrule';

// Recurrence rules are expanded on the local wall clock ("floating" times, held as UTC
// fields) and only then placed on the time line in the window's zone: the rrule package's
// own TZID support converts through the host zone, which is wrong whenever host and window
// zones differ across a DST change.

const { RRule } = rrule;
const FREQUENCIES = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY', 'MINUTELY', 'SECONDLY'];
const PROPERTIES = new Set(['FREQ', 'DTSTART', 'UNTIL', 'COUNT', 'INTERVAL', 'BYSETPOS', 'BYMONTH', 'BYMONTHDAY', 'BYYEARDAY', 'BYWEEKNO', 'BYDAY', 'BYHOUR', 'BYMINUTE', 'BYSECOND', 'WKST']);
const RANGES: Record<string, [number, number]> = { BYHOUR: [0, 23], BYMINUTE: [0, 59], BYSECOND: [0, 59], BYMONTH: [1, 12], BYMONTHDAY: [-31, 31], BYYEARDAY: [-366, 366], BYWEEKNO: [-53, 53], BYSETPOS: [-366, 366] };
const DAY_MS = 86_400_000;

export interface ParsedRule {
  options: Partial<rrule.Options>;
  /** DTSTART on the local wall clock (floating, as UTC fields), when the rule gave one. */
  dtstartWall?: number;
}

/** Parses `[DTSTART:YYYYMMDDTHHMMSS\n][RRULE:]FREQ=...`; an error names the offending part. */
export function parseRule(text: string): ParsedRule | { error: string } {
  let dtstartWall: number | undefined;
  const ruleParts: string[] = [];
  for (const line of text.trim().split(/\s+/)) {
    const start = /^DTSTART(;[^:]*)?:(.*)$/i.exec(line);
    if (start) {
      if (start[1]) return { error: `"${line}": DTSTART is local to the window's timezone; write it without TZID, e.g. DTSTART:20260105T090000` };
      const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(start[2]!);
      if (!m) return { error: `"${line}": write DTSTART as local time YYYYMMDDTHHMMSS (no Z), e.g. DTSTART:20260105T090000` };
      dtstartWall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
    } else ruleParts.push(line.replace(/^RRULE:/i, ''));
  }
  const body = ruleParts.join(';');
  const seen = new Map<string, string>();
  for (const part of body.split(';').filter(Boolean)) {
    const [key, value] = part.split('=');
    const name = (key ?? '').toUpperCase();
    if (!PROPERTIES.has(name) || name === 'DTSTART') return { error: `unknown RRULE property "${key}" (RFC 5545: FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYHOUR, BYMINUTE, BYMONTH, BYMONTHDAY, BYSETPOS, ...)` };
    if (!value) return { error: `"${part}" has no value` };
    const range = RANGES[name];
    if (range && value.split(',').some((v) => !/^[+-]?\d+$/.test(v) || +v < range[0] || +v > range[1] || +v === 0 && range[0] < 0)) return { error: `${name}=${value}: each value must be a number in ${range[0]}..${range[1]}` };
    seen.set(name, value.toUpperCase());
  }
  const freq = seen.get('FREQ');
  if (!freq) return { error: 'a rule needs FREQ, e.g. FREQ=WEEKLY;BYDAY=TU,WE,TH;BYHOUR=9' };
  if (!FREQUENCIES.includes(freq)) return { error: `FREQ=${freq} is not one of ${FREQUENCIES.join(', ')}` };
  try {
    const options = RRule.parseString(body);
    new RRule({ ...options, dtstart: new Date(0) }).after(new Date(0), true);
    return { options, ...(dtstartWall !== undefined ? { dtstartWall } : {}) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Local wall-clock fields of an instant in a zone, as a UTC timestamp ("floating"). */
export function wallOf(instantMs: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(instantMs))
      .map((p) => [p.type, p.value]),
  );
  return Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!) + (instantMs % 1000 + 1000) % 1000;
}

/**
 * The instant a local wall time names, as RFC 5545 (3.3.5) says: a time that occurs twice
 * (autumn) is the first one; a time skipped by the spring change (02:30 in Berlin on the last
 * Sunday in March) is read with the offset from before the gap, so 02:30 becomes 03:30.
 */
export function instantOf(wallMs: number, timeZone: string): number {
  const offset = (instant: number) => wallOf(instant, timeZone) - instant;
  const early = wallMs - offset(wallMs - DAY_MS);
  const late = wallMs - offset(wallMs + DAY_MS);
  const fits = [early, late].filter((t) => wallOf(t, timeZone) === wallMs);
  if (fits.length) return Math.min(...fits);
  return early;
}

/** Start instants of a rule's occurrences that start in [fromMs, toMs], in order. */
export function occurrences(rule: ParsedRule, timeZone: string, fromMs: number, toMs: number): number[] {
  const fromWall = wallOf(fromMs, timeZone) - DAY_MS;
  const toWall = wallOf(toMs, timeZone) + DAY_MS;
  const dtstart = rule.dtstartWall ?? defaultStartWall(fromWall);
  const starts = new RRule({ ...rule.options, dtstart: new Date(dtstart) })
    .between(new Date(fromWall), new Date(toWall), true)
    .map((d) => instantOf(d.getTime(), timeZone));
  return starts.filter((t) => t >= fromMs && t <= toMs);
}

/** Without DTSTART a rule starts at 00:00 on 1 January of the year before (stable per year). */
function defaultStartWall(wallMs: number): number {
  return Date.UTC(new Date(wallMs).getUTCFullYear() - 1, 0, 1);
}

/** "Tue 2026-12-01 09:00 Europe/Berlin" */
export function formatLocal(instantMs: number, timeZone: string): string {
  const wall = new Date(wallOf(instantMs, timeZone));
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][wall.getUTCDay()];
  return `${day} ${wall.toISOString().slice(0, 10)} ${wall.toISOString().slice(11, 16)} ${timeZone}`;
}
