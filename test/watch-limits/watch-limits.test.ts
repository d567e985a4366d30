import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rollout, workspace } from '../helpers/cli.js';

// Each evaluation of a trigger takes the next line of its outcomes file: pass (exit 0),
// fail (exit 1) or error (killed by a signal: the check could not tell, never a pass). An
// error that returns at once keeps every round short, so a loaded machine cannot turn a
// slow pass into a timeout error or push a round past the watch's end.
const SEQUENCE = `#!/bin/sh
n=$(cat "$1.count" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$1.count"
o=$(sed -n "\${n}p" "$1.outcomes"); echo "$o" >> "$1.seen"
case "$o" in fail) exit 1;; error) kill -KILL $$;; *) exit 0;; esac
`;

function setup(limits: string, outcomes: string[]) {
  return workspace({
    'seq.sh': SEQUENCE,
    'flaky.outcomes': `${outcomes.join('\n')}\n`,
    'rollout.yaml': `version: 1
name: flaky
environments: { production: {} }
rollback:
  triggers:
    - { id: flaky, uses: exec, with: { command: [./seq.sh, flaky] }, timeout: 5s${limits} }
  steps:
    - { id: undo, uses: exec, with: { command: ["true"] } }
`,
  });
}

async function watch(limits: string, outcomes: string[], rounds = outcomes.length) {
  const dir = setup(limits, outcomes);
  const run = await rollout(['watch', '--env', 'production', '--duration', `${rounds * 500 - 250}ms`, '--interval', '500ms', '--reporter', 'json', '--output', 'watch.json'], { cwd: dir });
  const report = JSON.parse(readFileSync(join(dir, 'watch.json'), 'utf8'));
  const seen = readFileSync(join(dir, 'flaky.seen'), 'utf8').trim().split('\n');
  return { run, node: report.nodes.find((n: { id: string }) => n.id === 'flaky'), seen };
}

describe('watch stopping rules (failureLimit, consecutiveErrorLimit)', () => {
  it('flaky failures at failureLimit do not fire (exit 0); one more fires (exit 4)', async () => {
    const within = await watch(', failureLimit: 2', ['fail', 'pass', 'fail', 'pass', 'pass', 'pass']);
    expect(within.run.exitCode, within.run.stderr).toBe(0);
    expect(within.node.status).toBe('quiet');
    expect(within.node.message).toMatch(/2 failing, within failureLimit 2/);
    const over = await watch(', failureLimit: 2', ['fail', 'pass', 'fail', 'pass', 'fail', 'pass', 'pass']);
    expect(over.run.exitCode).toBe(4);
    expect(over.node.status).toBe('fired');
    expect(over.seen).toHaveLength(5);
  });

  it('N errors in a row are tolerated and listed in the evidence (exit 0); N+1 end the watch with exit 3', async () => {
    const within = await watch(', consecutiveErrorLimit: 2', ['error', 'error', 'pass', 'error', 'error', 'pass']);
    expect(within.run.exitCode, within.run.stderr).toBe(0);
    expect(within.node.status).toBe('quiet');
    expect(within.node.message).toMatch(/4 errors tolerated under consecutiveErrorLimit 2/);
    expect(within.node.samples.map((s: { status: string }) => s.status)).toEqual(['error', 'error', 'pass', 'error', 'error', 'pass']);
    const over = await watch(', consecutiveErrorLimit: 2', ['error', 'pass', 'error', 'error', 'error', 'pass', 'pass', 'pass']);
    expect(over.run.exitCode).toBe(3);
    expect(over.node.status).toBe('error');
    expect(over.node.message).toMatch(/3 evaluations in a row could not be evaluated, more than consecutiveErrorLimit 2/);
    expect(over.seen).toHaveLength(5);
  });

  it('an error is not a failure, and a failure resets the error streak', async () => {
    const run = await watch(', failureLimit: 1, consecutiveErrorLimit: 1', ['error', 'fail', 'error', 'pass', 'error']);
    expect(run.run.exitCode, run.run.stderr).toBe(0);
    expect(run.node.status).toBe('quiet');
  });

  it('by default the first failure fires and the first error ends the watch', async () => {
    const failed = await watch('', ['pass', 'fail', 'pass', 'pass']);
    expect(failed.run.exitCode).toBe(4);
    expect(failed.seen).toHaveLength(2);
    const errored = await watch('', ['pass', 'error', 'pass', 'pass']);
    expect(errored.run.exitCode).toBe(3);
    expect(errored.seen).toHaveLength(2);
  });

  it('the live line shows the counts against the limits', async () => {
    const dir = setup(', failureLimit: 2, consecutiveErrorLimit: 1', ['fail', 'error', 'pass']);
    const run = await rollout(['watch', '--env', 'production', '--duration', '1250ms', '--interval', '500ms'], { cwd: dir });
    expect(run.stdout).toMatch(/flaky FAILING.*\[failed 1\/2, errors in a row 0\/1\]/);
    expect(run.stdout).toMatch(/flaky ERROR.*\[failed 1\/2, errors in a row 1\/1\]/);
  });

  it('a limit outside a trigger is refused by validate', async () => {
    const dir = workspace({ 'rollout.yaml': 'version: 1\nname: x\nenvironments: { production: {} }\ngates:\n  - { id: g, uses: exec, with: { command: ["true"] }, failureLimit: 2 }\n' });
    const run = await rollout(['validate'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stdout + run.stderr).toMatch(/rollout\.yaml:5:\d+.*failureLimit: counts the evaluations of a watch trigger/);
  });
});
