import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/sdk/duration.js';
import { rollout, workspace } from '../helpers/cli.js';

describe('durations', () => {
  it.each([
    ['1h30m', 5_400_000], ['2m30s', 150_000], ['1d12h', 129_600_000], ['1m500ms', 60_500], ['1.5h', 5_400_000], ['30s', 30_000], ['250ms', 250],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['30m1h', '1h1h', '1h 30m', 'h', '', '1x', '5 minutes'])('"%s" is not a duration', (text) => expect(parseDuration(text)).toBeUndefined());

  it('a compound duration works in a playbook and in a per-environment var', async () => {
    const dir = workspace({
      'rollout.yaml': `version: 1
name: compound
environments: { ci: { vars: { wait: 2m30s } } }
gates:
  - { id: a, uses: exec, with: { command: ["true"] }, timeout: 1h30m, retries: 1, interval: "\${vars.wait}" }
`,
    });
    const plan = await rollout(['plan', '--env', 'ci', '--for', 'check', '--format', 'json'], { cwd: dir });
    expect(plan.stderr).toBe('');
    expect(JSON.parse(plan.stdout).nodes[0]).toMatchObject({ timeoutMs: 5_400_000, intervalMs: 150_000 });
  });

  it('timeout: 0s is refused: it would mean no timeout at all', async () => {
    const literal = workspace({ 'rollout.yaml': 'version: 1\nname: zero\nenvironments: { ci: { vars: { t: 0ms } } }\ngates:\n  - { id: a, uses: exec, with: { command: ["true"] }, timeout: 0s }\n' });
    const run = await rollout(['check', '--env', 'ci'], { cwd: literal });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/5:\d+: gates\[0\]\.timeout: .*\[zero-timeout\]/);
    const viaVar = workspace({ 'rollout.yaml': 'version: 1\nname: zero\nenvironments: { ci: { vars: { t: 0ms } } }\ngates:\n  - { id: a, uses: exec, with: { command: ["true"] }, timeout: "${vars.t}" }\n' });
    const planned = await rollout(['check', '--env', 'ci'], { cwd: viaVar });
    expect(planned.exitCode).toBe(2);
    expect(planned.stderr).toMatch(/gates\[0\]\.timeout: .*\[zero-timeout\]/);
    const defaults = workspace({ 'rollout.yaml': 'version: 1\nname: zero\ndefaults: { timeout: 0s }\nenvironments: { ci: {} }\ngates:\n  - { id: a, uses: exec, with: { command: ["true"] } }\n' });
    const viaDefaults = await rollout(['validate'], { cwd: defaults });
    expect(viaDefaults.exitCode).toBe(2);
    expect(viaDefaults.stderr).toMatch(/defaults\.timeout: .*\[zero-timeout\]/);
  });
});
