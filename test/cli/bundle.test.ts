import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, rollout, workspace } from '../helpers/cli.js';

// A team kind whose params object throws: a bug reached from inside the core, as a user meets it.
const BROKEN_KIND = `export default {
  kind: 'team.broken', summary: 'broken', observes: 'verdict', mutates: false,
  params: { safeParse() { throw new Error('kind blew up'); } },
  async run() { return { status: 'pass', reasons: [] }; },
};
`;

describe('the bundled CLI', () => {
  it('is what the tests run: dist/bundle/rollout.js', () => {
    expect(CLI).toMatch(/dist\/bundle\/rollout\.js$/);
  });

  it('names src/ files and lines in the stack of an internal error (ROLLOUT_DEBUG=1), not bundle chunks', async () => {
    const dir = workspace({ 'rollout.yaml': 'version: 1\nname: t\nchecks: checks\nenvironments: { ci: {} }\ngates:\n  - { id: a, uses: team.broken, with: {} }\n' });
    mkdirSync(join(dir, 'checks'));
    writeFileSync(join(dir, 'checks', 'broken.mjs'), BROKEN_KIND);
    const run = await rollout(['validate'], { cwd: dir, env: { ROLLOUT_DEBUG: '1' } });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('internal error: kind blew up');
    expect(run.stderr).toMatch(/at checkNode \(\S*\/src\/playbook\/check-node\.ts:\d+:\d+\)/);
    expect(run.stderr).toMatch(/\/src\/cli\/program\.ts:\d+:\d+/);
    expect(run.stderr).not.toMatch(/dist\/bundle\/[\w-]+\.js/);
  });
});
