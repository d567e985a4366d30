import { describe, expect, it } from 'vitest';
import { renderEvidenceBody } from '../../src/evidence/render.js';
import { reporters } from '../../src/report/reporters.js';
import { runResult } from './fixture.js';

const META = { fileName: 'e.md', user: 'u', host: 'h', ci: 'none', commandLine: 'rollout check --env staging', edges: [] as Array<[string, string]> };

const result = runResult([
  { id: 'smoke', status: 'pass', observed: 200, expected: '== 200' },
  { id: 'latency', status: 'error', observed: 'timeout', expected: '< 300', message: 'the query timed out' },
  { id: 'error-rate', status: 'fail', observed: 0.12, expected: '< 0.05', message: 'observed 0.12, expected < 0.05' },
  { id: 'alerts', kind: 'alertmanager', status: 'fired', message: 'alert HighLatency is firing', reasons: ['HighLatency{service="api"} firing since 10:02'] },
  { id: 'later', status: 'skipped', message: 'a need failed' },
]);

describe('why it failed, first', () => {
  it('the evidence starts, after who/when/verdict, with every failing node, observed vs expected', () => {
    const body = renderEvidenceBody(result, META);
    const why = body.indexOf('## Why it failed');
    expect(why).toBeGreaterThan(body.indexOf('**Verdict: FAIL**'));
    expect(why).toBeLessThan(body.indexOf('## Nodes'));
    const section = body.slice(why, body.indexOf('## Nodes'));
    expect(section).toContain('- **error-rate** FAIL: observed 0.12, expected < 0.05\n');
    expect(section).toContain('- **alerts** FIRED: alert HighLatency is firing');
    expect(section).toContain('- **latency** ERROR: the query timed out — observed `"timeout"`, expected `< 300`');
    expect(section).not.toContain('smoke');
  });

  it('the node table shows the first reason where a verdict kind observed no value; a node that did not run stays empty', () => {
    const body = renderEvidenceBody(result, META);
    expect(body).toContain('| alerts | alertmanager | FIRED | 120ms | 1 | HighLatency{service="api"} firing since 10:02 |  |');
    expect(body).toMatch(/\| later \| exec \| SKIP \| [^|]+ \| 1 \|  \|  \|/);
  });

  it('a passing run has no such section; the plain summary ends with the failures', () => {
    expect(renderEvidenceBody(runResult([{ id: 'smoke' }], { verdict: 'pass', exitCode: 0 }), META)).not.toContain('Why it failed');
    const plain = reporters.plain(result);
    expect(plain.trimEnd().split('\n').slice(-4)).toEqual(['  why it failed:', '    ERROR latency: the query timed out (observed "timeout", expected < 300)', '    FAIL error-rate: observed 0.12, expected < 0.05', '    FIRED alerts: alert HighLatency is firing']);
  });
});
