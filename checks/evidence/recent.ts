import { z } from 'zod';
import { defineCheck, duration, formatDuration, type EvidenceSummary } from '../../src/sdk/index.js';

const params = z.strictObject({
  command: z.enum(['check', 'promote', 'rollback', 'watch']).describe('Which run: check, promote, rollback or watch.'),
  env: z.string().min(1).describe('The environment the run was in (e.g. staging for a rehearsal).'),
  maxAge: duration.describe('Younger than this (e.g. 7d).'),
  playbook: z.string().regex(/^[a-z0-9-]+$/).optional().describe('Another playbook\'s name (default: this playbook).'),
});

export default defineCheck({
  kind: 'evidence.recent',
  summary: 'A passing, verified, non-partial evidence file of a run, younger than a max age',
  description:
    'Looks in the evidence directory for the newest run of `command` in `env` (this playbook, or `playbook`) that ' +
    'passed, was not partial and not a dry run, and whose digest verifies; passes when it is younger than `maxAge`. ' +
    'For "the rollback rehearsal passed on staging within 7 days". Files that do not verify (edited after writing) never count.',
  params,
  observes: 'verdict',
  mutates: false,
  outputs: { file: 'the evidence file that satisfied the gate', startedAt: 'when that run started', ageSeconds: 'its age in seconds' },
  examples: ['- id: rehearsal-recent\n  uses: evidence.recent\n  with: { command: rollback, env: staging, maxAge: 7d }\n  environments: [production]'],
  async run(p, ctx) {
    if (!ctx.evidence) return { error: 'this run has no evidence directory to read' };
    const playbook = p.playbook ?? ctx.evidence.playbook;
    const nameMatches = (file: string) => new RegExp(`-${playbook}-${p.command}(-|\\.md$)`).test(file);
    const files = ctx.evidence.list(p.env, playbook).filter((e) => (e.command ? e.command === p.command : nameMatches(e.file)));
    const what = `${playbook} ${p.command} --env ${p.env}`;
    if (!files.length) return { status: 'fail', reasons: [`no evidence of ${what} in the evidence directory`] };
    const now = ctx.now().getTime();
    const reasons: string[] = [];
    for (const entry of files) {
      const rejected = reject(entry);
      if (rejected) {
        reasons.push(`${base(entry.file)}: ${rejected}`);
        continue;
      }
      const ageMs = now - Date.parse(entry.startedAt!);
      if (ageMs > p.maxAge) {
        reasons.unshift(`the newest passing ${what} is ${formatDuration(ageMs)} old (${base(entry.file)}); it must be younger than ${formatDuration(p.maxAge)}`);
        return { status: 'fail', reasons: reasons.slice(0, 6) };
      }
      return { status: 'pass', reasons: [`${base(entry.file)} passed ${formatDuration(Math.max(0, ageMs))} ago (max ${formatDuration(p.maxAge)}); digest ok`], outputs: { file: entry.file, startedAt: entry.startedAt, ageSeconds: Math.round(ageMs / 1000) } };
    }
    return { status: 'fail', reasons: [`no passing, verified, complete ${what}`, ...reasons].slice(0, 6) };
  },
});

function reject(entry: EvidenceSummary): string | undefined {
  if (!entry.verified) return `does not verify (${entry.message})`;
  if (entry.dryRun) return 'a dry run';
  if (entry.partial) return 'partial';
  if (entry.verdict !== 'pass') return `verdict ${entry.verdict}`;
  return undefined;
}

const base = (file: string) => file.slice(file.lastIndexOf('/') + 1);
