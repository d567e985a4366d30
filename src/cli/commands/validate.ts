import { githubAnnotations, isGithubActions } from '../../session/ci-sink.js';
import { checkEnvironmentResolves, openPlaybook } from '../../session/index.js';
import type { CommonOptions } from '../options.js';
import { err, out } from '../output.js';

function refuse(problems: string[]): number {
  if (isGithubActions()) for (const line of githubAnnotations(problems)) out(`${line}\n`);
  err(`${problems.join('\n')}\n\n${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was run.\n`);
  return 2;
}

export async function validateCommand(opts: CommonOptions): Promise<number> {
  const opened = await openPlaybook(opts.playbook);
  if (!opened.ok) return refuse(opened.problems);
  const { playbook, sites } = opened.value;
  if (opts.env) {
    const problems = checkEnvironmentResolves(opened.value, opts.env, process.env);
    if (problems.length) return refuse(problems);
  }
  const count = (section: string) => sites.filter((s) => s.section === section).length;
  out(`${opts.playbook}: valid — playbook ${playbook.name}, ${sites.length} nodes (${count('gate')} gates, ${playbook.stages?.length ?? 0} stages, ${count('trigger')} triggers), environments: ${Object.keys(playbook.environments).join(', ')}${opts.env ? `; every value of ${opts.env} resolves` : ''}\n`);
  return 0;
}
