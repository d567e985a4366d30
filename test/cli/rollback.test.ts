import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rollout, statuses, workspace } from '../helpers/cli.js';
import { evidenceFiles, RECORD_SCRIPT, readRecord } from '../helpers/record.js';

const PLAYBOOK = `version: 1
name: payments
environments: { production: { vars: { namespace: payments } } }
stages:
  - id: release
    steps:
      - { id: current-image, uses: exec, with: { command: [./rec.sh, image] }, mutates: false }
      - { id: deploy, uses: exec, with: { command: [./rec.sh, deploy] }, needs: [current-image] }
rollback:
  triggers:
    - { id: health-down, title: Health endpoint down, uses: exec, with: { command: [./rec.sh, fail, probe] } }
    - { id: queue-ok, title: Queue below 100, uses: exec, with: { command: [./rec.sh, count, "17"] }, observe: stdout, expect: "< 100" }
  steps:
    - id: restore-image
      uses: exec
      with: { command: [./rec.sh, set-image, "\${vars.namespace}", "\${nodes.current-image.outputs.stdout}"] }
      ifPassed: [deploy]
    - { id: purge-cache, uses: exec, with: { command: [./rec.sh, purge] }, needs: [restore-image] }
  verify:
    - { id: image-back, uses: exec, with: { command: [./rec.sh, check-image, "\${nodes.current-image.outputs.stdout}"] } }
`;

describe('rollout rollback', () => {
  it('--dry-run evaluates the triggers now, shows the steps in order with every value resolved, changes nothing, exit 0', async () => {
    const dir = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': PLAYBOOK });
    expect((await rollout(['promote', '--env', 'production', '--yes'], { cwd: dir })).exitCode).toBe(0);
    const before = readRecord(dir).length;

    const run = await rollout(['rollback', '--env', 'production', '--dry-run', '--reporter', 'plain'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    // Only the triggers ran (they look; nothing mutating did).
    expect(readRecord(dir).slice(before).sort()).toEqual(['count 17', 'fail probe']);
    expect(run.stdout).toMatch(/Triggers now:\n {2}FIRED {2}health-down {2}Health endpoint down {2}observed 1, healthy when == 0\n {2}QUIET {2}queue-ok {2}Queue below 100 {2}observed "17", healthy when < 100/);
    expect(run.stdout).toMatch(/Steps, in execution order:\n {2}1\. restore-image {2}exec {2}DRY-RUN.*\n {5}with: \{"command":\["\.\/rec\.sh","set-image","payments","registry\.example\/payments:1\.4\.2"\]\}\n {5}not run \(dry run\); runnable: \.\/rec\.sh → .*\n {2}2\. purge-cache/);
    expect(run.stdout).toMatch(/Verify after the rollback \(shown, not run\):\n {2}1\. image-back .*\n {5}with: \{"command":\["\.\/rec\.sh","check-image","registry\.example\/payments:1\.4\.2"\]\}/);
    const files = evidenceFiles(dir, 'production');
    expect(files.at(-1)).toMatch(/-payments-rollback-dry-run\.md$/);
    expect(readFileSync(join(dir, 'evidence', 'production', files.at(-1)!), 'utf8')).toContain('yes — no mutating node was executed');
  });

  it('--dry-run is not runnable (exit 3) when a step\'s command does not exist, and says which', async () => {
    const dir = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': PLAYBOOK.replace('[./rec.sh, purge]', '[./scripts/purge-cdn.sh]') });
    await rollout(['promote', '--env', 'production', '--yes'], { cwd: dir });
    const run = await rollout(['rollback', '--env', 'production', '--dry-run', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode).toBe(3);
    expect(run.json.nodes.find((n: { id: string }) => n.id === 'purge-cache')).toMatchObject({ status: 'error', message: 'not runnable: ./scripts/purge-cdn.sh: not found or not executable' });
  });

  it('without --dry-run: refused without --yes (exit 2); with --yes the steps run, then verify', async () => {
    const dir = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': PLAYBOOK });
    await rollout(['promote', '--env', 'production', '--yes'], { cwd: dir });
    const before = readRecord(dir).length;
    const refused = await rollout(['rollback', '--env', 'production'], { cwd: dir });
    expect(refused.exitCode).toBe(2);
    expect(readRecord(dir).length).toBe(before);

    const run = await rollout(['rollback', '--env', 'production', '--yes', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(readRecord(dir).slice(before)).toEqual(['set-image payments registry.example/payments:1.4.2', 'purge', 'check-image registry.example/payments:1.4.2']);
    expect(statuses(run.json)).toEqual({ 'restore-image': 'pass', 'purge-cache': 'pass', 'image-back': 'pass' });
  });
});
