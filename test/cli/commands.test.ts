import { describe, expect, it } from 'vitest';
import { rollout, workspace } from '../helpers/cli.js';

const PLAYBOOK = `version: 1
name: cmds
environments:
  staging: { vars: { host: "db.staging" } }
  production: {}
gates:
  - { id: version, uses: exec, with: { command: [psql, -h, "\${vars.host}", -c, "select 1"], env: { PGPASSWORD: "\${secret:PGPASSWORD}" } } }
  - { id: api, uses: exec, needs: [version], with: { command: [curl, api] } }
  - { id: ui, uses: exec, needs: [version], with: { command: [curl, ui] } }
  - { id: prod-only, uses: exec, environments: [production], with: { command: ["true"] } }
`;

describe('commands', () => {
  it('--version is the package version', async () => {
    const run = await rollout(['--version']);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('--help lists the commands with examples and exit codes; each command has its own help', async () => {
    const run = await rollout(['--help']);
    for (const command of ['validate', 'plan', 'check', 'promote', 'rollback', 'watch', 'checks', 'evidence', 'schema']) expect(run.stdout).toContain(command);
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toContain('130 interrupted');
    const check = await rollout(['check', '--help']);
    expect(check.exitCode).toBe(0);
    expect(check.stdout).toMatch(/Examples?:\n\s+rollout check --env staging/);
  });

  it('plan prints levels with resolved parameters and redacts secrets; json and mermaid too', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const env = { PGPASSWORD: 'correct-horse-battery' };
    const text = await rollout(['plan', '--env', 'staging'], { cwd: dir, env });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/level 0:\n  version {2}exec/);
    expect(text.stdout).toMatch(/level 1:\n  api[\s\S]*  ui/);
    expect(text.stdout).toContain('"db.staging"');
    expect(text.stdout).toContain('"PGPASSWORD":"***"');
    expect(text.stdout).not.toContain('correct-horse-battery');
    expect(text.stdout).toMatch(/prod-only {2}exec {2}\[skipped: environment\]/);
    const json = await rollout(['plan', '--env', 'staging', '--format', 'json'], { cwd: dir, env });
    const plan = JSON.parse(json.stdout);
    const order = plan.nodes.map((n: { id: string }) => n.id);
    expect([...order].sort()).toEqual(['api', 'prod-only', 'ui', 'version']);
    expect(order.indexOf('version')).toBeLessThan(Math.min(order.indexOf('api'), order.indexOf('ui')));
    expect(plan.nodes.find((n: { id: string }) => n.id === 'api').needs).toEqual(['version']);
    const mermaid = await rollout(['plan', '--env', 'staging', '--format', 'mermaid'], { cwd: dir, env });
    expect(mermaid.stdout).toMatch(/^flowchart LR\n/);
    const index = order.indexOf('version');
    expect(mermaid.stdout).toContain(`n${index} --> n${order.indexOf('api')}`);
  });

  it('validate checks structure offline; with --env also that every value resolves', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const plain = await rollout(['validate'], { cwd: dir, env: { PGPASSWORD: undefined } });
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout).toMatch(/valid — playbook cmds, 4 nodes/);
    const withEnv = await rollout(['validate', '--env', 'staging'], { cwd: dir, env: { PGPASSWORD: undefined } });
    expect(withEnv.exitCode).toBe(2);
    expect(withEnv.stderr).toMatch(/rollout\.yaml:7:\d+: .*secret PGPASSWORD is not set/);
  });

  it('checks lists every kind, and one kind shows its parameters, observation, default expect and outputs', async () => {
    const list = await rollout(['checks']);
    expect(list.exitCode).toBe(0);
    for (const kind of ['exec', 'file', 'http', 'prometheus.query', 'postgres.setting', 'kubernetes.rollout', 'backup.fresh']) expect(list.stdout).toContain(kind);
    const exec = await rollout(['checks', 'exec']);
    expect(exec.stdout).toMatch(/command: array/);
    expect(exec.stdout).toMatch(/observe: exitCode \(default\), stdout/);
    expect(exec.stdout).toMatch(/Default expect: == 0/);
    expect(exec.stdout).toMatch(/Outputs:\n\s+stdout/);
    const typo = await rollout(['checks', 'exce']);
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toMatch(/did you mean "exec"/);
  });

  it('schema prints a JSON Schema an editor can use', async () => {
    const run = await rollout(['schema']);
    const schema = JSON.parse(run.stdout);
    expect(schema.properties.gates.type).toBe('array');
    expect(schema.required).toEqual(expect.arrayContaining(['version', 'name', 'environments']));
  });

  it('an unknown command or flag is exit 2', async () => {
    expect((await rollout(['chekc'])).exitCode).toBe(2);
    expect((await rollout(['check', '--env', 'x', '--frobnicate'])).exitCode).toBe(2);
  });
});
