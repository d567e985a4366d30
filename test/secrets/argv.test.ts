import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registry } from '../../checks/index.js';
import { loadPlaybookFile } from '../../src/playbook/load.js';
import { validatePlaybook } from '../../src/playbook/validate.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { runPlan } from '../../src/run/run-plan.js';
import { Redactor } from '../../src/secrets/redactor.js';
import { workspace } from '../helpers/cli.js';

const SECRET = 'hunter2-Tr0ub4dor&3';

async function run(yaml: string) {
  const dir = workspace({ 'rollout.yaml': yaml });
  const loaded = loadPlaybookFile(join(dir, 'rollout.yaml'));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
  const valid = await validatePlaybook(loaded.doc, registry);
  if (!valid.ok) throw new Error(JSON.stringify(valid.diagnostics));
  const env = { ...process.env, API_TOKEN: SECRET };
  const planned = buildPlan(valid.value, { env: 'ci', command: 'check', dryRun: false, processEnv: env });
  if (!planned.ok) throw new Error(JSON.stringify(planned.diagnostics));
  const redactor = new Redactor();
  for (const secret of planned.value.secrets) redactor.add(secret);
  const result = await runPlan(planned.value.plan, {
    kinds: valid.value.kinds,
    concurrency: 4,
    signal: new AbortController().signal,
    env,
    version: 'test',
    holdsSecret: (text) => redactor.holdsSecret(text),
  });
  return { dir, result };
}

describe('a secret that reaches a command line through ${nodes.X.outputs...}', () => {
  it('is refused at run time: the node is an error saying why, and its child never starts', async () => {
    const { dir, result } = await run(`version: 1
name: argv
environments: { ci: {} }
gates:
  - id: token
    uses: exec
    with: { command: [node, -e, "process.stdout.write(Buffer.from(process.env.API_TOKEN).toString('base64'))"], env: { API_TOKEN: "\${secret:API_TOKEN}" } }
  - id: use
    needs: [token]
    uses: exec
    with: { command: [touch, ran, "\${nodes.token.outputs.stdout}"] }
  - id: plain
    needs: [token]
    uses: exec
    with: { command: [touch, plain-ran, "\${nodes.token.outputs.exitCode}"] }
`);
    const byId = Object.fromEntries(result.nodes.map((n) => [n.id, n]));
    expect(byId.token!.status).toBe('pass');
    expect(byId.use!.status).toBe('error');
    expect(byId.use!.message).toMatch(/command\[2\].*secret.*visible to every user in ps/);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    expect(byId.plain!.status).toBe('pass');
    expect(existsSync(join(dir, 'plain-ran'))).toBe(true);
  });
});
