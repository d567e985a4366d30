import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { instantOf, occurrences, parseRule, type ParsedRule } from '../../../checks/window/calendar.js';

const SCRIPT = fileURLToPath(new URL('./expand-rrule.py', import.meta.url));

/** dateutil's occurrences over a local year, as UTC instants. */
function dateutil(rule: string, tz: string): string[] {
  return JSON.parse(execFileSync('python3', [SCRIPT, rule, tz, '2026-01-01T00:00:00', '2027-01-01T00:00:00'], { encoding: 'utf8' }));
}

const RULES: Array<[string, string]> = [
  ['DTSTART:20260105T000000 RRULE:FREQ=WEEKLY;BYDAY=TU,WE,TH;BYHOUR=9', 'Europe/Berlin'],
  // 02:30 does not exist on 2026-03-29 in Berlin and happens twice on 2026-10-25.
  ['DTSTART:20260101T023000 RRULE:FREQ=DAILY', 'Europe/Berlin'],
  ['DTSTART:20260101T000000 RRULE:FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', 'Europe/Berlin'],
  ['DTSTART:20260101T000000 RRULE:FREQ=HOURLY;INTERVAL=5', 'America/New_York'],
  ['DTSTART:20260105T220000 RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SU', 'Australia/Sydney'],
  ['DTSTART:20260101T090000 RRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24,31;BYMINUTE=0,30', 'UTC'],
];

describe('RRULE expansion agrees with python dateutil', () => {
  it.each(RULES)('%s in %s', (rule, tz) => {
    const parsed = parseRule(rule) as ParsedRule;
    expect(parsed).not.toHaveProperty('error');
    const from = instantOf(Date.UTC(2026, 0, 1), tz);
    const to = instantOf(Date.UTC(2027, 0, 1), tz);
    const ours = occurrences(parsed, tz, from, to).map((t) => new Date(t).toISOString());
    const reference = dateutil(rule, tz).filter((t) => Date.parse(t) >= from && Date.parse(t) <= to);
    expect(reference.length).toBeGreaterThanOrEqual(4);
    expect(ours).toEqual(reference);
  });

  it('places the DST edges as RFC 5545 does: a skipped 02:30 is 03:30 summer time, a repeated one the first', () => {
    const daily = parseRule('DTSTART:20260101T023000 RRULE:FREQ=DAILY') as ParsedRule;
    const spring = occurrences(daily, 'Europe/Berlin', Date.parse('2026-03-28T12:00:00Z'), Date.parse('2026-03-30T12:00:00Z'));
    expect(spring.map((t) => new Date(t).toISOString())).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
    const autumn = occurrences(daily, 'Europe/Berlin', Date.parse('2026-10-25T00:00:00Z'), Date.parse('2026-10-25T12:00:00Z'));
    expect(autumn.map((t) => new Date(t).toISOString())).toEqual(['2026-10-25T00:30:00.000Z']);
  });

  it('rejects bad rule text with the reason', () => {
    expect(parseRule('FREQ=WEEKLYY')).toEqual({ error: expect.stringContaining('FREQ=WEEKLYY is not one of') });
    expect(parseRule('BYHOUR=9')).toEqual({ error: expect.stringContaining('needs FREQ') });
    expect(parseRule('FREQ=DAILY;BYHOUR=25')).toEqual({ error: expect.stringContaining('BYHOUR=25') });
    expect(parseRule('FREQ=DAILY;FOO=1')).toEqual({ error: expect.stringContaining('unknown RRULE property "FOO"') });
    expect(parseRule('DTSTART;TZID=Europe/Berlin:20260101T000000 RRULE:FREQ=DAILY')).toEqual({ error: expect.stringContaining('without TZID') });
  });
});
