import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderMetricsText } from '../../../src/report/metrics-text.js';
import { pushMetrics, writeMetricsFile } from '../../../src/session/metrics-sink.js';
import type { NodeResult, RunResult } from '../../../src/run/types.js';
import { runProcess } from '../../../src/sdk/index.js';
import { findFreePort, type RunningServer, startPushgateway, stopServer } from '../../helpers/prometheus/servers.js';

function node(id: string, status: NodeResult['status'], observed: NodeResult['observed'], extra: Partial<NodeResult> = {}): NodeResult {
  return { id, baseId: id, kind: 'prometheus.query', title: id, role: 'gate', severity: 'blocker', status, durationMs: 1250, attempts: 1, observed, message: '', params: {}, ...extra };
}

function runResult(nodes: NodeResult[], overrides: Partial<RunResult> = {}): RunResult {
  return {
    tool: { name: 'rollout', version: '0.1.0' },
    playbook: { name: 'payments-api', file: 'rollout.yaml', sha256: 'x' },
    env: 'staging',
    command: 'check',
    dryRun: false,
    partial: false,
    startedAt: '2026-11-23T02:00:00.000Z',
    endedAt: '2026-11-23T02:00:03.500Z',
    durationMs: 3500,
    interrupted: false,
    verdict: 'fail',
    exitCode: 1,
    nodes,
    ...overrides,
  } as RunResult;
}

const RESULT = runResult([
  node('error-rate', 'fail', 0.07),
  node('p95-latency', 'pass', 0.2, { durationMs: 40 }),
  node('failovers', 'error', [], { attempts: 3 }),
  node('no-nan', 'error', NaN),
  node('db-version', 'warn', '15.4', { kind: 'postgres.query', severity: 'warning' }),
]);

let dir: string;
let gateway: RunningServer;

/** The Pushgateway may apply a push a moment after answering it: read until it shows (bounded). */
async function readGatewayUntil(url: string, ready: (text: string) => boolean): Promise<string> {
  let text = '';
  for (let i = 0; i < 40; i++) {
    text = await (await fetch(`${url}/metrics`)).text();
    if (ready(text)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return text;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rollout-metrics-'));
  gateway = await startPushgateway({ dir });
});

afterAll(async () => {
  await stopServer(gateway);
  rmSync(dir, { recursive: true, force: true });
});

describe('run results as metrics', () => {
  test('the text names every node with its status, duration, attempts and numeric observation', async () => {
    const text = await renderMetricsText(RESULT);
    const run = 'playbook="payments-api",env="staging",command="check"';
    expect(text).toContain(`rollout_run_verdict{${run},verdict="fail"} 1`);
    expect(text).toContain(`rollout_run_exit_code{${run}} 1`);
    expect(text).toContain(`rollout_run_duration_seconds{${run}} 3.5`);
    expect(text).toContain(`rollout_run_last_timestamp_seconds{${run}} ${Date.parse('2026-11-23T02:00:03.500Z') / 1000}`);
    expect(text).toContain(`rollout_nodes{${run},status="error"} 2`);
    expect(text).toContain(`rollout_node_status{${run},node="error-rate",kind="prometheus.query",role="gate",severity="blocker",status="fail"} 1`);
    expect(text).toContain(`rollout_node_status{${run},node="db-version",kind="postgres.query",role="gate",severity="warning",status="warn"} 1`);
    expect(text).toContain(`rollout_node_duration_seconds{${run},node="p95-latency",kind="prometheus.query",role="gate"} 0.04`);
    expect(text).toContain(`rollout_node_attempts{${run},node="failovers",kind="prometheus.query",role="gate"} 3`);
    expect(text).toContain(`rollout_node_observed{${run},node="error-rate",kind="prometheus.query",role="gate"} 0.07`);
    // Lists, strings and NaN are not numbers to graph.
    expect(text).not.toMatch(/rollout_node_observed\{[^}]*node="(failovers|no-nan|db-version)"/);
  });

  test('the textfile is written atomically and passes promtool check metrics', async () => {
    const file = join(dir, 'rollout.prom');
    await writeMetricsFile(RESULT, file);
    expect(readdirSync(dir).filter((f) => f.startsWith('rollout.prom'))).toEqual(['rollout.prom']);
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(await renderMetricsText(RESULT));
    const lint = await runProcess(['promtool', 'check', 'metrics'], { input: text });
    expect(lint.stderr + lint.stdout).toBe('');
    expect(lint.exitCode).toBe(0);
  });

  test('a textfile in a missing directory is an error naming the file', async () => {
    await expect(writeMetricsFile(RESULT, join(dir, 'nope', 'rollout.prom'))).rejects.toThrow(/^cannot write metrics file .*nope\/rollout\.prom/);
  });

  test('pushed to Debian\'s Pushgateway, grouped by playbook, env and command, and read back; a new push replaces the group', async () => {
    await pushMetrics(RESULT, gateway.url, { team: 'payments/checkout' });
    let text = await readGatewayUntil(gateway.url, (t) => t.includes('verdict="fail"'));
    const line = (name: string, labels: string) => new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(text)?.[1];
    const group = 'command="check",env="staging",instance="",job="rollout"';
    expect(line('rollout_node_status', `${group},kind="prometheus.query",node="error-rate",playbook="payments-api",role="gate",severity="blocker",status="fail",team="payments/checkout"`)).toBe('1');
    expect(line('rollout_run_verdict', `${group},playbook="payments-api",team="payments/checkout",verdict="fail"`)).toBe('1');
    expect(line('rollout_node_observed', `${group},kind="prometheus.query",node="error-rate",playbook="payments-api",role="gate",team="payments/checkout"`)).toBe('0.07');
    expect(text).toMatch(/^push_time_seconds\{command="check",env="staging",instance="",job="rollout",playbook="payments-api",team="payments\/checkout"\} /m);

    await pushMetrics(runResult([node('error-rate', 'pass', 0.0004)], { verdict: 'pass', exitCode: 0 }), gateway.url, { team: 'payments/checkout' });
    text = await readGatewayUntil(gateway.url, (t) => t.includes('verdict="pass"'));
    expect(line('rollout_run_verdict', `${group},playbook="payments-api",team="payments/checkout",verdict="pass"`)).toBe('1');
    expect(text).not.toContain('verdict="fail"');
    expect(text).not.toContain('node="p95-latency"');
  });

  test('an unreachable Pushgateway is an error naming it, password masked', async () => {
    const port = await findFreePort();
    await expect(pushMetrics(RESULT, `http://ci:s3cretpass@127.0.0.1:${port}`)).rejects.toThrow(`cannot push metrics to http://ci:***@127.0.0.1:${port}: ECONNREFUSED`);
  });
});
