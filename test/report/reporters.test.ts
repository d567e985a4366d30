import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderMetricsText } from '../../src/report/metrics-text.js';
import { reporters } from '../../src/report/reporters.js';
import { runResult } from './fixture.js';

const RESULT = runResult([
  { id: 'db-version', kind: 'postgres.query', status: 'pass', observed: 150004, expected: '>= 150000', message: 'observed 150004' },
  { id: 'error-rate', kind: 'prometheus.query', status: 'fail', observed: 0.07, expected: '<= 0.05', message: 'observed 0.07, expected <= 0.05' },
  { id: 'after', status: 'skipped', message: 'needs error-rate (fail)' },
]);

describe('reporters: one map, each a pure (RunResult, options) → string', () => {
  it('has json, junit, plain and markdown', () => {
    expect(Object.keys(reporters).sort()).toEqual(['json', 'junit', 'markdown', 'plain']);
  });

  it('json: the report a CI job reads, with the evidence path', () => {
    const report = JSON.parse(reporters.json(RESULT, { evidence: 'evidence/staging/x.md' }));
    expect(report).toMatchObject({ verdict: 'fail', exitCode: 1, partial: false, dryRun: false, evidence: 'evidence/staging/x.md' });
    expect(report.nodes.map((n: { id: string; status: string }) => `${n.id}:${n.status}`)).toEqual(['db-version:pass', 'error-rate:fail', 'after:skipped']);
    expect(report.nodes[1]).toMatchObject({ observed: 0.07, expected: '<= 0.05', kind: 'prometheus.query', attempts: 1 });
  });

  it('junit: a failure, a skip and a pass, counted on the suite', () => {
    const xml = reporters.junit(RESULT);
    expect(xml).toMatch(/<testsuites name="rollout" tests="3" failures="1" errors="0" skipped="1"/);
    expect(xml).toContain('<failure message="observed 0.07, expected &lt;= 0.05" type="fail">');
    expect(xml).toContain('<skipped message="needs error-rate (fail)"/>');
  });

  it('plain: the verdict line and the counts', () => {
    const text = reporters.plain(RESULT, { evidence: 'evidence/staging/x.md' });
    expect(text).toContain('payments-api check --env staging: FAIL (exit 1) in 2.5s');
    expect(text).toContain('1 pass, 1 fail, 1 skipped');
    expect(text).toContain('evidence: evidence/staging/x.md');
  });

  it('markdown: a job-summary table, pipes escaped', () => {
    const withPipe = runResult([{ id: 'grep', status: 'fail', message: 'a|b did not match' }]);
    const text = reporters.markdown(withPipe);
    expect(text).toContain('## rollout check --env staging: FAIL');
    expect(text).toContain('| grep | FAIL |  |  | a\\|b did not match |');
    const coloured = reporters.markdown(runResult([{ id: 'c', status: 'fail', message: '\u001b[31mred\u001b[0m\u0007' }]));
    expect(coloured).toContain('| c | FAIL |  |  | red |');
  });

  it('renders the same string for the same run (no clock, no environment)', () => {
    for (const render of Object.values(reporters)) expect(render(RESULT, { evidence: 'e.md' })).toBe(render(RESULT, { evidence: 'e.md' }));
  });

  it('metrics text: labelled by playbook, env and command unless a Pushgateway groups them', async () => {
    const text = await renderMetricsText(RESULT);
    expect(text).toContain('rollout_node_status{playbook="payments-api",env="staging",command="check",node="error-rate",kind="prometheus.query",role="gate",severity="blocker",status="fail"} 1');
    const pushed = await renderMetricsText(RESULT, { runLabels: false });
    expect(pushed).toContain('rollout_run_exit_code 1');
    expect(pushed).not.toContain('playbook=');
  });

  it('src/report does no I/O: no file system, network or process access', () => {
    const dir = new URL('../../src/report/', import.meta.url);
    // metrics.ts is a transitional re-export for the CLI's old call site (see its header).
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'metrics.ts' && f !== 'tty.ts');
    for (const file of files) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      expect(text, file).not.toMatch(/node:fs|node:net|node:http|node:child_process|\bfetch\(|process\.env/);
    }
  });
});
