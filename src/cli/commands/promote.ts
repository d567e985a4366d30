import { promoteRecord } from '../../evidence/read-back.js';
import { runPromote } from '../../run/phases.js';
import { EXIT } from '../../run/verdict.js';
import { runMutating } from '../mutating-run.js';
import { err } from '../output.js';
import { loadValid, preparePlan } from '../pipeline.js';
import type { CommonOptions } from '../program.js';

export interface PromoteOptions extends CommonOptions {
  stage?: string;
  from?: string;
}

export async function promoteCommand(opts: PromoteOptions): Promise<number> {
  if (opts.stage && opts.from) {
    err('--stage and --from exclude each other: --stage runs one stage, --from runs a stage and the ones after it.\nnothing was run.\n');
    return EXIT.invalid;
  }
  const valid = await loadValid(opts.playbook);
  if (!valid.ok) return valid.code;
  const planned = preparePlan(valid.value, opts, 'promote', { ...(opts.stage ? { stage: opts.stage } : {}), ...(opts.from ? { fromStage: opts.from } : {}) });
  if (!planned.ok) return planned.code;
  const { plan } = planned.value;
  const record = promoteRecord(opts.evidenceDir, plan.env, plan.playbook.name);
  const extras = { run: runPromote, external: record.external, done: record.done };
  return runMutating(valid.value, plan, opts, extras, 'promote');
}
