import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rollout, workspace } from '../helpers/cli.js';

const PLAYBOOK = `version: 1
name: inputs
environments: { ci: { vars: { greeting: hello } } }
gates:
  - { id: marker, uses: exec, with: { command: [touch, ran] } }
`;

describe('hostile input is refused before anything runs', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('--env %s is an unknown environment, not a property of every object', async (env) => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const run = await rollout(['check', '--env', env], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`unknown environment "${env}"`);
    expect(run.stderr).toContain('[unknown-environment]');
    const valid = await rollout(['validate', '--env', env], { cwd: dir });
    expect(valid.exitCode).toBe(2);
  });

  it('${vars.constructor} is an unset var, not a function', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK.replace('[touch, ran]', '[echo, "${vars.constructor}"]') });
    const run = await rollout(['check', '--env', 'ci'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/no var "constructor".*\[unresolved-value\]/);
  });

  it('-p /dev/zero stops at the 1 MiB cap instead of reading forever', async () => {
    const started = Date.now();
    const run = await rollout(['validate', '-p', '/dev/zero'], { signal: AbortSignal.timeout(20_000) });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/more than 1 MiB.*\[file-too-large\]/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('-p DIR says it is a directory', async () => {
    const dir = workspace({});
    mkdirSync(join(dir, 'playbooks'));
    const run = await rollout(['validate', '-p', 'playbooks'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/playbooks is a directory.*\[is-a-directory\]/);
    expect(run.stderr).toMatch(/hint: pass the playbook file/);
  });
});

describe('a secret that occurs in the playbook\'s own identifiers', () => {
  const playbook = (name: string, id: string) => `version: 1
name: ${name}
environments: { staging: {} }
gates:
  - id: ${id}
    uses: exec
    with: { command: [touch, ran], env: { PGPASSWORD: "\${secret:PGPASSWORD}" } }
`;

  it('is refused at plan time with the reason, instead of being redacted out of the evidence file name', async () => {
    const dir = workspace({ 'rollout.yaml': playbook('distributed-postgres', 'ping') });
    const run = await rollout(['check', '--env', 'staging'], { cwd: dir, env: { PGPASSWORD: 'postgres' } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/2:\d+: name: the value of secret PGPASSWORD occurs in the playbook's name.*\[secret-in-identifier\]/);
    expect(run.stderr).toContain('nothing was run');
  });

  it('names the node whose id holds it, without printing the value', async () => {
    const dir = workspace({ 'rollout.yaml': playbook('api', 'check-s3cr3t-pass') });
    const run = await rollout(['validate', '--env', 'staging'], { cwd: dir, env: { PGPASSWORD: 's3cr3t-pass' } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/5:\d+: gates\[0\]\.id: the value of secret PGPASSWORD occurs in a node id.*\[secret-in-identifier\]/);
    expect(run.stderr).not.toMatch(/check-s3cr3t-pass|"s3cr3t-pass"/);
  });

  it('an ordinary secret still runs', async () => {
    const dir = workspace({ 'rollout.yaml': playbook('distributed-postgres', 'ping') });
    const run = await rollout(['check', '--env', 'staging'], { cwd: dir, env: { PGPASSWORD: 'xk3-Qp9-zz' } });
    expect(run.stderr).not.toContain('secret-in-identifier');
    expect(run.exitCode).toBe(0);
  });
});
