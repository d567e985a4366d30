import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, rollout, workspace } from '../helpers/cli.js';
import { spawn } from 'node:child_process';

// A script that starts a grandchild which ignores SIGTERM, records both pids, then hangs.
const STUBBORN = `#!/bin/sh
sh -c 'trap "" TERM; echo $$ > grandchild.pid; while :; do sleep 0.1; done' &
echo $$ > child.pid
touch started
wait
`;

/** Running, not a zombie: this sandbox's PID 1 does not reap orphans, so a killed orphan lingers as Z. */
function alive(pidFile: string): boolean {
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitFor(predicate: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('child processes', () => {
  it('a timeout kills the child and a grandchild that ignores SIGTERM; the node is error, exit 3', async () => {
    const dir = workspace({
      'stubborn.sh': STUBBORN,
      'rollout.yaml': 'version: 1\nname: t\nenvironments: { ci: {} }\ngates:\n  - { id: hang, uses: exec, with: { command: [./stubborn.sh] }, timeout: 500ms }\n',
    });
    const run = await rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: dir, env: { ROLLOUT_KILL_GRACE: undefined } });
    expect(run.exitCode).toBe(3);
    expect(run.json.nodes[0]).toMatchObject({ status: 'error', message: 'timed out after 500ms' });
    expect(alive(join(dir, 'child.pid'))).toBe(false);
    expect(alive(join(dir, 'grandchild.pid'))).toBe(false);
  });

  it('a timed-out node stays error even when its command would have exited 0', async () => {
    const dir = workspace({ 'rollout.yaml': 'version: 1\nname: t\nenvironments: { ci: {} }\ngates:\n  - { id: slow, uses: exec, with: { command: [sleep, "1"] }, timeout: 200ms }\n' });
    const run = await rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode).toBe(3);
    expect(run.json.nodes[0].status).toBe('error');
  });

  it('Ctrl-C stops every child, still writes evidence, and exits 130', async () => {
    const dir = workspace({
      'stubborn.sh': STUBBORN,
      'rollout.yaml': 'version: 1\nname: int\nenvironments: { ci: {} }\ngates:\n  - { id: hang, uses: exec, with: { command: [./stubborn.sh] }, timeout: 5m }\n  - { id: later, uses: exec, needs: [hang], with: { command: ["true"] } }\n',
    });
    const child = spawn(process.execPath, [CLI, 'check', '--env', 'ci', '--reporter', 'plain'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => existsSync(join(dir, 'started')) && existsSync(join(dir, 'grandchild.pid')));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(alive(join(dir, 'child.pid'))).toBe(false);
    expect(alive(join(dir, 'grandchild.pid'))).toBe(false);
    const files = readdirSync(join(dir, 'evidence', 'ci'));
    expect(files).toHaveLength(1);
    const evidence = readFileSync(join(dir, 'evidence', 'ci', files[0]!), 'utf8');
    expect(evidence).toContain('**Verdict: INTERRUPTED** (exit 130)');
    expect(evidence).toMatch(/\| later \| exec \| SKIP \|/);
    expect(stdout).toContain('INTERRUPTED (exit 130)');
  });
  it('a step whose script backgrounds a server and exits 0 is done when the script exits; the server is stopped and reported', async () => {
    const dir = workspace({
      // The script returns once its server runs (until then the forked child is still named sh).
      'start.sh': '#!/bin/sh\nsleep 30 &\necho $! > server.pid\nuntil grep -q sleep /proc/$!/cmdline 2>/dev/null; do :; done\necho started\n',
      'rollout.yaml': 'version: 1\nname: bg\nenvironments: { ci: {} }\ngates:\n  - { id: start, uses: exec, with: { command: [./start.sh] } }\n',
    });
    const t0 = Date.now();
    const run = await rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(run.json.nodes[0].message).toMatch(/; stopped 1 process\(es\) it left running \(pid \d+: sleep 30\)$/);
    expect(alive(join(dir, 'server.pid'))).toBe(false);
    const files = readdirSync(join(dir, 'evidence', 'ci'));
    expect(readFileSync(join(dir, 'evidence', 'ci', files[0]!), 'utf8')).toMatch(/stopped 1 process\(es\) the command left running in its process group: pid \d+: sleep 30/);
  });

  it('cwd: to a missing directory says the directory is missing, not that the command is', async () => {
    const dir = workspace({ 'rollout.yaml': 'version: 1\nname: cwd\nenvironments: { ci: {} }\ngates:\n  - { id: here, uses: exec, with: { command: ["true"], cwd: no-such-dir } }\n' });
    const run = await rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode).toBe(3);
    expect(run.json.nodes[0].message).toBe(`working directory does not exist: ${dir}/no-such-dir`);
  });
});
