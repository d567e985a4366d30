import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { convertRunbook } from '../../src/runbook/index.js';
import { checkEnvironmentResolves, openPlaybook } from '../../src/session/index.js';
import { RULE_CASES } from './rule-cases.js';

const TRIGGER_TEXTS = [
  'Error Rate > 5% for >5 minutes',
  'Response Latency p95 > 2 seconds for >5 minutes',
  'Replication lag > 500ms for 2 minutes',
  'Out-of-memory conditions detected',
  'Unplanned failovers > 2 in 1 hour',
  'Any P0 alert',
  'failure of a critical health check',
];

/** Every rule's example as one Markdown runbook: each under its own heading, as a reader would write it. */
function runbookOfEveryRule(): string {
  const sections = RULE_CASES.map(([, item]) => {
    const heading = `## ${item.headings.at(-1) ?? 'Checklist'}`;
    const detail = item.detail ? `\n  ${item.detail}` : '';
    const body = item.code ? `1. ${item.text}\n   \`\`\`bash\n${item.code.map((l) => `   ${l}`).join('\n')}\n   \`\`\`` : `- [ ] ${item.text}${detail}`;
    return `${heading}\n${body}\n`;
  });
  return `# Every rule\n\n${sections.join('\n')}\n## Automatic rollback triggers\n\`\`\`\n${TRIGGER_TEXTS.join('\n')}\n\`\`\`\n`;
}

describe('the nodes every rule makes, together in one imported playbook', () => {
  it('validate, and every value of the environment resolves once the secrets are set', async () => {
    const converted = convertRunbook(runbookOfEveryRule(), { source: 'every-rule.md' });
    const playbook = parse(converted.yaml);
    const kinds = Object.values(converted.kinds);
    for (const [rule, , uses] of RULE_CASES) expect(kinds, rule).toContain(uses);
    expect(playbook.rollback.triggers).toHaveLength(TRIGGER_TEXTS.length);

    const file = join(mkdtempSync(join(tmpdir(), 'rollout-every-rule-')), 'rollout.yaml');
    writeFileSync(file, converted.yaml);
    const opened = await openPlaybook(file);
    expect(opened.ok ? [] : opened.problems).toEqual([]);
    if (!opened.ok) return;
    const secrets = { DATABASE_URL: 'postgres://app:secret-password@db.example.com/app', GITHUB_TOKEN: 'ghp_placeholder_token', PGBOUNCER_PASSWORD: 'placeholder-password' };
    expect(checkEnvironmentResolves(opened.value, 'production', secrets)).toEqual([]);
  });
});
