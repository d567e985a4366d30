import { z } from 'zod';
import { defineCheck, duration, formatDuration, type CheckContext } from '../../src/sdk/index.js';
import { formatLocal, instantOf, occurrences, parseRule, wallOf, type ParsedRule } from './calendar.js';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const clock = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'write a time of day as HH:MM, e.g. "09:00" (quote it)');
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/, 'a local date YYYY-MM-DD or date and time YYYY-MM-DDTHH:MM');
/** How far ahead a refusal looks for the next opening. */
const HORIZON_MS = 400 * 86_400_000;

const rruleText = z.string().superRefine((text, ctx) => {
  const parsed = parseRule(text);
  if ('error' in parsed) ctx.addIssue({ code: 'custom', message: `bad RRULE: ${parsed.error}` });
});

const period = z
  .strictObject({
    rrule: rruleText.optional().describe('RFC 5545 recurrence rule on the local clock, e.g. FREQ=WEEKLY;BYDAY=TU,WE,TH;BYHOUR=9 (optionally after DTSTART:YYYYMMDDTHHMMSS).'),
    duration: duration.optional().describe('How long each occurrence of `rrule` lasts (elapsed time), e.g. 6h.'),
    from: localDate.optional().describe('Start of a one-off period (local date or date and time).'),
    to: localDate.optional().describe('End of a one-off period: a date-only `to` includes that whole day.'),
    name: z.string().optional().describe('What the period is called in messages ("December freeze").'),
  })
  .refine((e) => (e.rrule !== undefined) === (e.duration !== undefined), 'give `rrule` and `duration` together')
  .refine((e) => (e.from !== undefined) === (e.to !== undefined), 'give `from` and `to` together')
  .refine((e) => (e.rrule !== undefined) !== (e.from !== undefined), 'a period is either { rrule, duration } or { from, to }');

const params = z
  .strictObject({
    days: z.array(z.enum(DAYS)).min(1).optional().describe('Days the window is open (default every day): mon, tue, ...'),
    from: clock.optional().describe('Opens at this local time, HH:MM.'),
    to: clock.optional().describe('Closes at this local time, HH:MM (before `from` = overnight).'),
    allow: z.array(period).min(1).optional().describe('Open only inside one of these periods: { rrule, duration } or { from, to }.'),
    deny: z.array(period).min(1).optional().describe('Never open inside these periods (deny wins over allow).'),
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
      .describe('IANA time zone of from/to/days, rules and dates (default UTC).'),
    exclude: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')).optional().describe('Local dates the window stays shut (freezes, holidays).'),
    override: z
      .strictObject({ role: z.string().min(1).describe('Who may sign the break-glass override.') })
      .optional()
      .describe('Break-glass: outside the window, a sign-off by `role` (--approve NODE="NAME: REASON" or the terminal) lets the run proceed; recorded as an override.'),
  })
  .refine((p) => (p.from !== undefined) === (p.to !== undefined), 'give `from` and `to` together')
  .refine((p) => p.from !== undefined || p.allow !== undefined || p.deny !== undefined, 'say when the window is open: `from`/`to`, `allow:` or `deny:`');

type Params = z.output<typeof params>;
type Period = z.output<typeof period>;
interface Interval {
  start: number;
  end: number;
  label: string;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
const dayOf = (wallMs: number) => DAYS[new Date(wallMs).getUTCDay()]!;
const dateOf = (wallMs: number) => new Date(wallMs).toISOString().slice(0, 10);

function wallOfText(text: string, endOfDay: boolean): number {
  const [date, time] = text.split('T');
  const [y, m, d] = date!.split('-').map(Number);
  const [hh, mm] = time ? time.split(':').map(Number) : [0, 0];
  return Date.UTC(y!, m! - 1, d! + (endOfDay && !time ? 1 : 0), hh!, mm!);
}

function describe(entry: Period): string {
  if (entry.name) return entry.name;
  return entry.rrule !== undefined ? `${entry.rrule.replace(/\s+/g, ' ')} for ${formatDuration(entry.duration!)}` : `${entry.from}–${entry.to}`;
}

/** Every occurrence of the periods that overlaps [fromMs, toMs]. */
function intervals(entries: Period[], tz: string, fromMs: number, toMs: number): Interval[] {
  return entries.flatMap((entry) => {
    const label = describe(entry);
    if (entry.rrule === undefined) return [{ start: instantOf(wallOfText(entry.from!, false), tz), end: instantOf(wallOfText(entry.to!, true), tz), label }];
    const rule = parseRule(entry.rrule) as ParsedRule;
    return occurrences(rule, tz, fromMs - entry.duration!, toMs).map((start) => ({ start, end: start + entry.duration!, label }));
  });
}

/** Why the old-style hours/days/exclude shut the window at `at`, if they do. */
function hoursRefusal(p: Params, at: number): string | undefined {
  const wall = wallOf(at, p.timezone);
  const minute = Math.floor((wall % 86_400_000) / 60_000);
  let opened = wall;
  if (p.from !== undefined && p.to !== undefined) {
    const from = minutes(p.from);
    const to = minutes(p.to);
    const overnight = to <= from;
    // After midnight in an overnight window, the window belongs to the day before.
    if (overnight && minute < to) opened = wall - 86_400_000;
    const inHours = overnight ? minute >= from || minute < to : minute >= from && minute < to;
    if (!inHours) return `is outside ${p.from}–${p.to}`;
  }
  const days = p.days ?? [...DAYS];
  if (!days.includes(dayOf(opened))) return `: the window is closed on ${dayOf(opened)} (open ${days.join(', ')})`;
  if (p.exclude?.includes(dateOf(opened))) return `: ${dateOf(opened)} is excluded (freeze)`;
  return undefined;
}

/** The reason the window is shut at `at` (deny first: deny wins), or undefined when open. */
function refusal(p: Params, at: number, allow: Interval[], deny: Interval[]): string | undefined {
  const denied = deny.find((i) => i.start <= at && at < i.end);
  if (denied) return `is denied by ${denied.label} (until ${formatLocal(denied.end, p.timezone)})`;
  const hours = hoursRefusal(p, at);
  if (hours) return hours;
  if (p.allow && !allow.some((i) => i.start <= at && at < i.end)) return `is not inside any allowed period (${p.allow.map(describe).join('; ')})`;
  return undefined;
}

/** The first instant after `at` at which the window is open, within the horizon. */
function nextOpening(p: Params, at: number, allow: Interval[], deny: Interval[]): number | undefined {
  const candidates = [...allow.map((i) => i.start), ...deny.map((i) => i.end)];
  if (p.from !== undefined || p.days || p.exclude) {
    // Hours and days open at `from` (or midnight) on some local day.
    const first = wallOf(at, p.timezone) - (wallOf(at, p.timezone) % 86_400_000);
    const opensMs = p.from !== undefined ? minutes(p.from) * 60_000 : 0;
    for (let day = first; day < first + HORIZON_MS + 86_400_000; day += 86_400_000) candidates.push(instantOf(day + opensMs, p.timezone));
  }
  return candidates
    .filter((t) => t > at && t <= at + HORIZON_MS)
    .sort((a, b) => a - b)
    .find((t) => refusal(p, t, allow, deny) === undefined);
}

/** A break-glass sign-off: "NAME: REASON" given ahead of time or typed on the terminal. */
async function signOverride(role: string, ctx: CheckContext): Promise<{ name: string; reason: string; source: string; at: Date } | { refused: string }> {
  const operator = ctx.operator;
  if (!operator) return { refused: 'this run cannot take sign-offs (no operator input)' };
  const given = operator.supplied();
  if (given) {
    const split = given.value.indexOf(':');
    const name = (split < 0 ? given.value : given.value.slice(0, split)).trim();
    const reason = split < 0 ? '' : given.value.slice(split + 1).trim();
    if (!name || !reason) return { refused: `a break-glass override needs who and why: --approve ${ctx.nodeId}="NAME: REASON"` };
    return { name, reason, source: given.source, at: given.at ?? ctx.now() };
  }
  if (!operator.ask) return { refused: `no break-glass sign-off for ${role}: pass --approve ${ctx.nodeId}="NAME: REASON" (there is no terminal to ask on)` };
  const name = await operator.ask(`Break-glass override of ${ctx.nodeId} by ${role}. Type your name, or nothing to refuse: `);
  if (!name || /^(no|n)$/i.test(name)) return { refused: `override refused on the terminal (OS user ${operator.user})` };
  const reason = await operator.ask('Why must this run proceed outside the window? ');
  if (!reason) return { refused: 'a break-glass override needs a reason' };
  return { name, reason, source: 'terminal', at: ctx.now() };
}

export default defineCheck({
  kind: 'window',
  summary: 'Now (or --at) is inside a change window: days, hours, RRULE calendars, freezes, time zone',
  description:
    'Passes when the current instant (or `--at`) is inside the window: on one of `days`, between `from` (inclusive) and `to` ' +
    '(exclusive), inside one of the `allow` periods (RFC 5545 recurrence rules with a duration, or dated periods), not inside ' +
    'any `deny` period (deny wins) and not on an `exclude`d date — all in `timezone`, DST included. A refusal names the rule ' +
    'that shut the window and when it next opens. With `override: { role }` a signed break-glass approval lets the run ' +
    'proceed outside the window; the evidence records it as an override with who and why.',
  params,
  observes: 'verdict',
  mutates: false,
  outputs: {
    local: 'the local time it judged, e.g. "Tue 2026-11-17 14:30 Europe/Berlin"',
    resumes: 'when a shut window next opens (local time)',
    override: '"true" when a break-glass sign-off let the run through',
    name: 'who signed the override',
    reason: 'why (the override\'s reason)',
  },
  examples: [
    '- id: change-window\n  uses: window\n  with: { days: [mon, tue, wed, thu], from: "09:00", to: "16:00", timezone: Europe/Berlin }',
    '- id: go-live-window\n  uses: window\n  with:\n    timezone: Europe/Berlin\n    allow: [{ rrule: "FREQ=WEEKLY;BYDAY=TU,WE,TH;BYHOUR=9", duration: 6h }]\n    deny: [{ name: December freeze, from: "2026-12-18", to: "2027-01-04" }]\n    override: { role: Incident Commander }',
  ],
  async run(p, ctx) {
    const at = ctx.now().getTime();
    const allow = intervals(p.allow ?? [], p.timezone, at, at + HORIZON_MS);
    const deny = intervals(p.deny ?? [], p.timezone, at, at + HORIZON_MS);
    const local = formatLocal(at, p.timezone);
    const why = refusal(p, at, allow, deny);
    if (!why) return { status: 'pass', reasons: [`${local} is inside the window`], outputs: { local } };
    const next = nextOpening(p, at, allow, deny);
    const resumes = next === undefined ? `no opening in the next ${formatDuration(HORIZON_MS)}` : `resumes ${formatLocal(next, p.timezone)}`;
    const reasons = [`${local}${why.startsWith(':') ? '' : ' '}${why}`, resumes];
    const outputs = { local, ...(next !== undefined ? { resumes: formatLocal(next, p.timezone) } : {}) };
    if (!p.override) return { status: 'fail', reasons, outputs };
    const signed = await signOverride(p.override.role, ctx);
    if ('refused' in signed) return { status: 'fail', reasons: [...reasons, signed.refused], outputs };
    return {
      status: 'pass',
      reasons: [...reasons, `BREAK-GLASS OVERRIDE by ${signed.name} (${p.override.role}) via ${signed.source} at ${signed.at.toISOString()}: ${signed.reason}`],
      outputs: { ...outputs, override: 'true', name: signed.name, reason: signed.reason, role: p.override.role, source: signed.source, at: signed.at.toISOString(), osUser: ctx.operator!.user, ci: ctx.operator!.ci },
    };
  },
});
