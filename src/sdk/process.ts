import { spawn } from 'node:child_process';

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
  /** Set when the process could not start (ENOENT, EACCES). */
  startError?: string;
  durationMs: number;
}

const liveGroups = new Set<number>();

/** Process groups still running: the CLI kills them if it must exit in a hurry. */
export function killAllProcessGroups(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const pgid of liveGroups) killGroup(pgid, signal);
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Runs argv (no shell) in its own process group, so that a timeout or Ctrl-C also stops the
 * grandchildren a script started — even ones that ignore SIGTERM. A failed process is a
 * result, never an exception.
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
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env as NodeJS.ProcessEnv | undefined,
      detached: true,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const pgid = child.pid;
    if (pgid !== undefined) liveGroups.add(pgid);
    const append = (current: string, chunk: Buffer): string => {
      const next = current + chunk.toString('utf8');
      return next.length > maxOutput ? next.slice(next.length - maxOutput) : next;
    };
    child.stdout?.on('data', (chunk: Buffer) => (stdout = append(stdout, chunk)));
    child.stderr?.on('data', (chunk: Buffer) => (stderr = append(stderr, chunk)));
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
      startError = error.code === 'ENOENT' ? `command not found: ${file}` : error.code === 'EACCES' ? `not executable: ${file}` : error.message;
    });
    // 'close' waits for the streams; grandchildren holding them open are killed with the group.
    child.on('close', (exitCode, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (pgid !== undefined) {
        // Reap anything left in the group (a backgrounded grandchild) before we report.
        if (aborted) {
          if (killTimer) clearTimeout(killTimer);
          killGroup(pgid, 'SIGKILL');
        }
        liveGroups.delete(pgid);
      }
      resolve({ exitCode, signal, stdout, stderr, aborted, startError, durationMs: performance.now() - startedAt });
    });
  });
}
