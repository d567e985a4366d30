import type { Diagnostic } from '../../playbook/diagnostics.js';
import { buildPlan } from '../../plan/build-plan.js';
import type { Command } from '../../plan/types.js';
import { out } from '../output.js';
import { loadValid, printDiagnostics } from '../pipeline.js';
import type { CommonOptions } from '../program.js';

export async function validateCommand(opts: CommonOptions): Promise<number> {
  const valid = await loadValid(opts.playbook);
  if (!valid.ok) return valid.code;
  const { playbook, sites } = valid.value;
  if (opts.env) {
    // Every value of this environment must resolve, for every command that could run.
    const diagnostics: Diagnostic[] = [];
    for (const command of ['check', 'promote', 'rollback'] as Command[]) {
      const planned = buildPlan(valid.value, { env: opts.env, command, processEnv: process.env });
      if (!planned.ok) diagnostics.push(...planned.diagnostics);
    }
    if (diagnostics.length) {
      printDiagnostics(diagnostics);
      return 2;
    }
  }
  const count = (section: string) => sites.filter((s) => s.section === section).length;
  out(`${opts.playbook}: valid — playbook ${playbook.name}, ${sites.length} nodes (${count('gate')} gates, ${playbook.stages?.length ?? 0} stages, ${count('trigger')} triggers), environments: ${Object.keys(playbook.environments).join(', ')}${opts.env ? `; every value of ${opts.env} resolves` : ''}\n`);
  return 0;
}
