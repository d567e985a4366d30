import type { Diagnostic } from '../playbook/diagnostics.js';
import { substitute } from '../playbook/interpolate.js';
import type { LoadedDocument } from '../playbook/load.js';
import type { NodeSpec } from '../playbook/schema.js';
import { parseDuration, ZERO_TIMEOUT } from '../sdk/duration.js';
import { describeSources } from './reference-sources.js';
import { planLookup, type ResolveScope } from './resolve.js';

export const DURATION_FIELDS = ['timeout', 'interval', 'for'] as const;
export type DurationField = (typeof DURATION_FIELDS)[number];

/** A node's durations in milliseconds, resolved in this environment (undefined where unset or wrong). */
export function resolveDurations(node: NodeSpec, path: Array<string | number>, scope: ResolveScope, doc: LoadedDocument, env: string, diagnostics: Diagnostic[]): Partial<Record<DurationField, number>> {
  const out: Partial<Record<DurationField, number>> = {};
  for (const field of DURATION_FIELDS) {
    const written = node[field];
    if (typeof written === 'number') out[field] = written;
    if (typeof written !== 'string') continue;
    const at = [...path, field];
    const resolved = substitute(written, planLookup(scope), at);
    for (const error of resolved.errors) diagnostics.push(doc.diagnostic('unresolved-value', error.path, error.message, 'set it in this environment, or limit the node with environments:'));
    if (resolved.errors.length) continue;
    const ms = typeof resolved.value === 'string' ? parseDuration(resolved.value) : undefined;
    if (resolved.deferred || ms === undefined) {
      const where = describeSources(doc, env, written);
      const shown = typeof resolved.value === 'string' ? `"${resolved.value}"` : `the ${typeof resolved.value} ${JSON.stringify(resolved.value)}`;
      diagnostics.push(doc.diagnostic('not-a-duration', at, `after resolving values in ${env}: ${shown} is not a duration; write 500ms, 30s, 5m, 2h, 7d or 1h30m`, where ?? 'check the value the reference resolves to in this environment'));
      continue;
    }
    if (field === 'timeout' && ms === 0) {
      diagnostics.push(doc.diagnostic('zero-timeout', at, `after resolving values in ${env}: ${ZERO_TIMEOUT}`, describeSources(doc, env, written)));
      continue;
    }
    out[field] = ms;
  }
  return out;
}
