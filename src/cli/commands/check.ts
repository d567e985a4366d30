import { executePlan, loadValid, preparePlan } from '../pipeline.js';
import type { CommonOptions } from '../program.js';

export async function checkCommand(opts: CommonOptions): Promise<number> {
  const valid = await loadValid(opts.playbook);
  if (!valid.ok) return valid.code;
  const planned = preparePlan(valid.value, opts, 'check');
  if (!planned.ok) return planned.code;
  return executePlan(valid.value, planned.value.plan, opts);
}
