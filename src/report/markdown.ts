import type { RunResult } from '../run/types.js';
import { stripTerminalControls } from './clean-text.js';
import { STATUS_LABEL, formatDuration, formatObserved } from './format.js';
import { renderWhyItFailedMarkdown } from './why-failed.js';

/** A short Markdown summary for a CI job page (e.g. $GITHUB_STEP_SUMMARY). */
export function renderMarkdownSummary(result: RunResult, evidence?: string): string {
  const lines = [
    `## rollout ${result.command} --env ${result.env}: ${result.verdict.toUpperCase()}`,
    '',
    `Playbook \`${result.playbook.name}\`${result.dryRun ? ' · dry run' : ''}${result.partial ? ' · partial' : ''} · exit ${result.exitCode} · ${formatDuration(result.durationMs)}${evidence ? ` · evidence \`${evidence}\`` : ''}`,
    '',
    ...renderWhyItFailedMarkdown(result.nodes),
    '| Node | Status | Observed | Expected | Message |',
    '|---|---|---|---|---|',
    ...result.nodes.map((n) => `| ${n.id} | ${STATUS_LABEL[n.status]} | ${esc(formatObserved(n.observed, 60))} | ${esc(n.expected ?? '')} | ${esc(n.message)} |`),
    '',
  ];
  return lines.join('\n');
}

function esc(text: string): string {
  return stripTerminalControls(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
