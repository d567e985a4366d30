import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rollout, workspace } from '../helpers/cli.js';

// Every case has a node that would create `ran` if anything executed.
const RUN = '  - { id: marker, uses: exec, with: { command: [touch, ran] } }\n';
const HEAD = 'version: 1\nname: bad\nenvironments: { ci: {}, production: {} }\ngates:\n' + RUN;

interface Case {
  name: string;
  yaml: string;
  /** line:column the error must point at */
  at: string;
  says: RegExp;
  hint?: RegExp;
  env?: Record<string, string | undefined>;
}

const cases: Case[] = [
  { name: 'tab-broken YAML', yaml: 'version: 1\nname: bad\nenvironments:\n  ci: {}\ngates:\n  - id: a\n   uses: exec\n', at: '7:', says: /yaml/ },
  { name: 'duplicate key', yaml: 'version: 1\nname: bad\nname: again\nenvironments: { ci: {} }\n', at: '3:1', says: /duplicate key/ },
  { name: 'unknown top-level key', yaml: HEAD + 'rolback: {}\n', at: '6:1', says: /unknown key "rolback"/, hint: /did you mean "rollback"/ },
  { name: 'unknown node key', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, retires: 2 }\n', at: '6:', says: /gates\[1\]\.retires: unknown key/, hint: /did you mean "retries"/ },
  { name: 'unknown param key', yaml: HEAD + '  - { id: a, uses: exec, with: { comand: [ls] } }\n', at: '6:', says: /gates\[1\]\.with\.comand: unknown key/, hint: /did you mean "command"/ },
  { name: 'missing version', yaml: 'name: bad\nenvironments: { ci: {} }\n', at: '1:1', says: /version/ },
  { name: 'wrong version', yaml: 'version: 2\nname: bad\nenvironments: { ci: {} }\n', at: '1:10', says: /version must be 1/ },
  { name: 'bad playbook name', yaml: 'version: 1\nname: Bad Name\nenvironments: { ci: {} }\n', at: '2:7', says: /lowercase/ },
  { name: 'unquoted number in a string field', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [echo, 1.10] } }\n', at: '6:', says: /expected a string, found the number 1\.10/, hint: /quote it: "1\.10"/ },
  { name: 'unquoted boolean expect', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, expect: true }\n', at: '6:', says: /expected a string, found the boolean true/, hint: /quote it/ },
  { name: 'bad id', yaml: HEAD + '  - { id: Bad.Id, uses: exec, with: { command: [ls] } }\n', at: '6:', says: /no dots/ },
  { name: 'duplicate id', yaml: HEAD + '  - { id: marker, uses: exec, with: { command: [ls] } }\n', at: '6:', says: /duplicate id "marker"/ },
  { name: 'unknown kind', yaml: HEAD + '  - { id: a, uses: exce, with: { command: [ls] } }\n', at: '6:', says: /unknown kind "exce"/, hint: /did you mean "exec"/ },
  { name: 'unknown need', yaml: HEAD + '  - { id: a, uses: exec, needs: [markr], with: { command: [ls] } }\n', at: '6:', says: /needs "markr", which no node is/, hint: /did you mean "marker"/ },
  { name: 'cycle', yaml: HEAD + '  - { id: a, uses: exec, needs: [b], with: { command: [ls] } }\n  - { id: b, uses: exec, needs: [c], with: { command: [ls] } }\n  - { id: c, uses: exec, needs: [a], with: { command: [ls] } }\n', at: '6:', says: /cycle: a → b → c → a/ },
  { name: 'self need', yaml: HEAD + '  - { id: a, uses: exec, needs: [a], with: { command: [ls] } }\n', at: '6:', says: /cycle: a → a/ },
  { name: 'unknown environment on a node', yaml: HEAD + '  - { id: a, uses: exec, environments: [prod], with: { command: [ls] } }\n', at: '6:', says: /unknown environment "prod"/, hint: /did you mean "production"/ },
  { name: 'bad duration', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, timeout: 5 minutes }\n', at: '6:', says: /not a duration/ },
  { name: 'duration as a number', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, timeout: 30 }\n', at: '6:', says: /expected a string, found the number 30/ },
  { name: 'bad expect operator', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, expect: "=> 0" }\n', at: '6:', says: /not an expectation/, hint: /write e\.g\./ },
  { name: 'bad expect unit', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, expect: "< 5 parsecs" }\n', at: '6:', says: /unknown unit "parsecs"/ },
  { name: 'bad regex', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, observe: stdout, expect: "=~ /(/" }\n', at: '6:', says: /invalid regex/ },
  { name: 'ordering a string', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, observe: stdout, expect: "< on" }\n', at: '6:', says: /cannot order/ },
  { name: 'unknown observe', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, observe: stderr }\n', at: '6:', says: /cannot observe "stderr"/, hint: /exitCode/ },
  { name: 'missing expect where no default', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [ls] }, observe: stdout }\n', at: '6:', says: /needs an expect/ },
  { name: 'unknown reference', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [echo, "${var.x}"] } }\n', at: '6:', says: /is not a reference/, hint: /\$\{vars\.NAME\}/ },
  { name: 'reference to no node', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [echo, "${nodes.nope.observed}"] } }\n', at: '6:', says: /names no node/ },
  { name: 'unset variable', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [echo, "${vars.missing}"] } }\n', at: '6:', says: /no var "missing"/ },
  { name: 'vars in a loop', yaml: 'version: 1\nname: bad\nenvironments: { ci: { vars: { a: "${vars.b}", b: "${vars.a}" } } }\ngates:\n' + RUN + '  - { id: x, uses: exec, with: { command: [echo, "${vars.a}"] } }\n', at: '6:', says: /loop: a → b → a/ },
  { name: 'a merge key', yaml: 'version: 1\nname: bad\nenvironments:\n  ci: { vars: { <<: { a: 1 }, b: 2 } }\ngates:\n' + RUN, at: '4:', says: /merge keys \(<<\) are not part of YAML 1\.2/, hint: /write the values out/ },
  { name: 'unset env', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [echo, "${env:ROLLOUT_TEST_UNSET}"] } }\n', at: '6:', says: /ROLLOUT_TEST_UNSET is not set/ },
  { name: 'secret in argv', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [echo, "${secret:TOKEN}"] } }\n', at: '6:', says: /visible to every user in ps/, env: { TOKEN: 'long-enough-secret' } },
  { name: 'short secret', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [ls], env: { T: "${secret:TOKEN}" } } }\n', at: '6:', says: /shorter than 8/, env: { TOKEN: 'short' } },
  { name: 'unset secret', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [ls], env: { T: "${secret:ROLLOUT_TEST_NOPE}" } } }\n', at: '6:', says: /secret ROLLOUT_TEST_NOPE is not set/ },
  { name: 'mutating kind under gates', yaml: HEAD + '  - { id: a, uses: http, with: { url: "http://127.0.0.1:1/x", method: POST } }\n', at: '6:', says: /changes a system/, hint: /mutates: true/ },
  { name: 'missing stage gate', yaml: HEAD + 'stages:\n  - { id: s1, gates: [markr], steps: [ { id: st, uses: exec, with: { command: [ls] } } ] }\n', at: '7:', says: /stage gate "markr" is not a top-level gate/, hint: /did you mean "marker"/ },
  { name: 'unknown environment key', yaml: 'version: 1\nname: bad\nenvironments:\n  ci: { prometheus: { url: "http://x" }, postgress: {} }\ngates:\n' + RUN, at: '4:', says: /unknown key "postgress"/, hint: /did you mean "postgres"/ },
  { name: 'for: on a step', yaml: HEAD + 'stages:\n  - { id: s1, steps: [ { id: st, uses: exec, with: { command: [ls] }, for: 5m } ] }\n', at: '7:', says: /for: is a window/ },
  { name: 'needs across sections', yaml: HEAD + 'rollback:\n  steps: [ { id: r, uses: exec, needs: [marker], with: { command: [ls] } } ]\n', at: '7:', says: /in another part of the playbook/ },
  { name: 'empty command', yaml: HEAD + '  - { id: a, uses: exec, with: { command: [] } }\n', at: '6:', says: /at least the program/ },
  { name: 'too many aliases', yaml: 'version: 1\nname: bad\nenvironments: { ci: {} }\nx0: &a [1]\n' + Array.from({ length: 9 }, (_, i) => `x${i + 1}: &${'a'.repeat(i + 2)} [*${'a'.repeat(i + 1)}, *${'a'.repeat(i + 1)}, *${'a'.repeat(i + 1)}, *${'a'.repeat(i + 1)}]`).join('\n') + '\n', at: '1:1', says: /too many aliases|unknown key/ },
];

describe(`malformed playbooks (${cases.length}) exit 2 with file:line:column, a hint, and nothing executed`, () => {
  it.concurrent.each(cases)('$name', async ({ yaml, at, says, hint, env }) => {
    const dir = workspace({ 'rollout.yaml': yaml });
    const run = await rollout(['check', '--env', 'ci'], { cwd: dir, env: { ROLLOUT_TEST_UNSET: undefined, ROLLOUT_TEST_NOPE: undefined, ...env } });
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr).toContain(`rollout.yaml:${at}`);
    expect(run.stderr).toMatch(says);
    if (hint) expect(run.stderr).toMatch(new RegExp(`hint: .*${hint.source}`));
    expect(run.stderr).toMatch(/nothing was run/);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    expect(existsSync(join(dir, 'evidence'))).toBe(false);
  });

  it('reports every problem at once', async () => {
    const dir = workspace({ 'rollout.yaml': HEAD + '  - { id: a, uses: exce, with: {} }\n  - { id: b, uses: exec, needs: [zz], with: { command: [ls] }, retires: 1 }\n' });
    const run = await rollout(['validate'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/unknown kind "exce"/);
    expect(run.stderr).toMatch(/needs "zz", which no node is/);
    expect(run.stderr).toMatch(/unknown key "retires"/);
    expect(run.stderr).toMatch(/3 problems/);
  });

  it('refuses a file over 1 MiB', async () => {
    const dir = workspace({ 'rollout.yaml': HEAD + `# ${'x'.repeat(1024 * 1024)}\n` });
    const run = await rollout(['validate'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/limit is 1 MiB/);
  });

  it('refuses an unknown --env (exit 2)', async () => {
    const dir = workspace({ 'rollout.yaml': HEAD });
    const run = await rollout(['check', '--env', 'prodd'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/unknown environment "prodd"/);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
});
