import { resolve } from 'node:path';
import { z } from 'zod';
import { defineCheck, duration, formatDuration, type EvidenceSummary, type TrustOptions } from '../../src/sdk/index.js';

const params = z
  .strictObject({
    command: z.enum(['check', 'promote', 'rollback', 'watch']).describe('Which run: check, promote, rollback or watch.'),
    env: z.string().min(1).describe('The environment the run was in (e.g. staging for a rehearsal).'),
    maxAge: duration.describe('Younger than this (e.g. 7d).'),
    playbook: z.string().regex(/^[a-z0-9-]+$/).optional().describe('Another playbook\'s name (default: this playbook).'),
    trustedKeys: z.string().min(1).optional().describe('An OpenSSH allowed_signers file (relative to the playbook): only files whose attestation a key of it signed count.'),
    signedBy: z.array(z.string().min(1)).min(1).optional().describe('Principals of trustedKeys: only files signed by a key allowed for one of them count.'),
    latest: z.boolean().optional().describe('The newest (non-dry-run) run must itself count: a later failing re-check revokes an earlier pass.'),
  })
  .refine((p) => !p.signedBy || p.trustedKeys, { message: 'signedBy names principals of an allowed_signers file: give it as trustedKeys', path: ['signedBy'] });

export default defineCheck({
  kind: 'evidence.recent',
  summary: 'A passing, verified, non-partial evidence file of a run, younger than a max age',
  description:
    'Looks in the evidence directory for the newest run of `command` in `env` (this playbook, or `playbook`) that ' +
    'passed, was not partial and not a dry run, and whose digest verifies; passes when it is younger than `maxAge`. ' +
    'For "the rollback rehearsal passed on staging within 7 days". Files that do not verify (edited after writing) never count. ' +
    'With `trustedKeys` (and `signedBy`), an unsigned or untrusted file does not count; with `latest: true`, only the newest run may count.',
  params,
  observes: 'verdict',
  mutates: false,
  outputs: { file: 'the evidence file that satisfied the gate', startedAt: 'when that run started', ageSeconds: 'its age in seconds' },
  examples: [
    '- id: rehearsal-recent\n  uses: evidence.recent\n  with: { command: rollback, env: staging, maxAge: 7d }\n  environments: [production]',
    '- id: staging-signed\n  uses: evidence.recent\n  with: { command: check, env: staging, maxAge: 1d, trustedKeys: allowed_signers, signedBy: [ci@example.com], latest: true }\n  environments: [production]',
  ],
  async run(p, ctx) {
    if (!ctx.evidence) return { error: 'this run has no evidence directory to read' };
    let trust: TrustOptions | undefined;
    if (p.trustedKeys) {
      trust = { trustedKeys: resolve(ctx.cwd, p.trustedKeys), ...(p.signedBy ? { signedBy: p.signedBy } : {}) };
      const read = ctx.evidence.readTrust?.(trust) ?? { ok: false as const, message: 'this run cannot check attestations' };
      if (!read.ok) return { error: read.message };
      if (read.unknown.length) return { error: `signedBy: no key in ${p.trustedKeys} is allowed for ${read.unknown.join(', ')}` };
    }
    const playbook = p.playbook ?? ctx.evidence.playbook;
    const nameMatches = (file: string) => new RegExp(`-${playbook}-${p.command}(-|\\.md$)`).test(file);
    const all = ctx.evidence.list(p.env, playbook, trust).filter((e) => (e.command ? e.command === p.command : nameMatches(e.file)));
    // `latest`: the newest real run decides alone (a dry run changes nothing, so it neither proves nor revokes).
    const files = p.latest ? all.filter((e) => !isDryRun(e)).slice(0, 1) : all;
    const what = `${playbook} ${p.command} --env ${p.env}`;
    if (!files.length) return { status: 'fail', reasons: [`no evidence of ${what} in the evidence directory`] };
    const now = ctx.now().getTime();
    const reasons: string[] = [];
    for (const entry of files) {
      const rejected = reject(entry, trust);
      if (rejected) {
        reasons.push(`${base(entry.file)}: ${rejected}`);
        continue;
      }
      const ageMs = now - Date.parse(entry.startedAt!);
      if (ageMs > p.maxAge) {
        reasons.unshift(`the newest passing ${what} is ${formatDuration(ageMs)} old (${base(entry.file)}); it must be younger than ${formatDuration(p.maxAge)}`);
        return { status: 'fail', reasons: reasons.slice(0, 6) };
      }
      const signed = entry.signature ? `; ${entry.signature.message}` : '';
      return { status: 'pass', reasons: [`${base(entry.file)} passed ${formatDuration(Math.max(0, ageMs))} ago (max ${formatDuration(p.maxAge)}); digest ok${signed}${p.latest ? '; it is the newest run' : ''}`], outputs: { file: entry.file, startedAt: entry.startedAt, ageSeconds: Math.round(ageMs / 1000) } };
    }
    if (p.latest) return { status: 'fail', reasons: [`the newest ${what} does not count (latest: true; an earlier pass is revoked)`, ...reasons] };
    return { status: 'fail', reasons: [`no passing, verified, complete${trust ? ', trusted-signed' : ''} ${what}`, ...reasons].slice(0, 6) };
  },
});

function reject(entry: EvidenceSummary, trust: TrustOptions | undefined): string | undefined {
  if (!entry.verified) return `does not verify (${entry.message})`;
  if (trust && !entry.signature?.verified) return `not signed by a trusted key: ${entry.signature?.message ?? 'no attestation was checked'}`;
  if (trust?.signedBy && !entry.signature?.signedBy.length) return `${entry.signature?.message ?? 'unsigned'}, not by ${trust.signedBy.join(' or ')}`;
  if (entry.dryRun) return 'a dry run';
  if (entry.partial) return 'partial';
  if (entry.verdict !== 'pass') return `verdict ${entry.verdict}`;
  return undefined;
}

function isDryRun(entry: EvidenceSummary): boolean {
  return entry.dryRun ?? /-dry-run(-partial)?(-\d+)?\.md$/.test(entry.file);
}

const base = (file: string) => file.slice(file.lastIndexOf('/') + 1);
