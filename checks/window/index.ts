import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const clock = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'write a time of day as HH:MM, e.g. "09:00" (quote it)');

const params = z.strictObject({
  days: z.array(z.enum(DAYS)).min(1).optional().describe('Days the window is open (default every day): mon, tue, ...'),
  from: clock.describe('Opens at this local time, HH:MM.'),
  to: clock.describe('Closes at this local time, HH:MM (before `from` = overnight).'),
  timezone: z
    .string()
    .default('UTC')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'an IANA time zone such as Europe/Berlin or America/New_York')
    .describe('IANA time zone of from/to/days (default UTC).'),
  exclude: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')).optional().describe('Local dates the window stays shut (freezes, holidays).'),
});

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

/** The local weekday, date and minute of an instant in a time zone. */
function localTime(at: Date, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const day = parts.weekday!.toLowerCase().slice(0, 3) as (typeof DAYS)[number];
  return { day, date: `${parts.year}-${parts.month}-${parts.day}`, minute: Number(parts.hour) * 60 + Number(parts.minute), text: `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}` };
}

export default defineCheck({
  kind: 'window',
  summary: 'Now (or --at) is inside a change window: days, hours, time zone',
  description:
    'Passes when the current instant (or `--at`) falls on one of `days`, between `from` (inclusive) and `to` ' +
    '(exclusive) in `timezone`, and not on an `exclude`d date. A window whose `to` is before its `from` runs overnight ' +
    '(22:00–04:00); its day is the day it opened.',
  params,
  observes: 'verdict',
  mutates: false,
  outputs: { local: 'the local time it judged, e.g. "Tue 2026-11-17 14:30 Europe/Berlin"' },
  examples: ['- id: change-window\n  uses: window\n  with: { days: [mon, tue, wed, thu], from: "09:00", to: "16:00", timezone: Europe/Berlin }'],
  async run(p, ctx) {
    const now = ctx.now();
    const local = localTime(now, p.timezone);
    const from = minutes(p.from);
    const to = minutes(p.to);
    const overnight = to <= from;
    // After midnight in an overnight window, the window belongs to the day before.
    const opened = overnight && local.minute < to ? localTime(new Date(now.getTime() - 86_400_000), p.timezone) : local;
    const inHours = overnight ? local.minute >= from || local.minute < to : local.minute >= from && local.minute < to;
    const days = p.days ?? [...DAYS];
    const text = `${local.text} ${p.timezone}`;
    const window = `${days.join(',')} ${p.from}–${p.to} ${p.timezone}`;
    const reasons: string[] = [];
    if (!inHours) reasons.push(`${text} is outside ${p.from}–${p.to}`);
    else if (!days.includes(opened.day)) reasons.push(`${text}: the window is closed on ${opened.day} (open ${days.join(', ')})`);
    if (p.exclude?.includes(opened.date)) reasons.push(`${opened.date} is excluded (freeze)`);
    if (reasons.length) return { status: 'fail', reasons: [...reasons, `window: ${window}`], outputs: { local: text } };
    return { status: 'pass', reasons: [`${text} is inside ${window}`], outputs: { local: text } };
  },
});
