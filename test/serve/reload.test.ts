import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspace } from '../helpers/cli.js';
import { startServe, type Served } from '../helpers/serve.js';

const TOKEN = 'reload-token-0123456789abcdef';
const bearer = { authorization: `Bearer ${TOKEN}` };
const playbook = (name: string) => `version: 1
name: ${name}
environments: { staging: {} }
gates:
  - { id: ok, uses: exec, with: { command: ["true"] } }
`;
// Two problems, so the log must list every one, not only the first.
const INVALID = `version: 1
name: broken
environments: { staging: {} }
gates:
  - { id: typo, uses: exec-not-a-kind, with: { command: ["true"] } }
  - { id: ok, uses: exec, with: { command: ["true"] }, needs: [nowhere] }
`;

async function logAfter(served: Served, from: number, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const text = served.stderr().slice(from);
    if (pattern.test(text)) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${pattern} in the log:\n${served.stderr()}`);
}

describe('rollout serve: SIGHUP reloads the playbooks', () => {
  let dir: string;
  let served: Served;
  beforeAll(async () => {
    dir = workspace({ tokens: `ci ${TOKEN}\n` });
    mkdirSync(join(dir, 'pb'));
    writeFileSync(join(dir, 'pb', 'api.yaml'), playbook('api'));
    served = await startServe(['--playbooks', 'pb', '--token-file', 'tokens'], { cwd: dir });
  });
  afterAll(async () => {
    await served?.stop();
  });

  it('a playbook added to the folder answers after SIGHUP, not before', async () => {
    writeFileSync(join(dir, 'pb', 'payments.yaml'), playbook('payments'));
    expect((await fetch(`${served.url}/v1/gates/payments/staging`, { headers: bearer })).status).toBe(404);
    const from = served.stderr().length;
    served.child.kill('SIGHUP');
    await logAfter(served, from, /SIGHUP: playbooks reloaded/);
    const answer = await fetch(`${served.url}/v1/gates/payments/staging`, { headers: bearer });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ verdict: 'pass', playbook: { name: 'payments' } });
  });

  it('an invalid playbook on SIGHUP is refused with every problem logged; the previous set keeps answering', async () => {
    writeFileSync(join(dir, 'pb', 'broken.yaml'), INVALID);
    writeFileSync(join(dir, 'pb', 'later.yaml'), playbook('later'));
    const from = served.stderr().length;
    served.child.kill('SIGHUP');
    const log = await logAfter(served, from, /NOT reloaded/);
    expect(log).toContain('broken.yaml');
    expect(log).toMatch(/exec-not-a-kind/);
    expect(log).toMatch(/nowhere/);
    expect(served.child.exitCode).toBeNull();
    for (const name of ['api', 'payments']) {
      const answer = await fetch(`${served.url}/v1/gates/${name}/staging`, { headers: bearer });
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as any).verdict).toBe('pass');
    }
    // Not half-loaded: the valid file that came with the broken one is not served either.
    expect((await fetch(`${served.url}/v1/gates/later/staging`, { headers: bearer })).status).toBe(404);
    expect(((await (await fetch(`${served.url}/healthz`)).json()) as any).playbooks.sort()).toEqual(['api', 'payments']);
  });
});
