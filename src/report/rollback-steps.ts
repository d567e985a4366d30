import type { NodeResult, RunResult } from '../run/types.js';
import { formatObserved, STATUS_LABEL } from './format.js';

/** What on-call reads at 3 a.m.: the triggers now, then the steps in order with every value resolved. */
export function renderRollbackSteps(result: RunResult): string {
  const lines = ['', result.dryRun ? 'Rollback dry run — nothing was changed.' : 'Rollback'];
  const triggers = result.nodes.filter((n) => n.role === 'trigger');
  if (triggers.length) {
    lines.push('', 'Triggers now:');
    for (const t of triggers) lines.push(`  ${STATUS_LABEL[t.status].padEnd(6)} ${t.id}  ${t.title}${t.observed !== undefined ? `  observed ${formatObserved(t.observed, 60)}` : ''}${t.expected ? `, healthy when ${t.expected}` : ''}${t.status === 'error' ? `  (${t.message})` : ''}`);
  }
  const section = (title: string, nodes: NodeResult[]) => {
    if (!nodes.length) return;
    lines.push('', title);
    nodes.forEach((n, i) => {
      lines.push(`  ${i + 1}. ${n.id}  ${n.kind}  ${STATUS_LABEL[n.status]}  ${n.title}`);
      if (Object.keys(n.params).length) lines.push(`     with: ${JSON.stringify(n.params)}`);
      if (n.expected !== undefined && n.role === 'rollback-verify') lines.push(`     expect: ${n.expected}`);
      if (n.status !== 'pass') lines.push(`     ${n.message}`);
    });
  };
  section(result.dryRun ? 'Steps, in execution order:' : 'Steps:', result.nodes.filter((n) => n.role === 'rollback-step'));
  section(result.dryRun ? 'Verify after the rollback (shown, not run):' : 'Verify:', result.nodes.filter((n) => n.role === 'rollback-verify'));
  return `${lines.join('\n')}\n`;
}
