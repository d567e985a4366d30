import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ValidPlaybook } from '../playbook/validate.js';
import type { Plan } from '../plan/types.js';

export interface SystemSetup {
  /** The environment children and checks see (each system's confinement added). */
  env: Record<string, string | undefined>;
  cleanup(): Promise<void>;
}

/**
 * Every system the environment names, once per run: its guard first (an unknown kube
 * context refuses the run), then its child environment — also for systems no planned node
 * uses, because an exec step's kubectl must be confined to the environment's context too.
 */
export async function setUpSystems(valid: ValidPlaybook, plan: Plan, processEnv: Record<string, string | undefined>): Promise<{ ok: true; value: SystemSetup } | { ok: false; problems: string[] }> {
  const tmpDir = mkdtempSync(join(tmpdir(), 'rollout-run-'));
  const env: Record<string, string | undefined> = { ...processEnv };
  const cleanups: Array<() => Promise<void>> = [async () => rmSync(tmpDir, { recursive: true, force: true })];
  const cleanup = async () => void (await Promise.all(cleanups.map((c) => c().catch(() => {}))));
  const refusals: string[] = [];
  const info = { cwd: plan.playbook.dir, env: processEnv, tmpDir };
  const environment = valid.playbook.environments[plan.env] as Record<string, unknown>;
  try {
    for (const [name, system] of valid.systems) {
      if (environment[name] === undefined) continue;
      const connection = plan.connections.find((c) => c.system === name);
      if (!connection || (!system.guard && !system.childEnv)) continue;
      const refusal = await system.guard?.(connection.settings, info);
      if (refusal) refusals.push(`${name}: ${refusal}`);
      if (!refusal && system.childEnv) {
        const extra = await system.childEnv(connection.settings, info);
        Object.assign(env, extra.env);
        cleanups.push(extra.cleanup);
      }
    }
  } catch (error) {
    refusals.push(`could not set up the environment's systems: ${(error as Error).message}`);
  }
  if (refusals.length) {
    await cleanup();
    return { ok: false, problems: refusals };
  }
  return { ok: true, value: { env, cleanup } };
}
