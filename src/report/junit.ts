import type { RunResult } from '../run/types.js';
import { toXmlChars } from './clean-text.js';
import { formatObserved } from './format.js';

const escape = (text: string) =>
  toXmlChars(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/**
 * JUnit XML: one testcase per node; fail → failure, error → error, skipped/dry-run → skipped.
 * `inconclusive` → error (type="inconclusive"): GitLab and Jenkins show `<skipped>` as a
 * neutral, ignorable result, but the gate did not pass and the run exits 3, as for an error.
 * With `evidence`, the suite names it as a property and each testcase carries it as
 * `[[ATTACHMENT|path]]`, which GitLab's test report turns into a link back to the record.
 * A node located in its playbook (`source`) carries `file` (GitLab's test report shows it) and `line`.
 */
export function renderJunit(result: RunResult, evidence?: string): string {
  const count = (statuses: string[]) => result.nodes.filter((n) => statuses.includes(n.status)).length;
  const failures = count(['fail', 'fired']);
  const errors = count(['error', 'inconclusive']);
  const skipped = count(['skipped', 'dry-run']);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="rollout" tests="${result.nodes.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${(result.durationMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${escape(`${result.playbook.name} ${result.command} ${result.env}`)}" tests="${result.nodes.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${(result.durationMs / 1000).toFixed(3)}" timestamp="${result.startedAt}">`,
  ];
  if (evidence) lines.push('    <properties>', `      <property name="evidence" value="${escape(evidence)}"/>`, '    </properties>');
  const attachment = evidence ? `[[ATTACHMENT|${escape(evidence)}]]` : '';
  for (const node of result.nodes) {
    const name = escape(`${node.id}: ${node.title}`);
    const detail = escape([node.message, node.expected ? `expected: ${node.expected}` : '', node.observed !== undefined ? `observed: ${formatObserved(node.observed, 2000)}` : '', ...(node.reasons ?? [])].filter(Boolean).join('\n'));
    // GitLab shows `file` and links it into the repository; `line` is read by other CI tools and ignored by the rest.
    const source = node.source ? ` file="${escape(node.source.file)}" line="${node.source.line}"` : '';
    lines.push(`    <testcase classname="${escape(`${result.playbook.name}.${node.role}`)}" name="${name}"${source} time="${(node.durationMs / 1000).toFixed(3)}">`);
    if (node.status === 'fail' || node.status === 'fired') lines.push(`      <failure message="${escape(node.message)}" type="${node.status}">${detail}</failure>`);
    else if (node.status === 'error' || node.status === 'inconclusive') lines.push(`      <error message="${escape(node.message)}" type="${node.status}">${detail}</error>`);
    else if (node.status === 'skipped' || node.status === 'dry-run') lines.push(`      <skipped message="${escape(node.message)}"/>`);
    const where = node.source ? escape(`defined at ${node.source.file}:${node.source.line}:${node.source.column}`) : '';
    const out = [node.status === 'warn' ? `WARN: ${detail}` : '', where, attachment].filter(Boolean).join('\n');
    if (out) lines.push(`      <system-out>${out}</system-out>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
