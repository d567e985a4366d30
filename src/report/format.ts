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

/** What a node table shows as observed: the value, or — for a node that ran and observed none (verdict kinds) — its first reason. */
export function formatObservedCell(node: { status: NodeStatus; observed?: Observed | null; message: string; reasons?: string[] }, max = 60): string {
  const shown = formatObserved(node.observed ?? undefined, max);
  if (shown || node.status === 'skipped' || node.status === 'dry-run') return shown;
  return truncate(node.reasons?.[0] ?? node.message, max);
}

/** The nodes that decided a run against it, in their order: fail, fired and error. */
export function failingNodes<T extends { status: string }>(nodes: T[]): T[] {
  return nodes.filter((n) => n.status === 'fail' || n.status === 'fired' || n.status === 'error');
}
