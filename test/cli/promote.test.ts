import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollout, statuses, workspace } from '../helpers/cli.js';
import { evidenceFiles, RECORD_SCRIPT, readRecord, startRecordingServer, USER_MODULE } from '../helpers/record.js';

const step = (id: string, args: string, extra = '') => `      - { id: ${id}, uses: exec, with: { command: [./rec.sh, ${args}] }${extra} }\n`;

function project(playbook: string, files: Record<string, string> = {}): string {
  return workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': playbook, ...files });
}

const promote = (dir: string, ...args: string[]) => rollout(['promote', '--env', 'staging', '--reporter', 'json', ...args], { cwd: dir });

describe('rollout promote', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  beforeAll(async () => {
    server = await startRecordingServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('--dry-run executes no mutating node of any kind (exec, http POST, a user module) while non-mutating ones run', async () => {
    const dir = project(`version: 1
name: dry
checks: ./checks
environments: { staging: {} }
gates:
  - { id: ready, uses: exec, with: { command: [./rec.sh, gate] } }
  - { id: probe, uses: http, with: { url: "${server.url}/health" } }
stages:
  - id: release
    steps:
${step('look', 'look', ', mutates: false')}${step('deploy', 'deploy')}      - { id: notify, uses: http, with: { url: "${server.url}/deploys", method: POST, body: { version: "1.4.2" } } }
      - { id: flag, uses: team.flag, with: { flag: checkout-v2, on: true } }
    finally:
${step('cleanup', 'cleanup')}`);
    mkdirSync(join(dir, 'checks'));
    writeFileSync(join(dir, 'checks', 'team-flag.js'), USER_MODULE);
    const before = server.requests.length;
    const run = await promote(dir, '--dry-run');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(statuses(run.json)).toEqual({ ready: 'pass', probe: 'pass', look: 'pass', deploy: 'dry-run', notify: 'dry-run', flag: 'dry-run', cleanup: 'dry-run' });
    expect(readRecord(dir)).toEqual(['gate', 'look']);
    expect(server.requests.slice(before)).toEqual(['GET /health']);
    expect(run.json.dryRun).toBe(true);
    expect(evidenceFiles(dir, 'staging')).toEqual([expect.stringMatching(/-dry-promote-dry-run\.md$/)]);
  });

  it('runs gates, then each stage in order (gates, steps in DAG order, verify, finally), with --yes', async () => {
    const dir = project(`version: 1
name: order
environments: { staging: {} }
gates:
${step('ready', 'gate').replace('      -', '  -')}stages:
  - id: maintenance
    gates:
${step('window-open', 'stage-gate')}    steps:
${step('b', 'step-b', ', needs: [a]')}${step('a', 'step-a')}    verify:
${step('smoke', 'verify-smoke')}    finally:
${step('leave', 'finally-leave')}  - id: migration
    gates: [ready]
    steps:
${step("migrate-db", "migrate")}`);
    const run = await promote(dir, '--yes');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(readRecord(dir)).toEqual(['gate', 'stage-gate', 'step-a', 'step-b', 'verify-smoke', 'finally-leave', 'gate', 'migrate']);
    // The stage re-checks the top-level gate it names right before its steps.
    expect(run.json.nodes.map((n: { id: string }) => n.id)).toContain('ready@migration');
  });

  it('a failing stage runs onFailure: rollback, then its finally, and skips the later stages (exit 1, rolled-back)', async () => {
    const dir = project(`version: 1
name: fails
environments: { staging: {} }
stages:
  - id: release
    steps:
${step('deploy', 'deploy')}    verify:
${step('smoke', 'fail, smoke')}    onFailure: rollback
    finally:
${step('leave', 'finally-leave')}  - id: traffic
    steps:
${step('shift', 'shift')}rollback:
  steps:
${step('undeploy', 'undeploy', ', ifPassed: [deploy]').replace('      -', '    -')}${step('unshift', 'unshift', ', ifPassed: [shift]').replace('      -', '    -')}  verify:
${step('back', 'rollback-verify').replace('      -', '    -')}`);
    const run = await promote(dir, '--yes');
    expect(run.exitCode).toBe(1);
    expect(run.json.verdict).toBe('rolled-back');
    expect(readRecord(dir)).toEqual(['deploy', 'fail smoke', 'undeploy', 'rollback-verify', 'finally-leave']);
    const byId = statuses(run.json);
    expect(byId).toMatchObject({ deploy: 'pass', smoke: 'fail', undeploy: 'pass', unshift: 'skipped', back: 'pass', leave: 'pass', shift: 'skipped' });
    expect(run.json.nodes.find((n: { id: string }) => n.id === 'unshift').message).toMatch(/ifPassed: shift was not done/);
    expect(run.json.nodes.find((n: { id: string }) => n.id === 'shift').message).toMatch(/not started: stage release failed/);
  });

  it('a partial promote (--only) that selected no rollback step is not called rolled-back: the verdict is the failure', async () => {
    const dir = project(`version: 1
name: partial
environments: { staging: {} }
stages:
  - id: release
    steps:
${step('deploy', 'deploy')}    verify:
${step('smoke', 'fail, smoke')}    onFailure: rollback
rollback:
  steps:
${step('undeploy', 'undeploy').replace('      -', '    -')}`);
    const run = await promote(dir, '--yes', '--only', 'deploy,smoke');
    expect(run.exitCode).toBe(1);
    expect(run.json.verdict).toBe('fail');
    expect(readRecord(dir)).toEqual(['deploy', 'fail smoke']);
  });

  it('a rollback that fails makes the verdict rollback-failed', async () => {
    const dir = project(`version: 1
name: rbfail
environments: { staging: {} }
stages:
  - id: release
    steps:
${step('deploy', 'fail, deploy')}    onFailure: rollback
rollback:
  steps:
${step('undo', 'fail, undo').replace('      -', '    -')}`);
    const run = await promote(dir, '--yes');
    expect(run.exitCode).toBe(1);
    expect(run.json.verdict).toBe('rollback-failed');
  });

  it('onFailure: stop (the default) runs finally but no rollback', async () => {
    const dir = project(`version: 1
name: stop
environments: { staging: {} }
stages:
  - id: release
    steps:
${step('deploy', 'fail, deploy')}    finally:
${step('leave', 'leave')}rollback:
  steps:
${step('undo', 'undo').replace('      -', '    -')}`);
    const run = await promote(dir, '--yes');
    expect(run.exitCode).toBe(1);
    expect(run.json.verdict).toBe('fail');
    expect(readRecord(dir)).toEqual(['fail deploy', 'leave']);
  });

  it('a stage matrix runs its instances in order and stops at the first failing one', async () => {
    const dir = project(`version: 1
name: matrix
environments: { staging: { vars: { weights: [25, 50, 100] } } }
stages:
  - id: traffic
    matrix: { weight: "\${vars.weights}" }
    steps:
${step('shift', '"shift=${matrix.weight}"')}    verify:
      - { id: healthy, uses: exec, with: { command: [./rec.sh, "healthy=\${matrix.weight}"] }, needs: [shift] }
      - id: fail-at-100
        uses: exec
        with: { command: [sh, -c, "test \${matrix.weight} -lt 100"] }
`);
    const run = await promote(dir, '--yes');
    expect(readRecord(dir)).toEqual(['shift=25', 'healthy=25', 'shift=50', 'healthy=50', 'shift=100', 'healthy=100']);
    expect(run.exitCode).toBe(1);
    expect(statuses(run.json)).toMatchObject({ 'shift[25]': 'pass', 'healthy[50]': 'pass', 'fail-at-100[50]': 'pass', 'fail-at-100[100]': 'fail' });
  });

  it('a stage verify with for: soaks from the end of the steps, and fails at a failing sample', async () => {
    const dir = project(`version: 1
name: soak
environments: { staging: {} }
stages:
  - id: release
    steps:
${step('deploy', 'deploy')}    verify:
      - id: stays-up
        uses: file
        with: { path: down.flag }
        observe: exists
        expect: "== false"
        for: 2s
        interval: 400ms
`);
    const t0 = Date.now();
    const run = await promote(dir, '--yes');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
    const verify = run.json.nodes.find((n: { id: string }) => n.id === 'stays-up');
    expect(verify.samples.length).toBeGreaterThanOrEqual(5);
    const deploy = run.json.nodes.find((n: { id: string }) => n.id === 'deploy');
    const stepsEnd = Date.parse(deploy.startedAt) + deploy.durationMs;
    expect(Date.parse(verify.samples.at(-1).at) - stepsEnd).toBeGreaterThanOrEqual(1900);

    // The same soak fails when the condition breaks while it soaks.
    setTimeout(() => writeFileSync(join(dir, 'down.flag'), 'x'), 800);
    const broken = await promote(dir, '--yes');
    expect(broken.exitCode).toBe(1);
    expect(broken.json.nodes.find((n: { id: string }) => n.id === 'stays-up').message).toMatch(/did not hold == false/);
  });

  it('a captured output feeds a later node of the promote, and a later rollback reads it from the evidence', async () => {
    const dir = project(`version: 1
name: capture
environments: { staging: {} }
stages:
  - id: release
    steps:
      - { id: current-image, uses: exec, with: { command: [./rec.sh, image] }, mutates: false }
      - { id: deploy, uses: exec, with: { command: [./rec.sh, deploy, "new-image", "was=\${nodes.current-image.outputs.stdout}"] } }
rollback:
  steps:
    - { id: restore, uses: exec, with: { command: [./rec.sh, restore, "\${nodes.current-image.outputs.stdout}"] } }
    - { id: undeploy, uses: exec, with: { command: [./rec.sh, undeploy] }, ifPassed: [deploy] }
`);
    // Before any promote: the rollback has nothing to read, and the dry run says which node.
    const early = await rollout(['rollback', '--env', 'staging', '--dry-run', '--reporter', 'json'], { cwd: dir });
    expect(early.exitCode).toBe(3);
    expect(early.json.nodes.find((n: { id: string }) => n.id === 'restore')).toMatchObject({ status: 'error', message: expect.stringMatching(/node current-image has no result in this run, and no promote evidence/) });
    expect(early.json.nodes.find((n: { id: string }) => n.id === 'undeploy')).toMatchObject({ status: 'skipped', message: 'ifPassed: deploy was not done, nothing to undo' });

    const run = await promote(dir, '--yes');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(readRecord(dir)).toContain('deploy new-image was=registry.example/payments:1.4.2');

    const back = await rollout(['rollback', '--env', 'staging', '--yes', '--reporter', 'json'], { cwd: dir });
    expect(back.exitCode, back.stderr).toBe(0);
    expect(readRecord(dir).slice(-2).sort()).toEqual(['restore registry.example/payments:1.4.2', 'undeploy']);
  });

  it('nodes and stages limited by environments: are skipped elsewhere and satisfy needs', async () => {
    const dir = project(`version: 1
name: envs
environments: { staging: {}, production: { vars: { only: here } } }
stages:
  - id: prod-only
    environments: [production]
    steps:
${step('prod-step', '"${vars.only}"')}  - id: release
    steps:
${step('signoff', 'signoff', ', environments: [production]')}${step('deploy', 'deploy', ', needs: [signoff]')}`);
    const run = await promote(dir, '--yes');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(statuses(run.json)).toEqual({ 'prod-step': 'skipped', signoff: 'skipped', deploy: 'pass' });
    expect(readRecord(dir)).toEqual(['deploy']);
  });

  it('--stage runs the top-level gates and that stage; --from starts at a stage; an unknown stage is exit 2', async () => {
    const dir = project(`version: 1
name: select
environments: { staging: {} }
gates:
${step('ready', 'gate').replace('      -', '  -')}stages:
  - id: one
    steps:
${step('s1', 'one')}  - id: two
    steps:
${step('s2', 'two')}  - id: three
    steps:
${step('s3', 'three')}`);
    expect((await promote(dir, '--yes', '--stage', 'two')).exitCode).toBe(0);
    expect(readRecord(dir)).toEqual(['gate', 'two']);
    const from = await promote(dir, '--yes', '--from', 'two');
    expect(from.json.partial).toBe(true);
    expect(readRecord(dir)).toEqual(['gate', 'two', 'gate', 'two', 'three']);
    const unknown = await promote(dir, '--yes', '--stage', 'fourth');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/no stage "fourth".*\n.*stages: one, two, three/);
  });

  it('refuses to run without --yes when there is no terminal (exit 2), and runs nothing', async () => {
    const dir = project(`version: 1
name: confirm
environments: { production: {} }
stages:
  - id: release
    steps:
${step('deploy', 'deploy')}`);
    const run = await rollout(['promote', '--env', 'production'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/needs confirmation — pass --yes/);
    expect(readRecord(dir)).toEqual([]);
    expect(evidenceFiles(dir, 'production')).toEqual([]);
  });
  it('Ctrl-C in the middle of a stage: its children are stopped, its finally still runs, evidence is written, exit 130', async () => {
    const dir = project(`version: 1
name: interrupted
environments: { staging: {} }
stages:
  - id: release
    steps:
${step('deploy', 'deploy')}      - { id: hang, uses: exec, needs: [deploy], with: { command: [./hang.sh] } }
    finally:
${step('leave', 'finally-leave')}  - id: traffic
    steps:
${step('shift', 'shift')}`, { 'hang.sh': '#!/bin/sh\necho $$ > hang.pid\nsleep 60\n' });
    const { spawn } = await import('node:child_process');
    const { existsSync, readdirSync, readFileSync } = await import('node:fs');
    const { CLI } = await import('../helpers/cli.js');
    const child = spawn(process.execPath, [CLI, 'promote', '--env', 'staging', '--yes', '--reporter', 'json'], { cwd: dir, env: { ...process.env, NO_COLOR: '1', CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The shell creates hang.pid before it writes the pid: wait for the pid itself (an empty
    // file read as pid 0 would probe this test's own process group).
    const pidOf = () => (existsSync(join(dir, 'hang.pid')) ? Number(readFileSync(join(dir, 'hang.pid'), 'utf8').trim() || 0) : 0);
    const until = Date.now() + 20_000;
    while (!pidOf() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const pid = pidOf();
    expect(pid).toBeGreaterThan(0);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(readRecord(dir)).toEqual(['deploy', 'finally-leave']);
    expect(() => process.kill(pid, 0)).toThrow();
    const json = JSON.parse(stdout);
    expect(json.verdict).toBe('interrupted');
    expect(statuses(json)).toMatchObject({ deploy: 'pass', hang: 'error', leave: 'pass', shift: 'skipped' });
    const files = readdirSync(join(dir, 'evidence', 'staging'));
    expect(files).toHaveLength(1);
    expect(readFileSync(join(dir, 'evidence', 'staging', files[0]!), 'utf8')).toContain('**Verdict: INTERRUPTED** (exit 130)');
  });
});
