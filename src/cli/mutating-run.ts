import { takeLock } from '../lock/index.js';
import type { ValidPlaybook } from '../playbook/validate.js';
import type { Plan } from '../plan/types.js';
import { EXIT } from '../run/verdict.js';
import { confirmEnvironment } from './confirm.js';
import { err } from './output.js';
import { executePlan, type ExecuteExtras } from './pipeline.js';
import type { CommonOptions } from './program.js';

/**
 * A command that changes systems: a dry run goes straight through; a real one needs
 * confirmation (typed environment name, or --yes) and holds the (playbook, env) lock.
 */
export async function runMutating(valid: ValidPlaybook, plan: Plan, opts: CommonOptions, extras: ExecuteExtras, what: string): Promise<number> {
  if (plan.dryRun) return executePlan(valid, plan, opts, extras);
  if (!(await confirmEnvironment(plan.env, `rollout ${what} will change ${plan.playbook.name}`, opts.yes))) return EXIT.invalid;
  const lock = await takeLock(plan, opts.evidenceDir, valid);
  if (!lock.ok) {
    err(`refused: ${lock.message}\nnothing was run.\n`);
    return EXIT.invalid;
  }
  try {
    return await executePlan(valid, plan, opts, extras);
  } finally {
    await lock.release();
  }
}
