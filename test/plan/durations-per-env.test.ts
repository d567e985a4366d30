import { describe, expect, it } from 'vitest';
import { rollout, workspace } from '../helpers/cli.js';

// A soak is long in production and short on a demo: the same node, a duration per environment.
const PLAYBOOK = `version: 1
name: soak
environments:
  demo:
    vars: { soak: 1s, every: 300ms, maxAge: 7d }
  staging:
    vars: { soak: ten minutes, every: 5s, maxAge: 7d }
  broken-param:
    vars: { soak: 1s, every: 5s, maxAge: a week }
gates:
  - id: held
    uses: exec
    with: { command: ["true"] }
    for: \${vars.soak}
    interval: \${vars.every}
    timeout: \${env:GATE_TIMEOUT}
  - id: recent
    uses: evidence.recent
    environments: [broken-param]
    with: { command: check, env: staging, maxAge: "\${vars.maxAge}" }
`;

describe('durations per environment', () => {
  it('resolves for, interval and timeout from vars and env in each environment', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const env = { GATE_TIMEOUT: '20s' };
    const valid = await rollout(['validate', '--env', 'demo'], { cwd: dir, env });
    expect(valid.stderr).toBe('');
    expect(valid.exitCode).toBe(0);
    const plan = await rollout(['plan', '--env', 'demo', '--for', 'check', '--format', 'json'], { cwd: dir, env });
    expect(plan.exitCode).toBe(0);
    const held = JSON.parse(plan.stdout).nodes.find((n: { id: string }) => n.id === 'held');
    expect(held).toMatchObject({ forMs: 1000, intervalMs: 300, timeoutMs: 20_000 });
    const check = await rollout(['check', '--env', 'demo', '--reporter', 'json'], { cwd: dir, env });
    expect(check.exitCode).toBe(0);
    expect(check.json.nodes.find((n: { id: string }) => n.id === 'held').attempts).toBeGreaterThan(1);
  });

  it('refuses a var that is not a duration, pointing at the reference and at the variable', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    for (const args of [['validate', '--env', 'staging'], ['plan', '--env', 'staging', '--for', 'check'], ['check', '--env', 'staging']]) {
      const run = await rollout(args, { cwd: dir, env: { GATE_TIMEOUT: '20s' } });
      expect(run.exitCode, args.join(' ')).toBe(2);
      // The reference: line 14 (`for:`), column 10; the variable: line 7, column 19.
      expect(run.stderr).toContain('rollout.yaml:14:10: gates[0].for');
      expect(run.stderr).toMatch(/"ten minutes" .*\[not-a-duration\]/);
      expect(run.stderr).toMatch(/vars\.soak is set at (\.\/)?rollout\.yaml:7:19/);
    }
  });

  it('refuses an environment variable that is not a duration, naming it', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const run = await rollout(['check', '--env', 'demo'], { cwd: dir, env: { GATE_TIMEOUT: '20' } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('rollout.yaml:16:14: gates[0].timeout');
    expect(run.stderr).toMatch(/"20" .*\[not-a-duration\]/);
    expect(run.stderr).toContain('environment variable GATE_TIMEOUT');
  });

  it('points at the variable of a kind parameter that is a duration', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const run = await rollout(['validate', '--env', 'broken-param'], { cwd: dir, env: { GATE_TIMEOUT: '20s' } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('rollout.yaml:20:51: gates[1].with.maxAge');
    expect(run.stderr).toMatch(/"a week" .*\[not-a-duration\]/);
    expect(run.stderr).toMatch(/vars\.maxAge is set at (\.\/)?rollout\.yaml:9:42/);
  });

  it('refuses a duration that could only be known during the run', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK.replace('${vars.soak}', '${nodes.recent.observed}') });
    const run = await rollout(['validate'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/gates\[0\]\.for: .*\$\{nodes\.recent\.observed\}.*\[duration-not-plannable\]/);
  });
});
