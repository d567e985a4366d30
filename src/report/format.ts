import type { Observed } from '../sdk/types.js';
import { formatDuration } from '../sdk/duration.js';
import { show } from '../expect/index.js';
import type { NodeStatus } from '../run/types.js';

export const STATUS_LABEL: Record<NodeStatus, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  error: 'ERROR',
  inconclusive: 'INCONCLUSIVE',
  warn: 'WARN',
  skipped: 'SKIP',
  'dry-run': 'DRY-RUN',
  fired: 'FIRED',
  quiet: 'QUIET',
};

export function formatObserved(observed: Observed | undefined, max = 120): string {
  if (observed === undefined) return '';
  if (Array.isArray(observed)) {
    const text = observed.map((o) => `${o.name}=${show(o.value)}`).join(', ');
    return truncate(`[${observed.length}] ${text}`, max);
  }
  return truncate(show(observed), max);
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export { formatDuration };
