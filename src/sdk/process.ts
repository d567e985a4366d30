import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export interface ProcessOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Aborting stops the whole process group: SIGTERM, `graceMs`, then SIGKILL. */
  signal?: AbortSignal;
  graceMs?: number;
  /** Text written to stdin, then closed. */
  input?: string;
  /** Keep at most this many characters of each stream (the tail is kept). */
  maxOutput?: number;
}

export interface ProcessResult {
  exitCode: number | null;
  /** The signal that ended the process, if one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the process was stopped because `signal` aborted. */
  aborted: boolean;
  /** Set when the process could not start (ENOENT, EACCES, a missing working directory). */
  startError?: string;
  durationMs: number;
  /**
   * Processes still running in the child's process group when it exited (`pid 123: sleep 600`):
   * they were stopped (SIGTERM, grace, SIGKILL) before the result was returned.
   */
  leftovers?: string[];
}

/** After the child exited, how long its output pipes may stay open (held by a process outside its group). */
const DRAIN_MS = 1000;
const POLL_MS = 25;

const liveGroups = new Set<number>();

/** Process groups still running: the CLI kills them if it must exit in a hurry. */
export function killAllProcessGroups(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const pgid of liveGroups) killGroup(pgid, signal);
}

function killGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // Already gone.
  }
}

/**
 * The live members of a process group, described. Zombies do not count: an orphan that died
 * waits for a reaper that may never come (PID 1 in some containers) but runs nothing.
 */
function groupMembers(pgid: number): string[] {
  if (!killGroup(pgid, 0)) return [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [`process group ${pgid}`]; // No /proc: the group answers, so something is in it.
  }
  const members: string[] = [];
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) !== pgid || state === 'Z') continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      members.push(`pid ${pid}: ${command.length > 120 ? `${command.slice(0, 117)}...` : command}`);
    } catch {
      // Exited while we looked.
    }
  }
  return members;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGTERM to the group, then SIGKILL when members remain after `graceMs`. */
async function stopGroup(pgid: number, graceMs: number): Promise<void> {
  killGroup(pgid, 'SIGTERM');
  const until = performance.now() + graceMs;
  while (performance.now() < until) {
    await delay(POLL_MS);
    if (!groupMembers(pgid).length) return;
  }
  killGroup(pgid, 'SIGKILL');
  // SIGKILL is not instant: report only once the group has gone (bounded).
  const killedBy = performance.now() + 1000;
  while (performance.now() < killedBy && groupMembers(pgid).length) await delay(POLL_MS);
}

/** Why spawn failed, in the user's terms: a missing working directory is not a missing command. */
function describeStartError(error: NodeJS.ErrnoException, file: string, cwd: string | undefined): string {
  if (cwd !== undefined && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) {
    try {
      if (!statSync(cwd).isDirectory()) return `working directory is not a directory: ${cwd}`;
    } catch {
      return `working directory does not exist: ${cwd}`;
    }
  }
  if (error.code === 'ENOENT') return `command not found: ${file}`;
  if (error.code === 'EACCES') return `not executable: ${file}`;
  return error.message;
}

/**
 * Runs argv (no shell) in its own process group, so that a timeout or Ctrl-C also stops the
 * grandchildren a script started — even ones that ignore SIGTERM. The result comes when the
 * child exits, not when its pipes close: whatever it left running in its group is stopped and
 * listed in `leftovers`. A failed process is a result, never an exception.
 */
export function runProcess(argv: readonly string[], options: ProcessOptions = {}): Promise<ProcessResult> {
  const startedAt = performance.now();
  const maxOutput = options.maxOutput ?? 1_000_000;
  const graceMs = options.graceMs ?? 5000;
  return new Promise((resolve) => {
    const [file, ...args] = argv;
    if (!file) {
      resolve({ exitCode: null, signal: null, stdout: '', stderr: '', aborted: false, startError: 'empty command', durationMs: 0 });
      return;
    }
    if (options.signal?.aborted) {
      resolve({ exitCode: null, signal: null, stdout: '', stderr: '', aborted: true, durationMs: 0 });
      return;
    }
    let stdout = '';
    let stderr = '';
    let aborted = false;
    let startError: string | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let afterExit: Promise<string[]> | undefined;
    let finished = false;
    let drainTimer: NodeJS.Timeout | undefined;
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, args, {
        cwd: options.cwd,
        env: options.env as NodeJS.ProcessEnv | undefined,
        detached: true,
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      // Some failures (a cwd that is a file) are thrown rather than emitted.
      resolve({ exitCode: null, signal: null, stdout: '', stderr: '', aborted: false, startError: describeStartError(error as NodeJS.ErrnoException, file, options.cwd), durationMs: performance.now() - startedAt });
      return;
    }
    const pgid = child.pid;
    if (pgid !== undefined) liveGroups.add(pgid);
    // One decoder per stream: a character split across two writes is joined, not replaced.
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    const keepTail = (text: string): string => {
      if (text.length <= maxOutput) return text;
      const tail = text.slice(text.length - maxOutput);
      // Never start on the second half of a surrogate pair.
      return /^[\uDC00-\uDFFF]/.test(tail) ? tail.slice(1) : tail;
    };
    child.stdout?.on('data', (chunk: Buffer) => (stdout = keepTail(stdout + decoders.stdout.write(chunk))));
    child.stderr?.on('data', (chunk: Buffer) => (stderr = keepTail(stderr + decoders.stderr.write(chunk))));
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
    const onAbort = (): void => {
      if (pgid === undefined) return;
      aborted = true;
      killGroup(pgid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(pgid, 'SIGKILL'), graceMs);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error: NodeJS.ErrnoException) => {
      startError = describeStartError(error, file, options.cwd);
    });

    const finish = (leftovers: string[]): void => {
      if (finished) return;
      finished = true;
      options.signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (drainTimer) clearTimeout(drainTimer);
      if (pgid !== undefined) liveGroups.delete(pgid);
      stdout = keepTail(stdout + decoders.stdout.end());
      stderr = keepTail(stderr + decoders.stderr.end());
      resolve({
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        stdout,
        stderr,
        aborted,
        ...(startError !== undefined ? { startError } : {}),
        durationMs: performance.now() - startedAt,
        ...(leftovers.length ? { leftovers } : {}),
      });
    };
    // The step ends when its child exits: what it left in its group (a backgrounded server
    // holding our pipes open) is stopped, not waited for.
    const onExit = async (): Promise<string[]> => {
      if (pgid === undefined) return [];
      if (aborted) {
        // Stopping already: the grace was for the child; what remains is killed now.
        killGroup(pgid, 'SIGKILL');
        return [];
      }
      const leftovers = groupMembers(pgid);
      if (leftovers.length) await stopGroup(pgid, graceMs);
      // Let the pipes deliver what the child wrote; a process outside the group may still hold
      // them, so this is bounded.
      drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(leftovers);
      }, DRAIN_MS).unref();
      return leftovers;
    };
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      afterExit ??= onExit();
    });
    child.on('close', (code, signal) => {
      exit ??= { code, signal };
      afterExit ??= onExit();
      void afterExit.then(finish);
    });
  });
}
