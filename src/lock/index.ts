import type { Plan } from '../plan/types.js';
import { ciIdentity, currentHost, currentUser } from '../evidence/identity.js';
import { acquireFileLock, type LockHolder } from './file-lock.js';

export type Held = { ok: true; release(): Promise<void> } | { ok: false; message: string };

/** Takes the lock of (playbook, env) for a mutating run, naming this run as its holder. */
export async function takeLock(plan: Plan, evidenceDir: string): Promise<Held> {
  const holder: LockHolder = {
    user: currentUser(),
    host: currentHost(),
    pid: process.pid,
    ci: ciIdentity(),
    commandLine: ['rollout', ...process.argv.slice(2)].join(' '),
    startedAt: new Date().toISOString(),
  };
  const file = acquireFileLock(evidenceDir, plan.env, plan.playbook.name, holder);
  if (!file.ok) return file;
  return { ok: true, release: async () => file.release() };
}
