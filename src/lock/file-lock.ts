import { closeSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface LockHolder {
  user: string;
  host: string;
  pid: number;
  ci: string;
  commandLine: string;
  startedAt: string;
}

export type LockResult = { ok: true; file: string; release(): void } | { ok: false; message: string };

export function lockFile(evidenceDir: string, env: string, playbook: string): string {
  return join(evidenceDir, env, `.rollout-${playbook}.lock`);
}

/**
 * One mutating run per (playbook, env): a file created atomically next to the evidence,
 * naming its holder. A lock left by a process that no longer exists on this host is taken over.
 */
export function acquireFileLock(evidenceDir: string, env: string, playbook: string, holder: LockHolder): LockResult {
  const file = lockFile(evidenceDir, env, playbook);
  mkdirSync(join(evidenceDir, env), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    const temp = `${file}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w', 0o644);
    try {
      writeSync(fd, `${JSON.stringify(holder, null, 2)}\n`);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, file); // fails rather than replace an existing lock
      return { ok: true, file, release: () => releaseIfOurs(file, holder) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temp);
    }
    const current = readHolder(file);
    if (current && current.host === holder.host && !isAlive(current.pid)) {
      unlinkSync(file);
      continue;
    }
    return { ok: false, message: describeHolder(file, current) };
  }
  return { ok: false, message: describeHolder(file, readHolder(file)) };
}

export function describeHolder(where: string, holder: LockHolder | undefined): string {
  if (!holder) return `locked: ${where} exists but cannot be read; if no rollout run is active, delete it`;
  return `locked by ${holder.user}@${holder.host} (pid ${holder.pid}, ${holder.ci}) running "${holder.commandLine}" since ${holder.startedAt}; wait for it to finish, or — if that run is gone — delete ${where}`;
}

function readHolder(file: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

function releaseIfOurs(file: string, holder: LockHolder): void {
  const current = readHolder(file);
  if (current && current.pid === holder.pid && current.startedAt === holder.startedAt) {
    try {
      unlinkSync(file);
    } catch {
      // Already gone.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
