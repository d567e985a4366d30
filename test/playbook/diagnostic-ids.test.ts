import { describe, expect, it } from 'vitest';
import { registry } from '../../checks/index.js';
import { parsePlaybookText } from '../../src/playbook/load.js';
import { validatePlaybook } from '../../src/playbook/validate.js';
import { buildPlan } from '../../src/plan/build-plan.js';

const HEAD = 'version: 1\nname: ids\nenvironments: { ci: { vars: { soak: soon, method: POST } } }\ngates:\n';

/** The ids of every problem validation finds, in order. */
async function validationIds(yaml: string): Promise<string[]> {
  const loaded = parsePlaybookText(yaml, 'rollout.yaml');
  if (!loaded.ok) return loaded.diagnostics.map((d) => d.id);
  const valid = await validatePlaybook(loaded.doc, registry);
  return valid.ok ? [] : valid.diagnostics.map((d) => d.id);
}

async function planIds(yaml: string, env = 'ci'): Promise<string[]> {
  const loaded = parsePlaybookText(yaml, 'rollout.yaml');
  if (!loaded.ok) throw new Error('not loaded');
  const valid = await validatePlaybook(loaded.doc, registry);
  if (!valid.ok) throw new Error(valid.diagnostics.map((d) => d.message).join('\n'));
  const planned = buildPlan(valid.value, { env, command: 'check', processEnv: {} });
  return planned.ok ? [] : planned.diagnostics.map((d) => d.id);
}

describe('diagnostics carry stable ids', () => {
  it.each([
    ['duplicate-key', 'version: 1\nname: a\nname: b\nenvironments: { ci: {} }\n'],
    ['unknown-key', HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, retires: 2 }\n'],
    ['unknown-kind', HEAD + '  - { id: a, uses: exce }\n'],
    ['not-a-duration', HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, timeout: 5 minutes }\n'],
    ['zero-timeout', HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, timeout: 0s }\n'],
    ['unquoted-scalar', HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, timeout: 30 }\n'],
    ['invalid-expect', HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, expect: "=> 0" }\n'],
    ['missing-expect', HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, observe: stdout }\n'],
    ['undeclared-mutation', HEAD + '  - { id: a, uses: http, with: { url: "http://x", method: POST } }\n'],
    ['unknown-need', HEAD + '  - { id: a, uses: exec, needs: [b], with: { command: [ls] } }\n'],
    ['cycle', HEAD + '  - { id: a, uses: exec, needs: [a], with: { command: [ls] } }\n'],
    ['invalid-reference', HEAD + '  - { id: a, uses: exec, with: { command: [echo, "${var.x}"] } }\n'],
    ['duration-not-plannable', HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, for: "${secret:SOAK_TIME}" }\n'],
    ['merge-key', 'version: 1\nname: a\nenvironments:\n  ci: { vars: { <<: { a: 1 } } }\n'],
  ])('%s', async (id, yaml) => {
    expect(await validationIds(yaml)).toContain(id);
  });

  it.each([
    ['not-a-duration', HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, for: "${vars.soak}" }\n'],
    ['unresolved-value', HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, for: "${vars.nope}" }\n'],
    ['undeclared-mutation', HEAD + '  - { id: a, uses: http, with: { url: "http://x", method: "${vars.method}" } }\n'],
    ['not-a-duration', HEAD + '  - { id: a, uses: evidence.recent, with: { command: check, env: ci, maxAge: "${vars.soak}" } }\n'],
  ])('at plan time: %s', async (id, yaml) => {
    expect(await planIds(yaml)).toEqual([id]);
  });

  it('an unknown environment is an id too', async () => {
    expect(await planIds(HEAD + '  - { id: a, uses: exec, with: { command: [ls] } }\n', 'prod')).toEqual(['unknown-environment']);
  });
});
