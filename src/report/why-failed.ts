import type { NodeResult } from '../run/types.js';
import { stripTerminalControls } from './clean-text.js';
import { STATUS_LABEL, failingNodes, formatObserved, truncate } from './format.js';

/**
 * "Why it failed": each node that failed, fired or erred with its reason and observed vs
 * expected — what a reader came for, before the tables. Empty when nothing failed.
 */
export function renderWhyItFailedMarkdown(nodes: NodeResult[]): string[] {
  const failing = failingNodes(nodes);
  if (!failing.length) return [];
  const lines = ['## Why it failed', ''];
  for (const node of failing) {
    const observed = formatObserved(node.observed, 120);
    // A message that already says observed vs expected is not repeated.
    const versus = !node.message.startsWith('observed') && (observed || node.expected !== undefined) ? ` — observed \`${observed || 'nothing'}\`${node.expected !== undefined ? `, expected \`${node.expected}\`` : ''}` : '';
    lines.push(`- **${node.id}** ${STATUS_LABEL[node.status]}: ${oneLine(node.message)}${versus}`);
    for (const reason of (node.reasons ?? []).slice(0, 5)) if (!node.message.includes(reason)) lines.push(`  - ${oneLine(reason)}`);
  }
  lines.push('');
  return lines;
}

/** The same, as plain lines closing the plain and TTY output. */
export function renderWhyItFailedText(nodes: NodeResult[]): string {
  const failing = failingNodes(nodes);
  if (!failing.length) return '';
  const lines = ['  why it failed:'];
  for (const node of failing) {
    const observed = formatObserved(node.observed, 80);
    lines.push(`    ${STATUS_LABEL[node.status]} ${node.id}: ${oneLine(node.message)}${observed && node.expected !== undefined && !node.message.startsWith('observed') ? ` (observed ${observed}, expected ${node.expected})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

function oneLine(text: string): string {
  return truncate(stripTerminalControls(text).replace(/\s*\n\s*/g, ' '), 300);
}
