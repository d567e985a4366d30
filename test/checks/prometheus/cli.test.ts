import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { rollout, statuses, workspace } from '../../helpers/cli.js';
import { findFreePort } from '../../helpers/prometheus/servers.js';
import { minutesAfter } from '../../helpers/prometheus/context.js';

const harness = inject('prometheus');
const PLAYBOOK = 'playbooks/prometheus.yaml';
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function evidenceDir(): string {
  const dir = workspace({});
  dirs.push(dir);
  return join(dir, 'evidence');
}

async function check(at: Date | string, url = harness.historyUrl) {
  const iso = typeof at === 'string' ? at : at.toISOString();
  return rollout(['check', '-p', PLAYBOOK, '--env', 'fixture', '--at', iso, '--reporter', 'json', '--evidence-dir', evidenceDir()], { env: { ROLLOUT_PROMETHEUS_URL: url } });
}

describe('the example playbook through the built CLI', () => {
  test('validates', async () => {
    const run = await rollout(['validate', '-p', PLAYBOOK]);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
  });

  test('healthy instant: every gate passes (0.05 % errors, p95 200 ms, burn 0.5×, no alerts)', async () => {
    const run = await check(harness.scenarios.healthy!);
    expect(run.exitCode).toBe(0);
    expect(run.json.verdict).toBe('pass');
    expect(statuses(run.json)).toEqual({ 'error-rate': 'pass', 'no-sustained-errors': 'pass', 'p95-latency': 'pass', memory: 'pass', 'availability-burn': 'pass', 'canary-latency': 'pass', 'alerts-quiet': 'pass' });
    const window = run.json.nodes.find((n: { id: string }) => n.id === 'no-sustained-errors');
    expect(window.samples).toHaveLength(21);
  });

  test('eight minutes into the outage: the error gates fail, every sample of the 5-minute window failing', async () => {
    const run = await check(minutesAfter(harness.scenarios.outageStart!, 8));
    expect(run.exitCode).toBe(1);
    const nodes = statuses(run.json);
    expect(nodes['error-rate']).toBe('fail');
    expect(nodes['no-sustained-errors']).toBe('fail');
    expect(nodes['p95-latency']).toBe('pass');
    const window = run.json.nodes.find((n: { id: string }) => n.id === 'no-sustained-errors');
    expect(window.message).toMatch(/^did not hold <= 0\.05 at 21 of 21 samples over 5m/);
  });

  test('an unreachable Prometheus makes every Prometheus gate an error (exit 3), never pass', async () => {
    const port = await findFreePort();
    const run = await check(harness.scenarios.healthy!, `http://127.0.0.1:${port}`);
    expect(run.exitCode).toBe(3);
    expect(new Set(Object.values(statuses(run.json)))).toEqual(new Set(['error']));
    expect(run.json.nodes[0].message).toContain('connection refused');
  });

  test('NaN and no data are errors through the core', async () => {
    const dir = workspace({
      'rollout.yaml': [
        'version: 1',
        'name: nan-and-empty',
        'environments: { fixture: { prometheus: { url: "${env:ROLLOUT_PROMETHEUS_URL}" } } }',
        'gates:',
        '  - { id: idle-ratio, uses: prometheus.query, with: { query: "sum(rate(http_requests_total{service=\\"idle\\",code=\\"500\\"}[5m])) / sum(rate(http_requests_total{service=\\"idle\\"}[5m]))" }, expect: "<= 0.01" }',
        '  - { id: ghost, uses: prometheus.query, with: { query: "sum(rate(http_requests_total{service=\\"ghost\\"}[5m]))" }, expect: "<= 0.01" }',
        '  - { id: ghost-allowed, uses: prometheus.query, with: { query: "sum(rate(http_requests_total{service=\\"ghost\\"}[5m]))" }, expect: "<= 0.01", onEmpty: pass }',
        '',
      ].join('\n'),
    });
    dirs.push(dir);
    const run = await rollout(['check', '--env', 'fixture', '--at', harness.scenarios.healthy!, '--reporter', 'json', '--evidence-dir', join(dir, 'evidence')], { cwd: dir, env: { ROLLOUT_PROMETHEUS_URL: harness.historyUrl } });
    expect(statuses(run.json)).toEqual({ 'idle-ratio': 'error', ghost: 'error', 'ghost-allowed': 'pass' });
    expect(run.exitCode).toBe(3);
  });

  test('rollout validate rejects bad PromQL offline with its position (exit 2)', async () => {
    const dir = workspace({
      'rollout.yaml': [
        'version: 1',
        'name: bad-promql',
        'environments: { fixture: { prometheus: { url: "http://127.0.0.1:9" } } }',
        'gates:',
        '  - id: error-rate',
        '    uses: prometheus.query',
        '    with:',
        '      query: sum(rate(http_requests_total[5m])',
        '    expect: "<= 0.01"',
        '',
      ].join('\n'),
    });
    dirs.push(dir);
    const run = await rollout(['validate'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('PromQL syntax error at line 1, column 34: unexpected end of the query (an unclosed "(")');
    expect(run.stderr).toMatch(/rollout\.yaml:8:\d+/);
  });

  test('rollout checks prometheus.query documents every parameter', async () => {
    const run = await rollout(['checks', 'prometheus.query']);
    expect(run.exitCode).toBe(0);
    for (const param of ['query:', 'match?:', 'unit?:', 'step?:']) expect(run.stdout).toContain(param);
  });
});

describe('rollback triggers through the built CLI (rollback --dry-run --at)', () => {
  async function triggersAt(at: Date) {
    const run = await rollout(['rollback', '-p', PLAYBOOK, '--env', 'fixture', '--dry-run', '--at', at.toISOString(), '--reporter', 'json', '--evidence-dir', evidenceDir()], { env: { ROLLOUT_PROMETHEUS_URL: harness.historyUrl } });
    const byId = Object.fromEntries(run.json.nodes.map((n: { id: string }) => [n.id, n]));
    return { run, byId };
  }

  test('a two-minute spike crosses the threshold on an instant query, but the for: 5m trigger stays quiet', async () => {
    const during = minutesAfter(harness.scenarios.spikeStart!, 1.5);
    const instant = await check(during);
    expect(statuses(instant.json)['error-rate']).toBe('fail');
    const { run, byId } = await triggersAt(during);
    expect(run.exitCode).toBe(0);
    expect(byId['error-rate-high'].status).toBe('quiet');
    expect(byId['error-rate-high'].samples.some((s: { status: string }) => s.status === 'fail')).toBe(true);
    expect(byId['error-rate-high'].samples.some((s: { status: string }) => s.status === 'pass')).toBe(true);
  });

  test('eight minutes into the 7 % outage the error-rate trigger fires: every sample of the window failed', async () => {
    const { run, byId } = await triggersAt(minutesAfter(harness.scenarios.outageStart!, 8));
    // A dry run reports fired triggers; they are not its exit code (it exits 0 when the rollback is runnable).
    expect(run.exitCode).toBe(0);
    expect(byId['error-rate-high'].status).toBe('fired');
    expect(byId['error-rate-high'].message).toMatch(/^failed <= 0\.05 at all \d+ samples over 5m/);
    expect(byId['latency-high'].status).toBe('quiet');
  });
});
