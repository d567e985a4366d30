import { planLevels } from '../../plan/order.js';
import type { Command, Plan } from '../../plan/types.js';
import { renderMermaidFlowchart } from '../../report/mermaid.js';
import { formatDuration } from '../../sdk/duration.js';
import { openSession } from '../../session/index.js';
import type { CommonOptions } from '../options.js';
import { err, installRedaction, out, redactor } from '../output.js';

export async function planCommand(opts: CommonOptions & { for: Command; format: 'text' | 'json' | 'mermaid' }): Promise<number> {
  const opened = await openSession({
    playbookFile: opts.playbook,
    command: opts.for,
    env: opts.env!,
    ...(opts.only ? { only: opts.only.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    commandLine: '',
  });
  if (!opened.ok) {
    err(`${opened.problems.join('\n')}\n\n${opened.problems.length} problem${opened.problems.length === 1 ? '' : 's'}; nothing was run.\n`);
    return 2;
  }
  const { plan, secrets } = opened.value.planned;
  for (const secret of secrets) redactor.add(secret);
  installRedaction();
  if (opts.format === 'json') out(`${JSON.stringify(plan, null, 2)}\n`);
  else if (opts.format === 'mermaid') out(renderMermaid(plan));
  else out(renderText(plan));
  return 0;
}

function renderText(plan: Plan): string {
  const lines = [`${plan.playbook.name}: ${plan.command} --env ${plan.env}${plan.partial ? ' (partial)' : ''} — ${plan.nodes.length} nodes`];
  planLevels(plan).forEach((level, i) => {
    lines.push('', `level ${i}:`);
    for (const node of level) {
      const limits = [node.timeoutMs !== undefined ? `timeout ${formatDuration(node.timeoutMs)}` : 'no timeout', node.retries ? `retries ${node.retries} every ${formatDuration(node.intervalMs)}` : '', node.forMs ? `for ${formatDuration(node.forMs)}` : ''].filter(Boolean).join(', ');
      lines.push(`  ${node.id}  ${node.kind}${node.mutates ? ' (mutates)' : ''}${node.severity === 'warning' ? ' (warning)' : ''}${node.skip ? `  [skipped: ${node.skip}]` : ''}`);
      lines.push(`    ${node.title}`);
      if (node.needs.length) lines.push(`    needs: ${node.needs.join(', ')}`);
      if (node.expect) lines.push(`    expect: ${node.expect}`);
      if (node.observe) lines.push(`    observe: ${node.observe}`);
      if (!node.skip && Object.keys(node.params).length) lines.push(`    with: ${JSON.stringify(node.params)}`);
      lines.push(`    ${limits}`);
    }
  });
  return `${lines.join('\n')}\n`;
}

function renderMermaid(plan: Plan): string {
  const edges = plan.nodes.flatMap((node) => node.needs.map((need): [string, string] => [need, node.id]));
  return renderMermaidFlowchart(plan.nodes.map((n) => ({ id: n.id, label: [n.id, n.kind] })), edges);
}
