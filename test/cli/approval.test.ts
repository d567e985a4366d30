import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../../src/sdk/index.js';
import { CLI, rollout, statuses, workspace } from '../helpers/cli.js';
import { RECORD_SCRIPT, readRecord } from '../helpers/record.js';

// Seed 002's sign-offs and seed 003's Incident Commander "go".
const PLAYBOOK = `version: 1
name: signoffs
environments: { production: {} }
gates:
  - { id: signoff-dba, uses: approval, with: { role: Database Team Lead, distinct: true } }
  - { id: signoff-security, uses: approval, with: { role: Security Lead, distinct: true } }
  - { id: ic-go, uses: approval, with: { role: Incident Commander, maxAge: 30m } }
stages:
  - id: cutover
    steps:
      - { id: dns, uses: approval, with: { role: Release captain, prompt: "Switch DNS at the registrar to the new load balancer" } }
      - { id: smoke, uses: exec, with: { command: [./rec.sh, smoke] }, needs: [dns] }
`;

const node = (report: any, id: string) => report.nodes.find((n: { id: string }) => n.id === id);

/** Runs the CLI on a pseudo-terminal (util-linux `script`), typing `answers` one line at a time. */
async function onTerminal(dir: string, args: string[], answers: string[]): Promise<string> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(' ');
  const typed = answers.map((a, i) => `sleep ${i === 0 ? 1 : 0.7}; printf '%s\\r' '${a}'`).join('; ');
  const result = await runProcess(['sh', '-c', `(${typed}; sleep 2) | script -qec "${command.replace(/"/g, '\\"')}" /dev/null`], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  return result.stdout;
}

describe('approval', () => {
  it('in CI only --approve or an approvals file signs; without one the gate fails and says how to sign', async () => {
    const dir = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': PLAYBOOK });
    const none = await rollout(['check', '--env', 'production', '--reporter', 'json'], { cwd: dir });
    expect(none.exitCode).toBe(1);
    expect(node(none.json, 'ic-go').message).toBe('no sign-off for Incident Commander: pass --approve ic-go=NAME or --approvals FILE (there is no terminal to ask on)');

    const signed = await rollout(['check', '--env', 'production', '--reporter', 'json', '--approve', 'signoff-dba=Dana Lee', '--approve', 'signoff-security=Sam Okafor', '--approve', 'ic-go=Ada Lovelace'], { cwd: dir, env: { GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/payments', GITHUB_RUN_ID: '42', GITHUB_ACTOR: 'release-bot' } });
    expect(signed.exitCode, signed.stderr).toBe(0);
    expect(node(signed.json, 'ic-go').outputs).toMatchObject({ name: 'Ada Lovelace', source: '--approve', osUser: expect.any(String), ci: 'GitHub Actions acme/payments run 42 by release-bot', at: expect.stringMatching(/^\d{4}-/) });
  });

  it('an approvals file signs; a sign-off older than maxAge has expired (fail)', async () => {
    const dir = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': PLAYBOOK });
    const fresh = new Date(Date.now() - 5 * 60_000).toISOString();
    writeFileSync(join(dir, 'approvals.yaml'), `signoff-dba: Dana Lee\nsignoff-security: { name: Sam Okafor }\nic-go: { name: Ada Lovelace, at: "${fresh}" }\n`);
    const ok = await rollout(['check', '--env', 'production', '--reporter', 'json', '--approvals', 'approvals.yaml'], { cwd: dir });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(node(ok.json, 'signoff-security').outputs).toMatchObject({ name: 'Sam Okafor', source: 'approvals file approvals.yaml' });

    const old = new Date(Date.now() - 45 * 60_000).toISOString();
    writeFileSync(join(dir, 'approvals.yaml'), `signoff-dba: Dana Lee\nsignoff-security: Sam Okafor\nic-go: { name: Ada Lovelace, at: "${old}" }\n`);
    const expired = await rollout(['check', '--env', 'production', '--reporter', 'json', '--approvals', 'approvals.yaml'], { cwd: dir });
    expect(expired.exitCode).toBe(1);
    expect(statuses(expired.json)).toEqual({ 'signoff-dba': 'pass', 'signoff-security': 'pass', 'ic-go': 'fail' });
    expect(node(expired.json, 'ic-go').message).toBe(`the sign-off by Ada Lovelace at ${old} expired: older than 30m (maxAge)`);
  });

  it('distinct roles cannot be signed by the same person', async () => {
    const dir = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': PLAYBOOK });
    const run = await rollout(['check', '--env', 'production', '--reporter', 'json', '--approve', 'signoff-dba=Dana Lee', '--approve', 'signoff-security=dana  lee', '--approve', 'ic-go=Dana Lee'], { cwd: dir });
    expect(run.exitCode).toBe(1);
    const results = [node(run.json, 'signoff-dba'), node(run.json, 'signoff-security')];
    expect(results.map((r) => r.status).sort()).toEqual(['fail', 'pass']);
    expect(results.find((r) => r.status === 'fail').message).toMatch(/already signed (Database Team Lead|Security Lead) \(signoff-(dba|security)\); distinct roles need different people/);
    // The Incident Commander is not a distinct role: the same person may give the "go".
    expect(node(run.json, 'ic-go').status).toBe('pass');
  });

  it('an --approve that names no planned node is refused before anything runs (exit 2)', async () => {
    const dir = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': PLAYBOOK });
    const run = await rollout(['check', '--env', 'production', '--approve', 'sigoff-dba=Dana'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/an approval names "sigoff-dba", which this run does not plan/);
  });

  it('on a terminal it asks, records the typed name, and an empty answer refuses; a prompt step is confirmed inside a stage', async () => {
    const dir = workspace({ 'rec.sh': RECORD_SCRIPT, 'rollout.yaml': PLAYBOOK });
    const refused = await onTerminal(dir, ['check', '--env', 'production', '--reporter', 'plain', '--approve', 'signoff-dba=Dana Lee', '--approve', 'signoff-security=Sam Okafor'], ['']);
    expect(refused).toMatch(/Approval needed: Incident Commander \(ic-go\)\. Type your name to approve, or nothing to refuse:/);
    expect(refused).toMatch(/FAIL +ic-go[^\n]*\n +refused on the terminal \(OS user \S+\)/);

    // promote: the operator types the environment's name, then confirms the manual DNS step.
    const promoted = await onTerminal(dir, ['promote', '--env', 'production', '--reporter', 'json', '--approve', 'signoff-dba=Dana Lee', '--approve', 'signoff-security=Sam Okafor', '--approve', 'ic-go=Ada Lovelace'], ['production', 'Grace Hopper']);
    expect(promoted).toMatch(/Type the environment name \(production\) to continue:/);
    expect(promoted).toMatch(/Switch DNS at the registrar to the new load balancer\r?\nApproval needed: Release captain \(dns\)/);
    expect(promoted).toMatch(/"name": "Grace Hopper",\s+"at": "[^"]+",\s+"source": "terminal"/);
    expect(readRecord(dir)).toEqual(['smoke']);
  });
});
