import { z } from 'zod';
import { defineCheck, duration, formatDuration } from '../../src/sdk/index.js';

const params = z.strictObject({
  role: z.string().min(1, 'name the role that signs, e.g. role: Database Team Lead').describe('Who must sign: a role, e.g. "Incident Commander".'),
  distinct: z.boolean().optional().describe('No person may sign two approvals marked distinct in one run (four-eyes).'),
  maxAge: duration.optional().describe('A sign-off older than this is expired (e.g. 30m): a "go" does not last forever.'),
  prompt: z.string().min(1).optional().describe('What the person confirms (a manual step: "switch DNS at the registrar, then sign").'),
});

interface Signer {
  role: string;
  nodeId: string;
}

/** People are compared loosely: "dana lee" and " Dana  Lee" are the same person. */
const normalise = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();

export default defineCheck({
  kind: 'approval',
  summary: 'A named role signs off (terminal, --approve ID=NAME or an approvals file)',
  description:
    'Passes when the role signed: on a terminal the person types their name; in CI only `--approve NODE-ID=NAME` ' +
    'or an approvals file (`--approvals FILE`, `node-id: NAME` or `node-id: { name, at }`) satisfies it. An empty ' +
    'answer refuses (`fail`). `distinct: true` roles must be signed by different people; `maxAge` expires a sign-off. ' +
    'With `prompt:` it is a do-and-confirm step. The evidence records the name, the source, the OS user, the CI identity and when.',
  params,
  observes: 'verdict',
  mutates: false,
  interactive: true,
  outputs: { name: 'who signed', at: 'when (ISO 8601)', source: '--approve, approvals file or terminal', osUser: 'the OS user running rollout', ci: 'the CI identity' },
  examples: [
    '- id: signoff-dba\n  uses: approval\n  with: { role: Database Team Lead, distinct: true }\n  environments: [production]',
    '- id: ic-go\n  uses: approval\n  with: { role: Incident Commander, maxAge: 30m }',
    '- id: dns-switched\n  uses: approval\n  with: { role: Release captain, prompt: "Switch DNS at the registrar to the new load balancer" }',
  ],
  async run(p, ctx) {
    const operator = ctx.operator;
    if (!operator) return { error: 'this run cannot take sign-offs (no operator input)' };
    const now = ctx.now();
    let name: string;
    let at: Date;
    let source: string;
    const given = operator.supplied();
    if (given) {
      name = given.value;
      at = given.at ?? now;
      source = given.source;
    } else if (operator.ask) {
      const question = `${p.prompt ? `${p.prompt}\n` : ''}Approval needed: ${p.role} (${ctx.nodeId}). Type your name to approve, or nothing to refuse: `;
      name = await operator.ask(question);
      at = ctx.now();
      source = 'terminal';
      if (!name || /^(no|n)$/i.test(name)) return { status: 'fail', reasons: [`refused on the terminal (OS user ${operator.user})`], outputs: { refusedBy: operator.user, at: at.toISOString() } };
    } else {
      return { status: 'fail', reasons: [`no sign-off for ${p.role}: pass --approve ${ctx.nodeId}=NAME or --approvals FILE (there is no terminal to ask on)`] };
    }
    const outputs = { name, at: at.toISOString(), source, osUser: operator.user, ci: operator.ci, role: p.role };
    if (p.maxAge !== undefined && now.getTime() - at.getTime() > p.maxAge) {
      return { status: 'fail', reasons: [`the sign-off by ${name} at ${at.toISOString()} expired: older than ${formatDuration(p.maxAge)} (maxAge)`], outputs };
    }
    if (p.distinct) {
      const signers = await ctx.shared('approval:distinct-signers', () => new Map<string, Signer>());
      const earlier = signers.get(normalise(name));
      if (earlier && earlier.nodeId !== ctx.nodeId) return { status: 'fail', reasons: [`${name} already signed ${earlier.role} (${earlier.nodeId}); distinct roles need different people`], outputs };
      signers.set(normalise(name), { role: p.role, nodeId: ctx.nodeId });
    }
    return { status: 'pass', reasons: [`${p.role}: signed by ${name} via ${source} at ${at.toISOString()} (OS user ${operator.user}; CI ${operator.ci})`], outputs };
  },
});
