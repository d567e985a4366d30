import { describe, expect, it } from 'vitest';
import { rollout, workspace } from '../helpers/cli.js';

// Validation, planning and the run once each had their own idea of a node's default
// expectation and of whether it mutates; these are the cases where they disagreed.
describe('one default expectation, one answer to "does it mutate"', () => {
  it('the plan and a dry run show the expectation a node is judged by, default included', async () => {
    const dir = workspace({
      'rollout.yaml': `version: 1
name: defaults
environments: { ci: {} }
gates:
  - { id: ready, uses: exec, with: { command: ["true"] } }
  - { id: listed, uses: file, with: { path: rollout.yaml } }
stages:
  - id: go
    steps:
      - { id: deploy, uses: exec, with: { command: ["true"] } }
`,
    });
    const plan = await rollout(['plan', '--env', 'ci', '--for', 'check', '--format', 'json'], { cwd: dir });
    expect(plan.exitCode).toBe(0);
    const nodes = Object.fromEntries(JSON.parse(plan.stdout).nodes.map((n: { id: string; expect?: string }) => [n.id, n.expect]));
    expect(nodes).toEqual({ ready: '== 0', listed: '== true' });
    const text = await rollout(['plan', '--env', 'ci', '--for', 'check'], { cwd: dir });
    expect(text.stdout).toContain('expect: == 0');
    const dry = await rollout(['promote', '--env', 'ci', '--dry-run', '--reporter', 'json'], { cwd: dir });
    const deploy = dry.json.nodes.find((n: { id: string }) => n.id === 'deploy');
    expect(deploy).toMatchObject({ status: 'dry-run', expected: '== 0' });
  });

  it('a gate whose resolved parameters make it mutate is refused, as when they are written out', async () => {
    const gate = (method: string) => `version: 1
name: posting
environments: { ci: { vars: { method: POST } } }
gates:
  - { id: hook, uses: http, with: { url: "http://127.0.0.1:9/hook", method: ${method} } }
`;
    const written = await rollout(['validate'], { cwd: workspace({ 'rollout.yaml': gate('POST') }) });
    expect(written.exitCode).toBe(2);
    expect(written.stderr).toMatch(/gates\[0\]\.uses: .*\[undeclared-mutation\]/);
    const dir = workspace({ 'rollout.yaml': gate('"${vars.method}"') });
    for (const args of [['validate', '--env', 'ci'], ['plan', '--env', 'ci', '--for', 'check'], ['check', '--env', 'ci']]) {
      const run = await rollout(args, { cwd: dir });
      expect(run.exitCode, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/gates\[0\]\.uses: .*\[undeclared-mutation\]/);
      expect(run.stderr).toContain('nothing was run');
    }
  });
});
