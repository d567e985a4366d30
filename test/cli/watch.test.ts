import { createServer } from 'node:http';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { waitForLiveValue } from '../helpers/prometheus/live.js';
import { rollout, workspace } from '../helpers/cli.js';
import { RECORD_SCRIPT, readRecord } from '../helpers/record.js';

const harness = inject('prometheus');

// The live Prometheus scrapes the harness's exporter every second: checkout is up (1) and
// its queue depth is 250 (test/helpers/prometheus/exporter.ts).
function playbook(url: string, triggers: string, undo = './rec.sh, undo'): string {
  return `version: 1
name: checkout
environments: { production: { prometheus: { url: "${url}" } } }
rollback:
  triggers:
${triggers}
  steps:
    - { id: undo, uses: exec, with: { command: [${undo}] } }
  verify:
    - { id: undone, uses: exec, with: { command: [./rec.sh, verify] } }
`;
}

const UP = `    - { id: checkout-up, title: Checkout is up, uses: prometheus.query, with: { query: 'max(rollout_demo_up{service="checkout"})' }, expect: "== 1", for: 2s }`;
const QUEUE = (severity: string) => `    - { id: queue-backlog, title: Queue depth at most 100, uses: prometheus.query, with: { query: 'max(rollout_demo_queue_depth{service="checkout"})' }, expect: "<= 100", for: 2s, severity: ${severity} }`;

const watch = (dir: string, ...args: string[]) => rollout(['watch', '--env', 'production', ...args], { cwd: dir });
const report = (run: { stdout: string }) => JSON.parse(run.stdout.slice(run.stdout.indexOf('{\n')));

describe('rollout watch (live Prometheus)', () => {
  beforeAll(async () => {
    // Three scrapes of live data at least, so every evaluation has data.
    await waitForLiveValue(harness, 'count(count_over_time(rollout_demo_up[1m]) >= 3)', 1, 30_000);
  });

  it('a quiet window exits 0 with every evaluation in the evidence; a warning trigger that fires never rolls back', async () => {
    const dir = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': playbook(harness.liveUrl, `${UP}\n${QUEUE('warning')}`) });
    const t0 = Date.now();
    const run = await watch(dir, '--duration', '3s', '--interval', '1s', '--rollback', '--yes', '--reporter', 'json', '--output', 'watch.json');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3000);
    // The live view: one line per evaluation round.
    expect(run.stdout).toMatch(/\+\d{1,3}ms +checkout-up QUIET 1 {2}· {2}queue-backlog FAILING 250 \[warning\]\n/);
    expect(run.stdout).toMatch(/\+2(\.\d)?s +checkout-up QUIET 1 {2}· {2}queue-backlog FIRED 250 \[warning\]\n/);
    expect(run.stdout).toMatch(/\+3(\.\d)?s +checkout-up QUIET/);
    const json = JSON.parse((await import('node:fs')).readFileSync(`${dir}/watch.json`, 'utf8'));
    const up = json.nodes.find((n: { id: string }) => n.id === 'checkout-up');
    expect(up.status).toBe('quiet');
    expect(up.samples.length).toBe(4);
    expect(up.samples.every((s: { status: string }) => s.status === 'pass')).toBe(true);
    const queue = json.nodes.find((n: { id: string }) => n.id === 'queue-backlog');
    expect(queue).toMatchObject({ status: 'fired', severity: 'warning' });
    expect(readRecord(dir)).toEqual([]);
    const evidence = (await import('node:fs')).readFileSync(`${dir}/${json.evidence}`, 'utf8');
    expect(evidence).toContain('Samples (4)');
  });

  it('a blocking trigger fires once it failed throughout its for: window (exit 4), without waiting out the duration', async () => {
    const dir = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': playbook(harness.liveUrl, `${UP}\n${QUEUE('blocker')}`) });
    const t0 = Date.now();
    const run = await watch(dir, '--duration', '1m', '--interval', '500ms', '--reporter', 'json');
    const took = Date.now() - t0;
    expect(run.exitCode, run.stderr).toBe(4);
    expect(took).toBeGreaterThanOrEqual(2000);
    expect(took).toBeLessThan(15_000);
    const json = report(run);
    expect(json.verdict).toBe('fired');
    const queue = json.nodes.find((n: { id: string }) => n.id === 'queue-backlog');
    expect(queue.status).toBe('fired');
    expect(queue.message).toMatch(/^fired at .*: <= 100 did not hold for 2s \(5 of 5 evaluations failing; last 250\)$/);
    expect(readRecord(dir)).toEqual([]);
  });

  it('--rollback runs the rollback and its verify when a blocking trigger fires (exit 4); a failing rollback is exit 1', async () => {
    const dir = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': playbook(harness.liveUrl, QUEUE('blocker')) });
    const run = await watch(dir, '--duration', '1m', '--interval', '1s', '--rollback', '--yes', '--reporter', 'json');
    expect(run.exitCode, run.stderr).toBe(4);
    expect(report(run).verdict).toBe('rolled-back');
    expect(readRecord(dir)).toEqual(['undo', 'verify']);

    const failing = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': playbook(harness.liveUrl, QUEUE('blocker'), './rec.sh, fail, undo') });
    const bad = await watch(failing, '--duration', '1m', '--interval', '1s', '--rollback', '--yes', '--reporter', 'json');
    expect(bad.exitCode).toBe(1);
    expect(report(bad).verdict).toBe('rollback-failed');

    // --rollback without --yes and without a terminal: refused before watching.
    expect((await watch(dir, '--duration', '1m', '--rollback')).exitCode).toBe(2);
  });

  it('a health trigger on a service that dies fires (its probe sees "down" as fail)', async () => {
    // The service dies after answering two probes — by count, not by a clock, so a slow
    // start on a loaded machine cannot turn the first samples into failures.
    let served = 0;
    const server = createServer((_req, res) => {
      const last = ++served === 2;
      res.writeHead(200).end('ok', () => {
        if (!last) return;
        server.close();
        server.closeAllConnections();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const dir = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': playbook(harness.liveUrl, `    - { id: health, uses: http, with: { url: "http://127.0.0.1:${port}/health" }, expect: "== 200", for: 1s, timeout: 2s }`) });
    const run = await watch(dir, '--duration', '1m', '--interval', '500ms', '--reporter', 'json');
    expect(run.exitCode, run.stderr).toBe(4);
    const health = report(run).nodes.find((n: { id: string }) => n.id === 'health');
    expect(health.samples.slice(0, 2).map((s: { status: string }) => s.status)).toEqual(['pass', 'pass']);
    expect(health.samples.at(-1).status).toBe('fail');
  });

  it('an unreachable Prometheus is error (exit 3) at the first evaluation (consecutiveErrorLimit 0) and never rolls back', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const dir = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': playbook(`http://127.0.0.1:${port}`, QUEUE('blocker')) });
    const run = await watch(dir, '--duration', '2s', '--interval', '1s', '--rollback', '--yes', '--reporter', 'json');
    expect(run.exitCode).toBe(3);
    const queue = report(run).nodes.find((n: { id: string }) => n.id === 'queue-backlog');
    expect(queue.status).toBe('error');
    // Without consecutiveErrorLimit the first error ends the watch (DESIGN.md, stopping rules).
    expect(queue.message).toMatch(/^ended the watch at .*: an evaluation could not be evaluated, more than consecutiveErrorLimit 0 \(1 errors of 1 evaluations; last: /);
    expect(queue.samples).toHaveLength(1);
    expect(readRecord(dir)).toEqual([]);
  });
  it('ends when its duration is up, however slow the triggers: --duration 4s --interval 1s over a 2 s trigger', async () => {
    const dir = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': playbook(harness.liveUrl, '    - { id: slow, uses: exec, with: { command: [sleep, "2"] } }') });
    const run = await watch(dir, '--duration', '4s', '--interval', '1s', '--reporter', 'json', '--output', 'watch.json');
    expect(run.exitCode, run.stderr).toBe(0);
    const json = JSON.parse((await import('node:fs')).readFileSync(`${dir}/watch.json`, 'utf8'));
    // Rounds at 0 s and (late) at ~2 s; the round due at ~4 s could not finish in time.
    expect(json.durationMs).toBeGreaterThanOrEqual(3900);
    expect(json.durationMs).toBeLessThan(5000);
    expect(json.nodes[0]).toMatchObject({ id: 'slow', status: 'quiet' });
    expect(json.nodes[0].samples).toHaveLength(2);
  });

  it('a round still running when the duration is up is cancelled: its children stopped, its evaluation discarded', async () => {
    const dir = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': playbook(harness.liveUrl, '    - { id: slow, uses: exec, with: { command: [sleep, "5"] } }') });
    const run = await watch(dir, '--duration', '2s', '--interval', '1s', '--reporter', 'json', '--output', 'watch.json');
    const json = JSON.parse((await import('node:fs')).readFileSync(`${dir}/watch.json`, 'utf8'));
    expect(json.durationMs).toBeLessThan(4000);
    // Not one evaluation finished inside the watch: that is an error, never quiet.
    expect(run.exitCode).toBe(3);
    expect(json.nodes[0]).toMatchObject({ id: 'slow', status: 'error', message: 'never evaluated' });
  });
});
