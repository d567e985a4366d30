import { describe, expect, it } from 'vitest';
import { rollout, statuses, workspace } from '../helpers/cli.js';

// `promote --at T` judges the stage as of T: its steps began — and, for the verify's soak,
// ended — at T on the run's clock. A soak anchored on the wall clock instead would wait for
// the whole gap between T and now.
describe('promote --at a past instant', () => {
  it('soaks a verify `for: 2s` for about two seconds, not for the hour between --at and now', async () => {
    const dir = workspace({
      'rollout.yaml': `version: 1
name: at-soak
environments: { staging: {} }
stages:
  - id: release
    steps:
      - { id: deploy, uses: exec, with: { command: ["true"] } }
    verify:
      - { id: healthy, uses: exec, with: { command: ["true"] }, for: 2s, interval: 1s }
`,
    });
    const abort = AbortSignal.timeout(30_000);
    const run = await rollout(['promote', '--env', 'staging', '--yes', '--at', '-1h', '--reporter', 'json'], { cwd: dir, signal: abort });
    expect(abort.aborted, 'the soak waited for the gap between --at and now').toBe(false);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(statuses(run.json)).toEqual({ deploy: 'pass', healthy: 'pass' });
  }, 40_000);
});
