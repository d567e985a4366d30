import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { convertRunbook } from '../../src/runbook/index.js';
import { comparisonIn, healthyOf, holdDurationIn } from '../../src/runbook/text.js';
import { mapTrigger, parseTriggerLines, TRIGGER_RULES } from '../../src/runbook/triggers.js';

describe('each trigger rule', () => {
  // One row per rule: the condition as a runbook states it, and the trigger it becomes (healthy side, for:).
  const cases: Array<[rule: string, text: string, partial: Record<string, unknown>]> = [
    ['replication lag', 'Replication lag > 500ms for 2 minutes', { uses: 'postgres.replication', expect: '<= 500ms', for: '2m', system: 'postgres' }],
    ['error rate', 'Error Rate > 5% for >5 minutes', { uses: 'prometheus.query', with: { query: 'sum(rate(http_requests_total{job="${vars.job}",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="${vars.job}"}[5m]))' }, expect: '<= 0.05', for: '5m', vars: ['job'] }],
    ['latency', 'Response Latency p95 > 2 seconds for >5 minutes', { uses: 'prometheus.query', with: { query: 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="${vars.job}"}[5m])))', unit: 'seconds' }, expect: '<= 2s', for: '5m' }],
    ['alerts firing', 'Any P0 alert', { uses: 'prometheus.alerts', with: { matchers: ['severity=~"P0|p0|P1|p1|critical|page"'] } }],
    ['health check failing', 'failure of a critical health check', { uses: 'prometheus.query', with: { query: 'min(probe_success{job="${vars.probe_job}"})' }, expect: '== 1', vars: ['probe_job'] }],
    ['out of memory', 'Out-of-memory conditions detected', { uses: 'prometheus.query', with: { query: 'sum(increase(node_vmstat_oom_kill[5m]))' }, expect: '== 0' }],
    ['unknown metric', 'Unplanned failovers > 2 in 1 hour', { uses: 'prometheus.query', with: { query: 'sum(increase(todo_unplanned_failovers_total[1h]))' }, expect: '<= 2' }],
  ];

  it('the table covers every rule', () => {
    expect(cases.map(([rule]) => rule).sort()).toEqual(TRIGGER_RULES.map((r) => r.name).sort());
  });

  for (const [rule, text, partial] of cases) {
    it(`${rule}: "${text}"`, () => {
      const mapped = mapTrigger(text);
      expect(mapped.rule).toBe(rule);
      expect(mapped.spec).toMatchObject(partial);
    });
  }

  it('a condition with no known metric is a placeholder query with no data (an error, never quiet), with its threshold kept', () => {
    expect(mapTrigger('Database Connection Errors > 10% for >5 minutes').spec).toMatchObject({ with: { query: 'todo_database_connection_errors_ratio' }, expect: '<= 0.1', for: '5m' });
    const judgement = mapTrigger('Critical security issue discovered').spec;
    expect(judgement).toMatchObject({ uses: 'prometheus.query', with: { query: 'todo_critical_security_issue_discovered' }, expect: '== 0' });
    expect(judgement.note).toContain('never quiet');
  });
});

describe('reading conditions', () => {
  it('comparisons in symbols and words, percentages as ratios; the healthy side is the negation', () => {
    expect(comparisonIn('Error Rate > 5%')).toEqual({ op: '>', value: 0.05, percent: true });
    expect(comparisonIn('latency above 2 seconds')).toEqual({ op: '>', value: 2, percent: false, unit: 's' });
    expect(comparisonIn('Disk I/O under 70% saturation')).toEqual({ op: '<', value: 0.7, percent: true });
    expect(comparisonIn('Unplanned failovers in the hour')).toBeUndefined();
    expect(healthyOf(comparisonIn('lag >= 1s')!)).toBe('< 1s');
    expect(healthyOf(comparisonIn('free disk < 10%')!)).toBe('>= 0.1');
  });

  it('a hold time is for:, a counting window is not', () => {
    expect(holdDurationIn('Error Rate > 5% for >5 minutes')).toBe('5m');
    expect(holdDurationIn('p95 > 2s for more than 10 min')).toBe('10m');
    expect(holdDurationIn('Unplanned failovers > 2 in 1 hour')).toBeUndefined();
  });

  it('the lines of a plain fence and the bullets under a "Triggers" heading, and a "Trigger:" line anywhere, one per condition', () => {
    const markdown = `# Runbook
## Rollback
### Automatic Rollback Triggers
**Immediate rollback if ANY of these occur:**
\`\`\`
Error Rate > 5% for >5 minutes
Out-of-memory conditions detected
\`\`\`
- Replication lag > 1s for 1 minute
\`\`\`bash
./not-a-condition.sh
\`\`\`
## Abort criteria
- If it cannot be fixed in 15 minutes, the Incident Commander decides.
- **Trigger:** Any P0 alert, failure of a critical health check, or corruption of data.
`;
    expect(parseTriggerLines(markdown).map((t) => [t.line, t.text])).toEqual([
      [6, 'Error Rate > 5% for >5 minutes'],
      [7, 'Out-of-memory conditions detected'],
      [9, 'Replication lag > 1s for 1 minute'],
      [15, 'Any P0 alert'],
      [15, 'failure of a critical health check'],
      [15, 'corruption of data'],
    ]);
  });

  it('checklist items under a triggers heading are triggers, not rollback steps', () => {
    const playbook = parse(convertRunbook('# X\n## Rollback triggers\n- [ ] Error rate > 2% for 10 minutes\n  - as the API gateway counts it\n## Rollback plan\n1. Undo `kubectl rollout undo deployment/api`\n').yaml);
    expect(playbook.rollback.triggers).toEqual([expect.objectContaining({ id: 'error-rate-2-for-10-minutes', uses: 'prometheus.query', expect: '<= 0.02', for: '10m' })]);
    expect(playbook.rollback.steps).toHaveLength(1);
  });
});
