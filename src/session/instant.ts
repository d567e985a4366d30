import { parseDuration } from '../sdk/duration.js';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * `--at`: an RFC 3339 instant with its offset (`2026-11-17T14:30:00Z`), or a duration ago
 * (`-2h`). Anything else is refused: `Date.parse` reads `12`, `0` and `2026-02-30` as
 * other dates, and an audit question asked of the wrong instant is worse than no answer.
 */
export function parseInstant(text: string, now: Date = new Date()): { ok: true; at: Date } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (trimmed.startsWith('-')) {
    const ms = parseDuration(trimmed.slice(1));
    if (ms !== undefined && ms > 0) return { ok: true, at: new Date(now.getTime() - ms) };
  }
  const match = RFC3339.exec(trimmed);
  if (match) {
    const [, y, mo, d, h, mi, s = '0'] = match.map((part) => part ?? '') as string[];
    const date = new Date(trimmed.replace(' ', 'T'));
    // The calendar must hold the fields as written: 2026-02-30 is no day at all.
    const calendar = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s || 0)));
    const sameFields = calendar.getUTCFullYear() === Number(y) && calendar.getUTCMonth() === Number(mo) - 1 && calendar.getUTCDate() === Number(d) && calendar.getUTCHours() === Number(h) && calendar.getUTCMinutes() === Number(mi) && calendar.getUTCSeconds() === Number(s || 0);
    if (sameFields && !Number.isNaN(date.getTime())) return { ok: true, at: date };
  }
  return { ok: false, message: `--at ${text}: expected an RFC 3339 time with its offset, such as 2026-11-17T14:30:00Z, or a time ago such as -2h` };
}
