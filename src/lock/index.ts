import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '../plan/types.js';
import type { ValidPlaybook } from '../playbook/validate.js';
import { ciIdentity, currentHost, currentUser } from '../identity/identity.js';
import { acquireFileLock, type LockHolder } from './file-lock.js';
import { lockPath } from './location.js';

export type Held = { ok: true; release(): Promise<void> } | { ok: false; message: string };

/**
 * Takes the lock of (playbook, env) for a mutating run, naming this run as its holder: a
 * file in this machine's lock folder (see lockPath), plus a lock in each system of the
 * environment that keeps one (a Kubernetes Lease), so runs from other machines are refused too.
 * The old second argument (the evidence directory) is accepted and ignored: the lock no longer
 * depends on where evidence goes.
 */
export async function takeLock(plan: Plan, valid?: ValidPlaybook): Promise<Held> {
  const holder: LockHolder = {
    user: currentUser(),
    host: currentHost(),
    pid: process.pid,
    ci: ciIdentity(),
    commandLine: ['rollout', ...process.argv.slice(2)].join(' '),
    startedAt: new Date().toISOString(),
  };
  const where = lockPath(plan.playbook.name, plan.env);
  if (!where.ok) return where;
  const file = acquireFileLock(where.path, holder);
  if (!file.ok) return file;
  const releases: Array<() => Promise<void>> = [async () => file.release()];
  const releaseAll = async () => {
    for (const release of releases.reverse()) await release().catch(() => {});
  };
  const environment = (valid?.playbook.environments[plan.env] ?? {}) as Record<string, unknown>;
  for (const [name, system] of valid?.systems ?? []) {
    if (!system.lock || environment[name] === undefined) continue;
    // Resolved settings when the plan used the system; otherwise as written, if they hold no references.
    const settings = plan.connections.find((c) => c.system === name)?.settings ?? (JSON.stringify(environment[name]).includes('${') ? undefined : (environment[name] as Record<string, unknown>));
    if (!settings) continue;
    const tmpDir = mkdtempSync(join(tmpdir(), 'rollout-lock-'));
    try {
      const held = await system.lock(settings, { cwd: plan.playbook.dir, env: process.env, tmpDir }, {
        name: `rollout-${plan.playbook.name}-${plan.env}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63).replace(/-+$/, ''),
        holder: `${holder.user}@${holder.host} pid ${holder.pid}`,
        description: `${holder.commandLine} (${holder.ci}, since ${holder.startedAt})`,
      });
      if (!held.ok) {
        await releaseAll();
        return { ok: false, message: `${name}: ${held.message}` };
      }
      releases.push(held.release);
    } catch (error) {
      await releaseAll();
      return { ok: false, message: `${name}: could not take the lock: ${(error as Error).message}` };
    } finally {
      rmSync(tmpDir, { recursive: true, force: true });
    }
  }
  return { ok: true, release: releaseAll };
}
