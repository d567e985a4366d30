import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runSession, type SessionIO, type SessionRequest } from '../../src/session/index.js';
import { workspace } from '../helpers/cli.js';

const PLAYBOOK = `version: 1
name: s
environments: { ci: {} }
gates:
  - { id: ok, uses: exec, with: { command: ["true"] } }
  - { id: later, uses: exec, needs: [ok], with: { command: [sh, -c, "echo 42"] }, observe: stdout, expect: "== 42" }
stages:
  - id: go
    steps: [ { id: touch, uses: exec, with: { command: [touch, promoted] } } ]
`;

function request(dir: string, extra: Partial<SessionRequest> = {}): SessionRequest {
  return { playbookFile: join(dir, 'rollout.yaml'), command: 'check', env: 'ci', evidenceStore: `file:${join(dir, 'evidence')}`, commandLine: 'test', ...extra };
}

const quiet = (): SessionIO & { notices: string[] } => {
  const notices: string[] = [];
  return { notices, notice: (text) => void notices.push(text) };
};

describe('the run session, in process', () => {
  let writes: ReturnType<typeof vi.spyOn>[];
  beforeEach(() => {
    writes = [vi.spyOn(process.stdout, 'write'), vi.spyOn(process.stderr, 'write')];
  });
  afterEach(() => {
    for (const w of writes) w.mockRestore();
  });

  it('runs a check to a recorded outcome and prints nothing itself', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const events: string[] = [];
    const outcome = await runSession(request(dir), { ...quiet(), onEvent: (e) => void events.push(`${e.type}:${e.node.id}`) });
    expect(outcome.ran).toBe(true);
    if (!outcome.ran) return;
    expect(outcome.exitCode).toBe(0);
    expect(outcome.result.nodes.map((n) => [n.id, n.status])).toEqual([['ok', 'pass'], ['later', 'pass']]);
    expect(events).toEqual(['node-start:ok', 'node-end:ok', 'node-start:later', 'node-end:later']);
    expect(outcome.evidence.ok && readFileSync(outcome.evidence.path, 'utf8')).toContain('**Verdict: PASS**');
    for (const w of writes) expect(w).not.toHaveBeenCalled();
  });

  it('refuses, as a value, what cannot run: an unknown environment, a missing playbook', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const unknown = await runSession(request(dir, { env: 'prod' }), quiet());
    expect(unknown).toMatchObject({ ran: false, exitCode: 2 });
    expect(!unknown.ran && unknown.problems.join('\n')).toMatch(/prod/);
    const missing = await runSession(request(dir, { playbookFile: join(dir, 'nope.yaml') }), quiet());
    expect(missing).toMatchObject({ ran: false, exitCode: 2 });
    expect(existsSync(join(dir, 'evidence'))).toBe(false);
  });

  it('a mutating run is refused without confirmation, and runs (and releases its lock) with it', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const refused = await runSession(request(dir, { command: 'promote' }), quiet());
    expect(refused).toMatchObject({ ran: false, exitCode: 2 });
    expect(existsSync(join(dir, 'promoted'))).toBe(false);
    const denied = await runSession(request(dir, { command: 'promote' }), { ...quiet(), confirm: async () => ({ ok: false, reason: 'typed staging' }) });
    expect(!denied.ran && denied.problems).toEqual(['refused: typed staging']);
    const asked: string[] = [];
    const confirmed = await runSession(request(dir, { command: 'promote' }), { ...quiet(), confirm: async (env, action) => (asked.push(`${env}: ${action}`), { ok: true }) });
    expect(asked).toEqual(['ci: rollout promote will change s']);
    expect(confirmed).toMatchObject({ ran: true, exitCode: 0 });
    expect(existsSync(join(dir, 'promoted'))).toBe(true);
    // The lock was released: a second promote is not refused as "lock held".
    const again = await runSession(request(dir, { command: 'promote' }), { ...quiet(), confirm: async () => ({ ok: true }) });
    expect(again).toMatchObject({ ran: true, exitCode: 0 });
  });

  it('a dry-run promote needs no confirmation and changes nothing', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const outcome = await runSession(request(dir, { command: 'promote', dryRun: true }), quiet());
    expect(outcome).toMatchObject({ ran: true, exitCode: 0 });
    expect(outcome.ran && outcome.result.nodes.find((n) => n.id === 'touch')?.status).toBe('dry-run');
    expect(existsSync(join(dir, 'promoted'))).toBe(false);
  });

  it('an abort signal interrupts the run: exit 130, evidence written', async () => {
    const dir = workspace({ 'rollout.yaml': 'version: 1\nname: s\nenvironments: { ci: {} }\ngates:\n  - { id: hang, uses: exec, with: { command: [sleep, "30"] } }\n' });
    const controller = new AbortController();
    const io: SessionIO = { ...quiet(), signal: controller.signal, onEvent: (e) => void (e.type === 'node-start' && setTimeout(() => controller.abort(), 100)) };
    const outcome = await runSession(request(dir), io);
    expect(outcome).toMatchObject({ ran: true, exitCode: 130 });
    expect(outcome.ran && outcome.result.verdict).toBe('interrupted');
    expect(readdirSync(join(dir, 'evidence', 'ci'))).toHaveLength(1);
  });

  it('secrets are masked in the outcome and handed to the caller, never printed', async () => {
    const dir = workspace({ 'rollout.yaml': 'version: 1\nname: s\nenvironments: { ci: {} }\ngates:\n  - { id: echo, uses: exec, with: { command: [sh, -c, "echo $TOKEN"], env: { TOKEN: "${secret:SESSION_TOKEN}" } }, observe: stdout, expect: "== nope" }\n' });
    const handed: string[] = [];
    const outcome = await runSession(request(dir, { processEnv: { ...process.env, SESSION_TOKEN: 's3cr3t-value-42' } }), { ...quiet(), onSecrets: (s) => void handed.push(...s) });
    expect(handed).toEqual(['s3cr3t-value-42']);
    expect(outcome.ran).toBe(true);
    if (!outcome.ran || !outcome.evidence.ok) throw new Error('expected a recorded run');
    expect(JSON.stringify(outcome.result)).not.toContain('s3cr3t-value-42');
    expect(readFileSync(outcome.evidence.path, 'utf8')).not.toContain('s3cr3t-value-42');
    expect(outcome.exitCode).toBe(1);
  });

  it('a secret that reaches a command line through ${nodes.X} is refused at run time: the child never starts', async () => {
    const dir = workspace({
      'rollout.yaml': 'version: 1\nname: s\nenvironments: { ci: {} }\ngates:\n  - { id: read, uses: exec, with: { command: [sh, -c, "printf %s $T"], env: { T: "${secret:ARGV_TOKEN}" } }, observe: stdout, expect: "!= x" }\n  - { id: pass-on, uses: exec, needs: [read], with: { command: [sh, -c, "touch ran", "${nodes.read.observed}"] } }\n',
    });
    const outcome = await runSession(request(dir, { processEnv: { ...process.env, ARGV_TOKEN: 'argv-secret-98765' } }), quiet());
    if (!outcome.ran) throw new Error('expected a run');
    const node = outcome.result.nodes.find((n) => n.id === 'pass-on')!;
    expect(node.status).toBe('error');
    expect(node.message).toMatch(/command line holds a secret/);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    expect(JSON.stringify(outcome.result)).not.toContain('argv-secret-98765');
  });
});
