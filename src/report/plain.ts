import type { RunEvent, RunResult } from '../run/types.js';
import { STATUS_LABEL, formatDuration, formatObserved } from './format.js';
import { renderWhyItFailedText } from './why-failed.js';

/** Plain, ANSI-free lines for CI logs: one when a node starts a long wait, one when it ends. */
export function createPlainRenderer(write: (text: string) => void) {
  return {
    onEvent(event: RunEvent): void {
      if (event.type === 'node-progress') write(`  … ${event.node.id}: ${event.message}\n`);
      if (event.type !== 'node-end') return;
      const r = event.result;
      const label = STATUS_LABEL[r.status].padEnd(7);
      write(`${label} ${r.id}  ${r.title}  (${formatDuration(r.durationMs)}${r.attempts > 1 ? `, ${r.attempts} attempts` : ''})\n`);
      if (!['pass', 'quiet', 'skipped', 'dry-run'].includes(r.status) || r.status === 'skipped') {
        write(`        ${r.message}\n`);
        if (r.status !== 'skipped' && r.expected !== undefined && r.observed !== undefined && !r.message.startsWith('observed')) write(`        observed ${formatObserved(r.observed)}, expected ${r.expected}\n`);
        for (const reason of (r.reasons ?? []).slice(0, 10)) if (!r.message.includes(reason)) write(`        - ${reason}\n`);
      } else if (r.status === 'dry-run') write(`        ${r.message}\n`);
    },
  };
}

export function renderSummary(result: RunResult, evidence?: string): string {
  const counts = new Map<string, number>();
  for (const node of result.nodes) counts.set(node.status, (counts.get(node.status) ?? 0) + 1);
  const parts = [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
  const lines = [
    '',
    `${result.playbook.name} ${result.command} --env ${result.env}${result.dryRun ? ' (dry run)' : ''}${result.partial ? ' (partial)' : ''}: ${result.verdict.toUpperCase()} (exit ${result.exitCode}) in ${formatDuration(result.durationMs)}`,
    `  ${parts || 'no nodes'}`,
  ];
  if (evidence) lines.push(`  evidence: ${evidence}`);
  return `${lines.join('\n')}\n${renderWhyItFailedText(result.nodes)}`;
}
