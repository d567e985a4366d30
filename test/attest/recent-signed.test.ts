import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rollout, workspace } from '../helpers/cli.js';
import { allowedSigner, sshKeygen } from './keys.js';

const playbook = (gate: string) => `version: 1
name: payments
environments: { staging: {}, production: {} }
gates:
  - { id: smoke, uses: exec, with: { command: [sh, -c, "exit \${env:SMOKE_EXIT}"] }, environments: [staging] }
  - { id: rehearsed, uses: evidence.recent, with: ${gate}, environments: [production] }
`;

const node = (report: any, id: string) => report.nodes.find((n: any) => n.id === id);

function setUp(gate: string) {
  const dir = workspace({ 'rollout.yaml': playbook(gate) });
  const ci = sshKeygen({ dir, comment: 'ci' });
  const laptop = sshKeygen({ dir, comment: 'laptop' });
  writeFileSync(join(dir, 'allowed_signers'), `${allowedSigner('ci@example.com', ci.pub)}\n${allowedSigner('*@laptops.example.com', laptop.pub)}\n`);
  const staging = (exit: string, ...args: string[]) => rollout(['check', '--env', 'staging', ...args], { cwd: dir, env: { SMOKE_EXIT: exit } });
  const gateRun = () => rollout(['check', '--env', 'production', '--reporter', 'json'], { cwd: dir, env: { SMOKE_EXIT: '0' } });
  return { dir, ci, laptop, staging, gate: gateRun };
}

describe('evidence.recent on trusted evidence', () => {
  it('signedBy: an unsigned pass and a pass signed by another principal do not count; a pass signed by the named one does', async () => {
    const { dir, ci, laptop, staging, gate } = setUp('{ command: check, env: staging, maxAge: 7d, trustedKeys: allowed_signers, signedBy: [ci@example.com] }');
    expect((await staging('0')).exitCode).toBe(0);
    const unsigned = await gate();
    expect(unsigned.exitCode).toBe(1);
    expect(node(unsigned.json, 'rehearsed').reasons).toEqual([
      'no passing, verified, complete, trusted-signed payments check --env staging',
      expect.stringMatching(/-payments-check\.md: not signed by a trusted key: no attestation \(.*-payments-check\.intoto\.jsonl is missing\)$/),
    ]);

    expect((await staging('0', '--sign-key', laptop.file)).exitCode).toBe(0);
    const other = await gate();
    expect(other.exitCode).toBe(1);
    expect(node(other.json, 'rehearsed').reasons[1]).toMatch(new RegExp(`-payments-check\\.md: signed by \\*@laptops\\.example\\.com \\(${laptop.fingerprint.replace(/[+/]/g, '\\$&')}\\), not by ci@example\\.com$`));

    expect((await staging('0', '--sign-key', ci.file)).exitCode).toBe(0);
    const signed = await gate();
    expect(signed.exitCode, signed.stderr).toBe(0);
    expect(node(signed.json, 'rehearsed').message).toMatch(/-payments-check\.md passed .* ago \(max 7d\); digest ok; signed by ci@example\.com \(SHA256:/);

    // The attestation removed: the file no longer counts.
    const envDir = join(dir, 'evidence', 'staging');
    for (const f of readdirSync(envDir).filter((f) => f.endsWith('.intoto.jsonl'))) rmSync(join(envDir, f));
    expect((await gate()).exitCode).toBe(1);
  });

  it('a principal that no key is allowed for, or an unreadable trustedKeys file, is an error, never a pass', async () => {
    const wrong = setUp('{ command: check, env: staging, maxAge: 7d, trustedKeys: allowed_signers, signedBy: [release@example.com] }');
    expect((await wrong.staging('0', '--sign-key', wrong.ci.file)).exitCode).toBe(0);
    const run = await wrong.gate();
    expect(run.exitCode).toBe(3);
    expect(node(run.json, 'rehearsed')).toMatchObject({ status: 'error', message: expect.stringContaining('signedBy: no key in allowed_signers is allowed for release@example.com') });

    const missing = setUp('{ command: check, env: staging, maxAge: 7d, trustedKeys: nope }');
    expect((await missing.staging('0', '--sign-key', missing.ci.file)).exitCode).toBe(0);
    const gone = await missing.gate();
    expect(gone.exitCode).toBe(3);
    expect(node(gone.json, 'rehearsed').message).toMatch(/trusted keys .*\/nope: cannot read it \(ENOENT\)/);

    const invalid = await rollout(['validate', '--env', 'production'], { cwd: workspace({ 'rollout.yaml': playbook('{ command: check, env: staging, maxAge: 7d, signedBy: [ci@example.com] }') }) });
    expect(invalid.exitCode).toBe(2);
    expect(invalid.stderr).toContain('signedBy names principals of an allowed_signers file: give it as trustedKeys');
  });

  it('latest: a later failing re-check revokes an earlier pass; a dry run neither proves nor revokes', async () => {
    const { staging, gate, ci } = setUp('{ command: check, env: staging, maxAge: 7d, trustedKeys: allowed_signers, latest: true }');
    expect((await staging('0', '--sign-key', ci.file)).exitCode).toBe(0);
    expect((await gate()).exitCode).toBe(0);
    expect((await staging('1', '--sign-key', ci.file)).exitCode).toBe(1);
    const revoked = await gate();
    expect(revoked.exitCode).toBe(1);
    expect(node(revoked.json, 'rehearsed').reasons).toEqual([
      'the newest payments check --env staging does not count (latest: true; an earlier pass is revoked)',
      expect.stringMatching(/-payments-check\.md: verdict fail$/),
    ]);
    expect((await staging('0', '--sign-key', ci.file, '--dry-run')).exitCode).toBe(0);
    expect((await gate()).exitCode).toBe(1);
    expect((await staging('0', '--sign-key', ci.file)).exitCode).toBe(0);
    const again = await gate();
    expect(again.exitCode).toBe(0);
    expect(node(again.json, 'rehearsed').message).toMatch(/; it is the newest run$/);
  });

  it('without latest, an earlier signed pass still counts after a failing re-check (the default is unchanged)', async () => {
    const { staging, gate, ci } = setUp('{ command: check, env: staging, maxAge: 7d, trustedKeys: allowed_signers }');
    expect((await staging('0', '--sign-key', ci.file)).exitCode).toBe(0);
    expect((await staging('1', '--sign-key', ci.file)).exitCode).toBe(1);
    expect((await gate()).exitCode).toBe(0);
  });
});
