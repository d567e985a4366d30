import type { RunResult, NodeResult, NodeStatus } from '../run/types.js';
import { toReport } from '../report/json.js';
import { keepNonFinite } from '../secrets/redactor.js';
import { STATUS_LABEL, formatDuration, formatObserved, formatObservedCell, truncate } from '../report/format.js';
import { renderWhyItFailedMarkdown } from '../report/why-failed.js';
import { renderMermaidFlowchart } from '../report/mermaid.js';
import { escapeControlsInJson, stripTerminalControls, stripTerminalControlsDeep } from '../report/clean-text.js';

export interface EvidenceMeta {
  fileName: string;
  user: string;
  host: string;
  ci: string;
  commandLine: string;
  gitCommit?: string;
  /** How the playbook was found, and its absolute path: a discovered file is not in the command line. */
  playbookSource?: { foundBy: string; path: string };
  previous?: { fileName: string; sha256: string };
  /** Node ids → needs, for the DAG diagram. */
  edges: Array<[string, string]>;
}

const FOUND_BY: Record<string, string> = {
  '-p': 'given with -p', ROLLOUT_PLAYBOOK: 'named by $ROLLOUT_PLAYBOOK', 'current folder': 'in the current folder',
  'parent folder': 'in a parent folder', default: 'the default ./rollout.yaml',
};

export const DIGEST_PREFIX = '<!-- rollout-digest sha256:';
const EXCERPT_MAX = 4000;

const COLOUR: Record<NodeStatus, string> = {
  pass: 'fill:#d4edda,stroke:#1e7e34', quiet: 'fill:#d4edda,stroke:#1e7e34',
  fail: 'fill:#f8d7da,stroke:#c82333', fired: 'fill:#f8d7da,stroke:#c82333',
  error: 'fill:#ffe5b4,stroke:#d35400', warn: 'fill:#fff3cd,stroke:#b8860b',
  inconclusive: 'fill:#e8dff5,stroke:#6f42c1',
  skipped: 'fill:#e2e3e5,stroke:#6c757d', 'dry-run': 'fill:#d6e4f0,stroke:#2c5f8a',
};

/**
 * The evidence body (everything but the digest line). Redaction happens before hashing.
 * What a reader sees is free of terminal control sequences (a check's output may move the
 * cursor, ring, or hide a link target); the JSON report keeps the data exact, escaped.
 */
export function renderEvidenceBody(result: RunResult, meta: EvidenceMeta): string {
  const report = escapeControlsInJson(JSON.stringify({ ...toReport(result, { evidence: meta.fileName }), ...(meta.playbookSource ? { playbookSource: meta.playbookSource } : {}), previous: meta.previous ?? null }, keepNonFinite, 2));
  return renderMarkdown(stripTerminalControlsDeep(result), meta, report);
}

function renderMarkdown(result: RunResult, meta: EvidenceMeta, report: string): string {
  const lines: string[] = [];
  const push = (...text: string[]) => lines.push(...text);
  push(`# Evidence: ${result.playbook.name} ${result.command} --env ${result.env}${result.dryRun ? ' (dry run)' : ''}${result.partial ? ' (partial)' : ''}`, '');
  push(`**Verdict: ${result.verdict.toUpperCase()}** (exit ${result.exitCode})`, '');
  push('| | |', '|---|---|');
  const row = (key: string, value: string) => push(`| ${key} | ${stripTerminalControls(value).replace(/\|/g, '\\|')} |`);
  row('File', `\`${meta.fileName}\``);
  row('Command', `\`${meta.commandLine}\``);
  row('Started', result.startedAt);
  row('Ended', result.endedAt);
  row('Duration', formatDuration(result.durationMs));
  if (result.at) row('Evaluated as of (--at)', result.at);
  row('User', meta.user);
  row('CI', meta.ci);
  row('Host', meta.host);
  row('Tool', `${result.tool.name} ${result.tool.version}`);
  row('Playbook', `\`${result.playbook.file}\` (sha256 ${result.playbook.sha256})`);
  if (meta.playbookSource) row('Playbook found', `${FOUND_BY[meta.playbookSource.foundBy] ?? meta.playbookSource.foundBy}: \`${meta.playbookSource.path}\``);
  row('Git commit', meta.gitCommit ?? 'not in a git repository');
  row('Dry run', result.dryRun ? 'yes — no mutating node was executed' : 'no');
  row('Partial', result.partial ? 'yes (--only)' : 'no');
  row('Previous evidence', meta.previous ? `\`${meta.previous.fileName}\` sha256:${meta.previous.sha256}` : 'none');
  push('', ...renderWhyItFailedMarkdown(result.nodes));
  push('## Nodes', '', '| Node | Kind | Status | Duration | Attempts | Observed | Expected |', '|---|---|---|---|---|---|---|');
  for (const node of result.nodes) {
    push(`| ${cell(node.id)} | ${cell(node.kind)} | ${STATUS_LABEL[node.status]} | ${formatDuration(node.durationMs)} | ${node.attempts} | ${cell(formatObservedCell(node, 60))} | ${cell(node.expected ?? '')} |`);
  }
  const classDefs = Object.fromEntries(Object.entries(COLOUR).map(([status, style]) => [status.replace('-', ''), style]));
  const dag = renderMermaidFlowchart(result.nodes.map((n) => ({ id: n.id, label: [n.id, n.status], className: n.status.replace('-', '') })), meta.edges, classDefs);
  push('', '## DAG', '', '```mermaid', dag.trimEnd(), '```', '', '## Details');
  for (const node of result.nodes) push('', ...renderNode(node));
  push('', '## Report', '', 'The JSON report of this run (later runs read it back).', '', '```json', report, '```', '');
  return lines.join('\n');
}

function renderNode(node: NodeResult): string[] {
  const out = [`### ${node.id} — ${STATUS_LABEL[node.status]}`, '', `${node.title} (\`${node.kind}\`, ${node.role}${node.stage ? ` of stage ${node.stage}` : ''}, ${node.severity})`, ''];
  out.push(`- Result: ${node.message}`);
  if (node.expected !== undefined) out.push(`- Expected: \`${node.expected}\``);
  if (node.observed !== undefined) out.push(`- Observed: \`${formatObserved(node.observed, 500)}\``);
  if (node.connection) out.push(`- Connection: ${node.connection}`);
  out.push(`- Attempts: ${node.attempts}, duration ${formatDuration(node.durationMs)}${node.startedAt ? `, started ${node.startedAt}` : ''}`);
  if (node.reasons?.length) out.push('- Reasons:', ...node.reasons.slice(0, 50).map((r) => `  - ${r}`));
  if (Object.keys(node.params).length) out.push('', 'Parameters:', '', '```json', JSON.stringify(node.params, null, 2), '```');
  if (node.outputs && Object.keys(node.outputs).length) out.push('', 'Outputs:', '', '```json', truncate(JSON.stringify(node.outputs, null, 2), EXCERPT_MAX), '```');
  if (node.samples?.length) {
    const shown = node.samples.length > 40 ? [...node.samples.slice(0, 20), ...node.samples.slice(-20)] : node.samples;
    out.push('', `Samples (${node.samples.length}${shown.length < node.samples.length ? ', first and last 20' : ''}):`, '', '| At | Observed | Status |', '|---|---|---|');
    for (const s of shown) out.push(`| ${s.at} | ${cell(formatObserved(s.observed, 80))} | ${s.status} |`);
  }
  const details = node.details;
  if (details?.summary) out.push('', `Window: ${details.summary}`);
  if (details?.notes?.length) out.push('', ...details.notes.slice(0, 50).map((n) => `- ${n}`));
  if (details?.rows?.length) {
    const rows = details.rows.slice(0, 20);
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    out.push('', `| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${columns.map((c) => cell(stringify(r[c]))).join(' | ')} |`));
    if (details.rows.length > rows.length) out.push(`(${details.rows.length - rows.length} more rows)`);
  }
  for (const key of ['excerpt', 'log'] as const) {
    const text = details?.[key];
    if (typeof text === 'string' && text.trim()) out.push('', `${key === 'log' ? 'Log' : 'Output'} (excerpt):`, '', '```text', excerpt(text), '```');
  }
  return out;
}

function excerpt(text: string): string {
  const clean = text.replace(/```/g, "'''");
  return clean.length > EXCERPT_MAX ? `${clean.slice(0, EXCERPT_MAX / 2)}\n… (${clean.length - EXCERPT_MAX} characters cut) …\n${clean.slice(-EXCERPT_MAX / 2)}` : clean;
}

function stringify(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? '';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
