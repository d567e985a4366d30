import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface LockHolder {
  user: string;
  host: string;
  pid: number;
  ci: string;
  commandLine: string;
  startedAt: string;
}

export type LockResult = { ok: true; file: string; release(): void } | { ok: false; message: string };

const MAX_ATTEMPTS = 5;

/**
 * Creates a file that did not exist, never through a symlink: a planted link at the name
 * makes this fail instead of writing to the link's target.
 */
export function createExclusive(path: string, text: string, mode = 0o644): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/**
 * Takes the lock file `file`, naming its holder: the holder is written to a fresh temp file
 * and hard-linked into place, which fails rather than replace a lock that exists. A lock
 * left by a process that no longer exists on this host is taken over — by one claimant only:
 * see takeOver. Errors are values.
 */
export function acquireFileLock(file: string, holder: LockHolder): LockResult {
  // The token makes each holding distinct, so a takeover can tell "the stale lock I saw" from a new one.
  const text = `${JSON.stringify({ ...holder, token: randomBytes(8).toString('hex') }, null, 2)}\n`;
  const temp = join(dirname(file), `.lock-${randomBytes(8).toString('hex')}.tmp`);
  try {
    createExclusive(temp, text);
  } catch (error) {
    return { ok: false, message: `cannot create the lock ${file}: ${(error as Error).message}` };
  }
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        linkSync(temp, file);
        return { ok: true, file, release: () => releaseIfOurs(file, text) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return { ok: false, message: `cannot create the lock ${file}: ${(error as Error).message}` };
      }
      const seen = readText(file);
      if (seen === undefined) continue; // released meanwhile: try again
      const current = parseHolder(seen);
      if (!current || current.host !== holder.host || isAlive(current.pid)) return { ok: false, message: describeHolder(file, current) };
      takeOver(file, seen);
    }
    return { ok: false, message: describeHolder(file, parseHolder(readText(file) ?? '')) };
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Removes the stale lock whose text was `seen`, if it is still that one. Many runs may find the
 * same stale lock at once; each tries to create a claim file named after that holding, and only
 * the one that creates it may remove the lock, after checking under the claim that the lock
 * still holds `seen` (a newer lock is never removed). The caller then links its own lock as usual.
 */
function takeOver(file: string, seen: string): void {
  const claim = `${file}.${sha256Short(seen)}.takeover`;
  try {
    createExclusive(claim, `${process.pid}\n`);
  } catch {
    return; // another run claimed this stale lock; its new lock (or none) decides next
  }
  try {
    if (readText(file) === seen) unlinkSync(file);
  } catch {
    // Gone already: the next link attempt decides.
  } finally {
    // A late claimant that creates the claim again finds the lock changed and removes nothing.
    try {
      unlinkSync(claim);
    } catch {
      // Already gone.
    }
  }
}

export function describeHolder(where: string, holder: LockHolder | undefined): string {
  if (!holder) return `locked: ${where} exists but cannot be read; if no rollout run is active, delete it`;
  return `locked by ${holder.user}@${holder.host} (pid ${holder.pid}, ${holder.ci}) running "${holder.commandLine}" since ${holder.startedAt}; wait for it to finish, or — if that run is gone — delete ${where}`;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(text) as LockHolder;
    return typeof holder === 'object' && holder !== null && typeof holder.pid === 'number' ? holder : undefined;
  } catch {
    return undefined;
  }
}

function releaseIfOurs(file: string, text: string): void {
  if (readText(file) !== text) return;
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}

function sha256Short(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
