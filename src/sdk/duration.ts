import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const COMPONENT = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/**
 * `500ms`, `30s`, `5m`, `2h`, `7d`, or a compound such as `1h30m` / `2m30s` (units from the
 * largest down, each once, as Prometheus writes them) → milliseconds; undefined otherwise.
 */
export function parseDuration(text: string): number | undefined {
  const source = text.trim();
  if (!source) return undefined;
  COMPONENT.lastIndex = 0;
  let total = 0;
  let previousUnitMs = Infinity;
  while (COMPONENT.lastIndex < source.length) {
    const match = COMPONENT.exec(source);
    if (!match) return undefined;
    const unitMs = UNIT_MS[match[2]!]!;
    if (unitMs >= previousUnitMs) return undefined;
    previousUnitMs = unitMs;
    total += Number(match[1]) * unitMs;
  }
  return Math.round(total);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)}m`;
  if (ms < 86_400_000) return `${+(ms / 3_600_000).toFixed(1)}h`;
  return `${+(ms / 86_400_000).toFixed(1)}d`;
}

/** A duration field: written `5m` in YAML, milliseconds in code. */
export const duration = z
  .string({ error: 'expected a duration such as 500ms, 30s, 5m, 2h or 7d (quote it)' })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; write 500ms, 30s, 5m, 2h, 7d or 1h30m`, params: { id: 'not-a-duration' } });
      return z.NEVER;
    }
    return ms;
  });

/**
 * A duration that may differ per environment: `5m`, or text holding `${vars.X}` / `${env:X}`
 * kept as written (a string) until the plan resolves it and checks it as a duration.
 */
export const durationOrReference = z
  .string({ error: 'expected a duration such as 500ms, 30s, 5m, 2h or 7d (quote it), or a ${vars.NAME}' })
  .transform((text, ctx): number | string => {
    if (text.includes('${')) return text;
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; write 500ms, 30s, 5m, 2h, 7d or 1h30m`, params: { id: 'not-a-duration' } });
      return z.NEVER;
    }
    return ms;
  });

/** A timeout of 0 would mean no timeout at all, so a written one must be longer. */
export const ZERO_TIMEOUT = 'a timeout of 0 would mean no timeout; write how long one attempt may take, e.g. 30s';

const zeroTimeout = { message: ZERO_TIMEOUT, params: { id: 'zero-timeout' } };
export const timeoutDuration = duration.refine((ms) => ms > 0, zeroTimeout);
export const timeoutOrReference = durationOrReference.refine((value) => value !== 0, zeroTimeout);
