import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { runProcess } from '../../src/sdk/index.js';

/** Running, not a zombie (this sandbox's PID 1 does not reap orphans). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** A child that writes these byte groups, one write each, 30 ms apart. */
const writesInPieces = (stream: 'stdout' | 'stderr', pieces: number[][]) => [
  process.execPath,
  '-e',
  `const pieces = ${JSON.stringify(pieces)}; let i = 0; const next = () => { if (i < pieces.length) process.${stream}.write(Buffer.from(pieces[i++]), () => setTimeout(next, 30)); }; next();`,
];

describe('output decoding', () => {
  test('a UTF-8 character split across two writes arrives whole, on stdout and stderr', async () => {
    const e = [...Buffer.from('é')];
    const out = await runProcess(writesInPieces('stdout', [[0x61, e[0]!], [e[1]!, 0x62]]));
    expect(out.stdout).toBe('aéb');
    const err = await runProcess(writesInPieces('stderr', [[e[0]!], [e[1]!]]));
    expect(err.stderr).toBe('é');
  });

  test('a four-byte character in three writes, and a truncated tail that never starts inside a surrogate pair', async () => {
    const rocket = [...Buffer.from('🚀')];
    const run = await runProcess(writesInPieces('stdout', [[rocket[0]!], [rocket[1]!, rocket[2]!], [rocket[3]!, 0x21]]));
    expect(run.stdout).toBe('🚀!');
    const cut = await runProcess([process.execPath, '-e', 'process.stdout.write("x🚀🚀")'], { maxOutput: 3 });
    expect(cut.stdout).toBe('🚀');
  });
});

describe('what a command leaves behind', () => {
  test('a command that backgrounds a process and exits is done when it exits; the process is stopped and listed', async () => {
    const run = await runProcess(['sh', '-c', 'sleep 20 & echo $! > /dev/stderr; echo started']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('started\n');
    expect(run.durationMs).toBeLessThan(5000);
    // Caught between fork and exec, the child may still carry the shell's command line.
    expect(run.leftovers).toEqual([expect.stringMatching(/^pid \d+: (sleep 20|sh -c .*)$/)]);
    expect(alive(Number(run.stderr.trim()))).toBe(false);
  });

  test('a left-behind process that ignores SIGTERM and holds no pipe is killed after the grace', async () => {
    const run = await runProcess(['sh', '-c', `sh -c 'trap "" TERM; while :; do sleep 0.1; done' >/dev/null 2>&1 & echo $!`], { graceMs: 300 });
    expect(run.exitCode).toBe(0);
    expect(run.leftovers?.length).toBeGreaterThanOrEqual(1);
    const pid = Number(run.stdout.trim());
    expect(alive(pid)).toBe(false);
  });

  test('a command that leaves nothing behind reports no leftovers', async () => {
    const run = await runProcess(['sh', '-c', 'sleep 0.1 & wait; echo done']);
    expect(run).toMatchObject({ exitCode: 0, stdout: 'done\n' });
    expect(run.leftovers).toBeUndefined();
  });

  test('a working directory that does not exist is said to be missing, not the command', async () => {
    const run = await runProcess(['true'], { cwd: '/nonexistent/rollout-test' });
    expect(run.startError).toBe('working directory does not exist: /nonexistent/rollout-test');
    const file = await runProcess(['true'], { cwd: '/etc/hostname' });
    expect(file.startError).toMatch(/^working directory is not a directory: \/etc\/hostname$|^working directory does not exist/);
  });
});
