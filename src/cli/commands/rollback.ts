import { promoteRecord } from '../../evidence/read-back.js';
import { takeLock } from '../../lock/index.js';
import { runRollback } from '../../run/phases.js';
import { EXIT } from '../../run/verdict.js';
import { confirmEnvironment } from '../confirm.js';
import { err } from '../output.js';
import { executePlan, loadValid, preparePlan } from '../pipeline.js';
import type { CommonOptions } from '../program.js';

export async function rollbackCommand(opts: CommonOptions): Promise<number> {
  const valid = await loadValid(opts.playbook);
  if (!valid.ok) return valid.code;
  if (!valid.value.playbook.rollback?.steps?.length) {
    err(`${opts.playbook} has no rollback.steps: there is nothing to roll back.\nnothing was run.\n`);
    return EXIT.invalid;
  }
  const planned = preparePlan(valid.value, opts, 'rollback');
  if (!planned.ok) return planned.code;
  const { plan } = planned.value;
  const record = promoteRecord(opts.evidenceDir, plan.env, plan.playbook.name);
  const extras = { run: runRollback, external: record.external, done: record.done };
  if (plan.dryRun) return executePlan(valid.value, plan, opts, extras);
  if (!(await confirmEnvironment(plan.env, `rollout rollback will change ${plan.playbook.name}`, opts.yes))) return EXIT.invalid;
  const lock = await takeLock(plan, opts.evidenceDir);
  if (!lock.ok) {
    err(`refused: ${lock.message}\nnothing was run.\n`);
    return EXIT.invalid;
  }
  try {
    return await executePlan(valid.value, plan, opts, extras);
  } finally {
    await lock.release();
  }
}
