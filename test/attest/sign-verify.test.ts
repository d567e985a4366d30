import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/evidence/check-file.js';
import { DIGEST_PREFIX } from '../../src/evidence/render.js';
import { rollout, workspace } from '../helpers/cli.js';
import { allowedSigner, sshKeygen } from './keys.js';

const PYTHON_VERIFIER = fileURLToPath(new URL('./verify-dsse.py', import.meta.url));

const PLAYBOOK = `version: 1
name: payments
environments: { staging: {} }
gates:
  - { id: smoke, uses: exec, with: { command: ["true"] } }
  - { id: lint, uses: exec, severity: warning, with: { command: ["false"] } }
  - { id: optional, uses: exec, needs: [smoke], with: { command: ["true"] } }
`;

/** A workspace, a signed staging check in it, and an allowed_signers file trusting its key. */
async function signedRun(options: { viaEnv?: boolean } = {}) {
  const dir = workspace({ 'rollout.yaml': PLAYBOOK });
  const key = sshKeygen({ dir });
  writeFileSync(join(dir, 'allowed_signers'), `${allowedSigner('ci@example.com', key.pub)}\n`);
  const run = options.viaEnv
    ? await rollout(['check', '--env', 'staging'], { cwd: dir, env: { ROLLOUT_SIGN_KEY: key.file } })
    : await rollout(['check', '--env', 'staging', '--sign-key', key.file], { cwd: dir });
  const envDir = join(dir, 'evidence', 'staging');
  const evidence = readdirSync(envDir).find((f) => f.endsWith('.md'))!;
  return { dir, key, run, envDir, evidence, attestation: join(envDir, evidence.replace(/\.md$/, '.intoto.jsonl')) };
}

const verify = (dir: string, trusted = 'allowed_signers') => rollout(['evidence', 'verify', 'evidence', '--trusted-keys', trusted], { cwd: dir });

describe('signed attestations', () => {
  it('--sign-key writes a DSSE envelope of an in-toto test-result statement beside the evidence; verify accepts it', async () => {
    const { dir, key, run, envDir, evidence, attestation } = await signedRun();
    expect(run.exitCode, run.stderr).toBe(0);
    expect(readdirSync(envDir).sort()).toEqual([evidence, evidence.replace(/\.md$/, '.intoto.jsonl')].sort());
    const lines = readFileSync(attestation, 'utf8').split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    const envelope = JSON.parse(lines[0]!);
    expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
    expect(envelope.signatures).toEqual([{ keyid: key.fingerprint, sig: expect.any(String) }]);
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    const playbookSha = sha256(readFileSync(join(dir, 'rollout.yaml')));
    const playbook = { name: 'rollout.yaml', digest: { sha256: playbookSha } };
    expect(statement).toEqual({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: evidence, digest: { sha256: sha256(readFileSync(join(envDir, evidence))) } }, playbook],
      predicateType: 'https://in-toto.io/attestation/test-result/v0.1',
      predicate: { result: 'WARNED', configuration: [playbook], url: `file://${join(envDir, evidence)}`, passedTests: ['smoke', 'optional'], warnedTests: ['lint'], failedTests: [] },
    });

    const verified = await verify(dir);
    expect(verified.stdout).toBe('1 evidence file with attestations checked, 0 problems\n');
    expect(verified.exitCode).toBe(0);
  });

  it('ROLLOUT_SIGN_KEY signs as --sign-key does; a failing run is attested FAILED', async () => {
    const { dir, run, attestation } = await signedRun({ viaEnv: true });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(existsSync(attestation)).toBe(true);
    writeFileSync(join(dir, 'rollout.yaml'), PLAYBOOK.replace('command: ["true"] } }\n  - { id: lint', 'command: ["false"] } }\n  - { id: lint'));
    const failing = await rollout(['check', '--env', 'staging'], { cwd: dir, env: { ROLLOUT_SIGN_KEY: readdirSync(dir).filter((f) => f.startsWith('key-') && !f.endsWith('.pub')).map((f) => join(dir, f))[0] } });
    expect(failing.exitCode).toBe(1);
    const newest = readdirSync(join(dir, 'evidence', 'staging')).filter((f) => f.endsWith('.intoto.jsonl')).sort().at(-1)!;
    const envelope = JSON.parse(readFileSync(join(dir, 'evidence', 'staging', newest), 'utf8'));
    const predicate = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')).predicate;
    expect(predicate).toMatchObject({ result: 'FAILED', passedTests: [], warnedTests: ['lint'], failedTests: ['smoke'] });
    expect((await verify(dir)).exitCode).toBe(0);
  });

  it('a key that is not in allowed_signers: exit 1 naming the file and the key', async () => {
    const { dir, key, evidence, envDir } = await signedRun();
    const other = sshKeygen({ dir });
    writeFileSync(join(dir, 'others'), `${allowedSigner('ci@example.com', other.pub)}\n`);
    const verified = await verify(dir, 'others');
    expect(verified.stdout).toBe(`FAIL ${join('evidence', 'staging', evidence)}: signed by ${key.fingerprint}, which is not a trusted key\n1 evidence file with attestations checked, 1 problem\n`);
    expect(verified.exitCode).toBe(1);
  });

  it('evidence edited after signing, its digest line recomputed: the subject digest no longer matches', async () => {
    const { dir, evidence, envDir } = await signedRun();
    const file = join(envDir, evidence);
    const text = readFileSync(file, 'utf8');
    const body = text.slice(0, text.lastIndexOf(DIGEST_PREFIX)).replace('"verdict": "pass"', '"verdict": "pass" ');
    writeFileSync(file, `${body}${DIGEST_PREFIX}${sha256(body)} -->\n`);
    // The digest alone is fooled: anyone can recompute it.
    expect((await rollout(['evidence', 'verify', 'evidence'], { cwd: dir })).exitCode).toBe(0);
    const verified = await verify(dir);
    expect(verified.stdout).toContain(`FAIL ${join('evidence', 'staging', evidence)}: subject digest mismatch: ${evidence} changed after it was signed\n`);
    expect(verified.exitCode).toBe(1);
  });

  it('a missing attestation, and an envelope whose payload was changed: exit 1 with the reason', async () => {
    const { dir, key, evidence, envDir, attestation } = await signedRun();
    const envelope = JSON.parse(readFileSync(attestation, 'utf8'));
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    statement.predicate.result = 'PASSED';
    writeFileSync(attestation, `${JSON.stringify({ ...envelope, payload: Buffer.from(JSON.stringify(statement)).toString('base64') })}\n`);
    const forged = await verify(dir);
    expect(forged.stdout).toContain(`FAIL ${join('evidence', 'staging', evidence)}: bad signature by ${key.fingerprint}: the envelope was changed, or signed by another key\n`);
    expect(forged.exitCode).toBe(1);

    rmSync(attestation);
    const missing = await verify(dir);
    expect(missing.stdout).toContain(`FAIL ${join('evidence', 'staging', evidence)}: no attestation (${evidence.replace(/\.md$/, '.intoto.jsonl')} is missing)\n`);
    expect(missing.exitCode).toBe(1);
    // A single file is checked the same way.
    const one = await rollout(['evidence', 'verify', join(envDir, evidence), '--trusted-keys', 'allowed_signers'], { cwd: dir });
    expect(one.exitCode).toBe(1);
    expect(one.stdout).toContain('no attestation');
  });

  it('an encrypted key and an RSA key are refused with exit 2 before anything runs', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK });
    const encrypted = sshKeygen({ dir, passphrase: 'correct horse battery' });
    const refused = await rollout(['check', '--env', 'staging', '--sign-key', encrypted.file], { cwd: dir });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(`--sign-key ${encrypted.file}: the key is encrypted (it has a passphrase), and rollout cannot ask for one`);
    expect(refused.stderr).toContain('nothing was run');
    const rsa = sshKeygen({ dir, type: 'rsa' });
    const refusedRsa = await rollout(['check', '--env', 'staging'], { cwd: dir, env: { ROLLOUT_SIGN_KEY: rsa.file } });
    expect(refusedRsa.exitCode).toBe(2);
    expect(refusedRsa.stderr).toContain(`--sign-key ${rsa.file}: a ssh-rsa key; rollout signs with ed25519 keys only (ssh-keygen -t ed25519)`);
    const missing = await rollout(['check', '--env', 'staging', '--sign-key', join(dir, 'nope')], { cwd: dir });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(`--sign-key ${join(dir, 'nope')}: cannot read it (ENOENT)`);
    expect(existsSync(join(dir, 'evidence'))).toBe(false);
  });

  it('evidence that goes to the spool keeps its verdict and is signed there too (the attestation travels with it)', async () => {
    const dir = workspace({ 'rollout.yaml': PLAYBOOK, 'not-a-folder': '' });
    const key = sshKeygen({ dir });
    const run = await rollout(['check', '--env', 'staging', '--sign-key', key.file, '--evidence-dir', join(dir, 'not-a-folder', 'evidence')], { cwd: dir });
    expect(run.exitCode).toBe(0);
    const spool = join(dir, '.rollout', 'spool', 'staging');
    expect(run.stderr).toContain(`kept in the spool: ${spool}/`);
    const files = readdirSync(spool).sort();
    expect(files).toEqual([expect.stringMatching(/-payments-check\.intoto\.jsonl$/), expect.stringMatching(/-payments-check\.md$/)]);
    const envelope = JSON.parse(readFileSync(join(spool, files[0]!), 'utf8'));
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    expect(statement.subject[0].digest.sha256).toBe(sha256(readFileSync(join(spool, files[1]!))));
  });

  it('an independent verifier (python3-cryptography, its own PAE) accepts the envelope with the key from the .pub file', async () => {
    const { run, key, attestation, evidence } = await signedRun();
    expect(run.exitCode, run.stderr).toBe(0);
    const python = spawnSync('python3', [PYTHON_VERIFIER, attestation, `${key.file}.pub`], { encoding: 'utf8' });
    expect(python.stderr).toBe('');
    expect(python.status).toBe(0);
    const checked = JSON.parse(python.stdout);
    expect(checked.payloadType).toBe('application/vnd.in-toto+json');
    expect(checked.statement.subject[0].name).toBe(evidence);
    // The same verifier refuses a key that did not sign it.
    const other = sshKeygen();
    const refused = spawnSync('python3', [PYTHON_VERIFIER, attestation, `${other.file}.pub`], { encoding: 'utf8' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe("bad signature\n");
  });
});
