import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { acquireFileLock, type LockResult } from '../lock/file-lock.js';
import { readChain } from './chain.js';
import { currentHost, currentUser } from '../identity/identity.js';
import type { AppendResult, ComposeEvidence, EvidenceStore } from './store.js';

const APPEND_WAIT_MS = 30_000;
const MAX_NAME_ATTEMPTS = 1000;

/**
 * `file:DIR`: `<DIR>/<env>/<file>.md`. Appends of one (playbook, env) are serialised by a lock
 * file beside the evidence (the store's own: it guards this folder's chain, from any process
 * that writes here); each file is written to a temp file, synced, and hard-linked into place,
 * which fails rather than replace a file.
 */
export function fileStore(dir: string): EvidenceStore {
  const envDir = (env: string) => join(dir, env);
  return {
    url: `file:${resolve(dir)}`,
    environments: () => listEntries(dir, (e) => e.isDirectory() && !e.name.startsWith('.')),
    names: (env) => listEntries(envDir(env), (e) => e.isFile() && e.name.endsWith('.md') && !e.name.startsWith('.')),
    read(env, name) {
      try {
        return readFileSync(join(envDir(env), name));
      } catch {
        return undefined;
      }
    },
    locate: (env, name) => join(envDir(env), name),
    append(env, playbook, compose) {
      return appendFile(this, envDir(env), env, playbook, compose);
    },
  };
}

function appendFile(store: EvidenceStore, folder: string, env: string, playbook: string, compose: ComposeEvidence): AppendResult {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    return { ok: false, message: `cannot create ${folder}: ${describe(error)}` };
  }
  const lock = waitForLock(join(folder, `.rollout-${slug(playbook)}-${hashOf(playbook)}.append.lock`));
  if (!lock.ok) return { ok: false, message: lock.message };
  try {
    const { tip } = readChain(store, env, playbook);
    for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
      const { name, text, companions = [] } = compose(tip, attempt);
      const placed = placeFile(folder, name, text);
      if (placed === 'taken') continue;
      if (placed !== 'placed') return { ok: false, message: placed };
      // The file holds its name; a companion is written after it (an existing one is not replaced).
      for (const companion of companions) {
        const beside = placeFile(folder, companion.name, companion.text);
        if (beside !== 'placed') return { ok: false, message: beside === 'taken' ? `${join(folder, companion.name)} exists already` : beside };
      }
      return { ok: true, name, location: join(folder, name) };
    }
    return { ok: false, message: `${MAX_NAME_ATTEMPTS} names taken in ${folder}` };
  } catch (error) {
    return { ok: false, message: describe(error) };
  } finally {
    lock.release();
  }
}

/**
 * Writes `text` to `folder/name` whole or not at all: a temp file created exclusively (never
 * through a symlink), synced, hard-linked to its name (`taken` if the name exists), and removed
 * whatever happened. Returns the error's description otherwise.
 */
export function placeFile(folder: string, name: string, text: string): 'placed' | 'taken' | string {
  const temp = join(folder, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  let linking = false;
  try {
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    const bytes = Buffer.from(text, 'utf8');
    for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    linking = true;
    linkSync(temp, join(folder, name));
    return 'placed';
  } catch (error) {
    if (linking && (error as NodeJS.ErrnoException).code === 'EEXIST') return 'taken';
    return `cannot write ${join(folder, name)}: ${describe(error)}`;
  } finally {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // Closing a file that failed to write: nothing more to do.
      }
    }
    try {
      unlinkSync(temp);
    } catch {
      // Never created, or already gone.
    }
  }
}

/** Appends are short: wait for the lock rather than fail the run's evidence. */
function waitForLock(file: string): LockResult {
  const holder = { user: currentUser(), host: currentHost(), pid: process.pid, ci: 'evidence append', commandLine: 'rollout (writing evidence)', startedAt: new Date().toISOString() };
  const deadline = Date.now() + APPEND_WAIT_MS;
  for (;;) {
    const lock = acquireFileLock(file, holder);
    if (lock.ok || Date.now() > deadline || !lock.message.startsWith('locked by')) return lock;
    sleepMs(5 + Math.floor(Math.random() * 20));
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(pause, 0, 0, ms);
}

function listEntries(dir: string, keep: (entry: import('node:fs').Dirent) => boolean): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter(keep).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60);
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = (error as Error).message ?? String(error);
  if (code === 'ENOSPC') return `the disk is full (${message})`;
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return `not writable (${message})`;
  return message;
}
