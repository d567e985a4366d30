import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollout, workspace } from '../helpers/cli.js';
import { startPushgateway, stopServer, type RunningServer } from '../helpers/prometheus/servers.js';

const PLAYBOOK = `version: 1
name: gate-metrics
environments: { staging: {} }
gates:
  - { id: healthy, uses: exec, with: { command: ["true"] } }
  - { id: broken, uses: exec, with: { command: ["false"] } }
`;

let dir: string;
let gateway: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rollout-metrics-cli-'));
  gateway = await startPushgateway({ dir });
});

afterAll(async () => {
  await stopServer(gateway);
  rmSync(dir, { recursive: true, force: true });
});

describe('rollout check --metrics-file / --pushgateway', () => {
  it('writes the textfile and pushes to a real Pushgateway, also when the run fails', async () => {
    const cwd = workspace({ 'rollout.yaml': PLAYBOOK });
    const file = join(cwd, 'rollout.prom');
    const run = await rollout(['check', '--env', 'staging', '--metrics-file', file, '--pushgateway', gateway.url], { cwd });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).not.toMatch(/metrics:/);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('rollout_run_verdict{playbook="gate-metrics",env="staging",command="check",verdict="fail"} 1');
    expect(text).toMatch(/rollout_node_status\{[^}]*node="broken"[^}]*status="fail"[^}]*\} 1/);
    let pushed = '';
    // The Pushgateway may apply a push a moment after answering it (bounded wait).
    for (let i = 0; i < 40 && !pushed.includes('rollout_run_exit_code'); i++) {
      pushed = await (await fetch(`${gateway.url}/metrics`)).text();
      if (!pushed.includes('rollout_run_exit_code')) await new Promise((r) => setTimeout(r, 50));
    }
    expect(pushed).toMatch(/rollout_run_exit_code\{[^}]*playbook="gate-metrics"[^}]*\} 1/);
  });

  it('an unreachable Pushgateway is reported and does not change the verdict', async () => {
    const cwd = workspace({ 'rollout.yaml': PLAYBOOK.replace(/  - \{ id: broken.*\n/, '') });
    const run = await rollout(['check', '--env', 'staging', '--pushgateway', 'http://127.0.0.1:9'], { cwd });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toMatch(/metrics: push to the Pushgateway failed/);
  });
});
