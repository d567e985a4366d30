import { describe, expect, it } from 'vitest';
import { runProcess } from '../../src/sdk/index.js';
import { CLI, workspace } from '../helpers/cli.js';

const PLAYBOOK = `version: 1
name: tty
environments: { ci: {} }
gates:
  - { id: quick, title: A quick pass, uses: exec, with: { command: ["true"] } }
  - { id: broken, title: Error rate under 5%, uses: exec, with: { command: [echo, "0.07"] }, observe: stdout, expect: "<= 0.05" }
  - { id: after, uses: exec, needs: [broken], with: { command: ["true"] } }
  - { id: soft, uses: exec, severity: warning, with: { command: ["false"] } }
`;

/** Runs the CLI under a real pseudo-terminal (util-linux `script`), as a person would. */
async function underTerminal(args: string[], cwd: string, env: Record<string, string | undefined> = {}) {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(' ');
  return runProcess(['script', '-qec', `stty cols 120 rows 40; ${command}`, '/dev/null'], { cwd, env: { ...process.env, TERM: 'xterm-256color', COLUMNS: '120', CI: undefined, NO_COLOR: undefined, ...env } });
}

describe('on a terminal', () => {
  it('uses the live task list with colour, and explains the failing node under it', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const run = await underTerminal(['check', '--env', 'ci'], dir);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/\u001b\[[0-9;]*m/); // colour
    const screen = run.stdout.replace(/\u001b\[[0-9;?]*[a-zA-Z]/g, '');
    expect(screen).toContain('✔');
    expect(screen).toContain('✖');
    expect(screen).toMatch(/FAIL broken: observed "0\.07", expected <= 0\.05/);
    expect(screen).toMatch(/after\s+skipped: needs broken \(fail\)/);
    expect(screen).toContain('⚠ soft');
    expect(screen).toContain('tty check --env ci: FAIL (exit 1)');
  });

  it('marks a skipped node with its own sign, not the warning sign of a warning node', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const run = await underTerminal(['check', '--env', 'ci'], dir);
    const screen = run.stdout.replace(/\u001b\[[0-9;?]*[a-zA-Z]/g, '');
    const lines = screen.split(/\r?\n/);
    // The last frame drawn before the verdict: its top-level line for the skipped node.
    const final = lines.filter((l) => /^\S+ after\b/.test(l)).at(-1);
    expect(final?.trimEnd()).toMatch(/^↓ after\s+skipped: needs broken \(fail\)$/);
    // The warning sign belongs to the warning node alone.
    for (const line of lines.filter((l) => l.includes('⚠'))) expect(line).toContain('⚠ soft');
  });

  it('--no-color and NO_COLOR drop the colour but keep the task list', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    for (const [args, env] of [[['--no-color'], {}], [[], { NO_COLOR: '1' }]] as const) {
      const run = await underTerminal(['check', '--env', 'ci', ...args], dir, env);
      expect(run.stdout).not.toMatch(/\u001b\[[0-9;]*m/);
      expect(run.stdout).toContain('✖');
    }
  });

  it('piped, the same run is plain ANSI-free lines', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const run = await runProcess([process.execPath, CLI, 'check', '--env', 'ci'], { cwd: dir, env: { ...process.env, NO_COLOR: undefined } });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).not.toMatch(/\u001b/);
    expect(run.stdout).toMatch(/^FAIL\s+broken\s+Error rate under 5%/m);
    expect(run.stdout).toMatch(/^\s+observed "0\.07", expected <= 0\.05$/m);
  });
});
